package dev.jollama.engine.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;

/**
 * Q4_0 rows in groups ({@link RowGroupsTensor}): per group of rows, first every block position's fp16 scales of the
 * rows, then every block position's nibbles as four int vectors whose lane r holds eight of row r's (vector v: values
 * 8v to 8v + 7 in {@link RowGroupsTensor#eightNibbles} order), 18 bytes per block and row as in the file. The scales go
 * to the kernels' scratch as floats before a kernel reads a group ({@link #scalesToScratch}), so that the kernels
 * stream the nibbles alone. Over the Q4_0 matrices of a tinyllama-shape file, two cores, from memory: one vector
 * 1.10-1.12 times the file layout's speed, four vectors 1.42-1.44 times one group at a time and another 1.2 times two
 * groups at a time.
 */
final class Q4_0RowGroupsTensor extends RowGroupsTensor {
    private static final int SCALE_BYTES = 2 * ROWS;
    private static final int BLOCK_BYTES = 18;
    /** One block position's nibbles in a group (a constant: the read-ahead loop's count). */
    private static final int NIBBLE_BYTES = 16 * ROWS;

    Q4_0RowGroupsTensor(MemorySegment data, Q4_0Tensor fileLayout, int blocksPerRow, Repacker repacker) {
        super(data, fileLayout, blocksPerRow, repacker, SCALE_BYTES, ROWS);
    }

    @Override
    void pack() {
        long groups = size() / (32L * blocksPerRow) / ROWS;
        MemorySegment bytes = fileLayout.data, packed = data;
        for (int g = 0; g < groups; g++) {
            for (int b = 0; b < blocksPerRow; b++) {
                long scales = groupBase(g) + (long) b * SCALE_BYTES, nibbles = values(g) + (long) b * NIBBLE_BYTES;
                for (int r = 0; r < ROWS; r++) {
                    long from = (((long) g * ROWS + r) * blocksPerRow + b) * BLOCK_BYTES;
                    packed.set(SHORT_LE, scales + 2L * r, bytes.get(SHORT_LE, from));
                    // Values 8v to 8v + 7: the low (v below 2) or high nibbles of bytes 8·(v % 2) on.
                    for (int v = 0; v < 4; v++) {
                        long values = bytes.get(LONG_LE, from + 2 + 8 * (v % 2)) >>> 4 * (v / 2);
                        packed.set(INT_LE, nibbles + 4L * (v * ROWS + r), eightNibbles(values));
                    }
                }
            }
        }
    }

    /**
     * Every block's scales of group A (slot 0) and B (slot 1) as float vectors in {@code scratch} (from
     * {@link #factors}): widened in the kernels, the fp16 conversion took the one-vector kernel past C2's node budget.
     */
    @Override
    void scalesToScratch(int groupA, int groupB, float[] scratch) {
        for (int slot = 0; slot < 2; slot++) {
            long header = groupBase(slot == 0 ? groupA : groupB);
            for (int b = 0; b < blocksPerRow; b++, header += SCALE_BYTES) {
                halvesToScratch(header, scratch, factors(slot, b));
            }
        }
    }

    /**
     * Per block, the rows' nibbles times the input quantized as Q8_0 ({@link MatmulInput#quantizedPairs}) in 16-bit
     * lanes (each nibble position of both halves of every row's int lane at once, times one broadcast pair of
     * values), summed per row as floats ({@link #pairSums}), then times the rows' scales and the input block's; the -8
     * of every value through the input's block sums: Σ d·(q - 8)·x = Σ d·Σ q·x - 8·Σ d·Σ x.
     */
    @Override
    void groupsTimesVector(int groupA, int groupB, MatmulInput in, float[] res) {
        int[] pairs = in.quantizedPairs();
        float[] scales = in.quantizedScales(), sums = in.quantizedSums();
        FloatVector accA = FloatVector.zero(F), accB = accA, offA = accA, offB = accA;
        long baseA = values(groupA), baseB = values(groupB);
        int touched = 0;
        for (int b = 0; b < blocksPerRow; b++, baseA += NIBBLE_BYTES, baseB += NIBBLE_BYTES) {
            touched += touchLinesAhead(baseA, NIBBLE_BYTES) + touchLinesAhead(baseB, NIBBLE_BYTES);
            ShortVector productsA = ShortVector.zero(PAIRS), productsB = productsA;
            for (int v = 0; v < 4; v++) {
                IntVector packedA = IntVector.fromMemorySegment(I, data, baseA + 4L * ROWS * v, LE);
                IntVector packedB = IntVector.fromMemorySegment(I, data, baseB + 4L * ROWS * v, LE);
                for (int p = 0; p < 4; p++) {
                    ShortVector x = IntVector.broadcast(I, pairs[16 * b + 4 * v + p]).reinterpretAsShorts();
                    productsA = nibbles(packedA, p).mul(x).add(productsA);
                    productsB = nibbles(packedB, p).mul(x).add(productsB);
                }
            }
            FloatVector dA = FloatVector.fromArray(F, res, factors(0, b)), dB = FloatVector.fromArray(F, res, factors(1, b));
            FloatVector scale = FloatVector.broadcast(F, scales[b]), sum = FloatVector.broadcast(F, sums[b]);
            accA = pairSums(productsA).mul(dA).fma(scale, accA);
            accB = pairSums(productsB).mul(dB).fma(scale, accB);
            offA = dA.fma(sum, offA);
            offB = dB.fma(sum, offB);
        }
        accA.sub(offA.mul(8f)).intoArray(res, 0);
        accB.sub(offB.mul(8f)).intoArray(res, GROUP_B_RESULTS);
        res[KEEP_ALIVE] = touched;
    }

    @Override
    boolean pairBands() {
        return true;
    }

    /** Per group of the band and block, the rows' scales d (offsets none: the pairs hold q - 8), then the block's sixteen pairs. */
    @Override
    void pairBand(int band, int k0, int n, float[] scratch) {
        for (int i = 0; i < BAND_GROUPS; i++) {
            for (int k = 0, b = k0 / 32; k < n; k += 32, b++) {
                int scales = PAIR_FACTORS + k / 32 * 2 * BAND_ROWS + i * ROWS;
                halvesToScratch(groupBase(band + i) + (long) b * SCALE_BYTES, scratch, scales);
                FloatVector.zero(F).intoArray(scratch, scales + BAND_ROWS);
                long at = values(band + i) + (long) b * NIBBLE_BYTES;
                for (int v = 0; v < 4; v++) {
                    nibblePairs(at + 4L * ROWS * v, scratch, (k / 2 + 4 * v) * BAND_ROWS + i * ROWS);
                }
            }
        }
    }

    /**
     * As {@link #groupsTimesVector}, each nibble position converted once for every vector and each broadcast input
     * value serving both groups. A block's sums start at -8·Σ x, which takes the -8 of every value out with the scale.
     */
    @Override
    void groupsTimesFourVectors(int groupA, int groupB, MatmulInput in, int count, float[] res) {
        MatmulInput v0 = in.single(0), v1 = in.single(1), v2 = in.single(Math.min(2, count - 1)), v3 = in.single(count - 1);
        float[] x0 = v0.nibbleOrdered(), x1 = v1.nibbleOrdered(), x2 = v2.nibbleOrdered(), x3 = v3.nibbleOrdered();
        float[] s0 = v0.sums16(), s1 = v1.sums16(), s2 = v2.sums16(), s3 = v3.sums16();
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        long baseA = values(groupA), baseB = values(groupB);
        int touched = 0;
        for (int b = 0; b < blocksPerRow; b++, baseA += NIBBLE_BYTES, baseB += NIBBLE_BYTES) {
            touched += touchLinesAhead(baseA, NIBBLE_BYTES) + touchLinesAhead(baseB, NIBBLE_BYTES);
            FloatVector dA = FloatVector.fromArray(F, res, factors(0, b)), dB = FloatVector.fromArray(F, res, factors(1, b));
            FloatVector pa0 = FloatVector.broadcast(F, -8 * (s0[2 * b] + s0[2 * b + 1])), pb0 = pa0;
            FloatVector pa1 = FloatVector.broadcast(F, -8 * (s1[2 * b] + s1[2 * b + 1])), pb1 = pa1;
            FloatVector pa2 = FloatVector.broadcast(F, -8 * (s2[2 * b] + s2[2 * b + 1])), pb2 = pa2;
            FloatVector pa3 = FloatVector.broadcast(F, -8 * (s3[2 * b] + s3[2 * b + 1])), pb3 = pa3;
            for (int v = 0; v < 4; v++) {
                IntVector packedA = IntVector.fromMemorySegment(I, data, baseA + 4L * ROWS * v, LE);
                IntVector packedB = IntVector.fromMemorySegment(I, data, baseB + 4L * ROWS * v, LE);
                IntVector shiftedA = packedA.lanewise(VectorOperators.LSHR, 4), shiftedB = packedB.lanewise(VectorOperators.LSHR, 4);
                for (int k = 0; k < 4; k++) {
                    FloatVector lowA = inPlace(packedA, 0xF << 8 * k), highA = inPlace(shiftedA, 0xF << 8 * k);
                    FloatVector lowB = inPlace(packedB, 0xF << 8 * k), highB = inPlace(shiftedB, 0xF << 8 * k);
                    int xl = 32 * b + 8 * v + 2 * k, xh = xl + 1;
                    FloatVector x = FloatVector.broadcast(F, x0[xl]), y = FloatVector.broadcast(F, x0[xh]);
                    pa0 = highA.fma(y, lowA.fma(x, pa0));
                    pb0 = highB.fma(y, lowB.fma(x, pb0));
                    x = FloatVector.broadcast(F, x1[xl]);
                    y = FloatVector.broadcast(F, x1[xh]);
                    pa1 = highA.fma(y, lowA.fma(x, pa1));
                    pb1 = highB.fma(y, lowB.fma(x, pb1));
                    if (count > 2) { // two vectors skip the places of the third and fourth
                        x = FloatVector.broadcast(F, x2[xl]);
                        y = FloatVector.broadcast(F, x2[xh]);
                        pa2 = highA.fma(y, lowA.fma(x, pa2));
                        pb2 = highB.fma(y, lowB.fma(x, pb2));
                        x = FloatVector.broadcast(F, x3[xl]);
                        y = FloatVector.broadcast(F, x3[xh]);
                        pa3 = highA.fma(y, lowA.fma(x, pa3));
                        pb3 = highB.fma(y, lowB.fma(x, pb3));
                    }
                }
            }
            a0 = pa0.fma(dA, a0);
            a1 = pa1.fma(dA, a1);
            a2 = pa2.fma(dA, a2);
            a3 = pa3.fma(dA, a3);
            b0 = pb0.fma(dB, b0);
            b1 = pb1.fma(dB, b1);
            b2 = pb2.fma(dB, b2);
            b3 = pb3.fma(dB, b3);
        }
        a0.intoArray(res, 0);
        a1.intoArray(res, ROWS);
        a2.intoArray(res, 2 * ROWS);
        a3.intoArray(res, 3 * ROWS);
        b0.intoArray(res, GROUP_B_RESULTS);
        b1.intoArray(res, GROUP_B_RESULTS + ROWS);
        b2.intoArray(res, GROUP_B_RESULTS + 2 * ROWS);
        b3.intoArray(res, GROUP_B_RESULTS + 3 * ROWS);
        res[KEEP_ALIVE] = touched;
    }
}
