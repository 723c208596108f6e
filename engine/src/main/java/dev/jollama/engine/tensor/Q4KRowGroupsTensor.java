package dev.jollama.engine.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;

/**
 * Q4_K rows in groups ({@link RowGroupsTensor}), 144 bytes per super-block and row as in the file. Per group of rows,
 * first every super-block's header ({@link KQuantRowGroupsTensor}); then every super-block's nibbles, each 32-value
 * sub-block's as four int vectors in Q4_0's order (vector v: values 8v to 8v + 7; the file pairs a
 * 64-value group's two sub-blocks in its bytes instead). A sub-block then goes through the kernels as a Q4_0 block
 * does, with the input in the same order; its scale and min are one float vector each, taken out of the headers by
 * lane-wise masks and shifts before the kernel reads the nibbles ({@link #scalesToScratch}): the kernels stream the
 * nibbles alone.
 */
final class Q4KRowGroupsTensor extends KQuantRowGroupsTensor {
    private static final int BLOCK_BYTES = 144;
    /** A super-block's nibbles in a group, and a sub-block's (a constant: the read-ahead loop's count). */
    private static final int NIBBLE_BYTES = 128 * ROWS, SUB_BLOCK_BYTES = 16 * ROWS;

    Q4KRowGroupsTensor(MemorySegment data, Q4KTensor fileLayout, int blocksPerRow, Repacker repacker) {
        super(data, fileLayout, blocksPerRow, repacker);
    }

    @Override
    void pack() {
        long groups = size() / (256L * blocksPerRow) / ROWS;
        MemorySegment bytes = fileLayout.data, packed = data;
        int[] six = new int[16];
        for (long g = 0; g < groups; g++) {
            for (int b = 0; b < blocksPerRow; b++) {
                long header = g * blocksPerRow * BLOCK_BYTES * ROWS + (long) b * HEADER_BYTES;
                long nibbles = g * blocksPerRow * BLOCK_BYTES * ROWS + (long) blocksPerRow * HEADER_BYTES + (long) b * NIBBLE_BYTES;
                for (int r = 0; r < ROWS; r++) {
                    long from = ((g * ROWS + r) * blocksPerRow + b) * BLOCK_BYTES;
                    packHeader(from, header, r, six);
                    // Sub-block j is the low (even j) or high nibbles of the file's bytes 32·(j / 2) on.
                    for (int subBlock = 0; subBlock < 8; subBlock++) {
                        for (int v = 0; v < 4; v++) {
                            long values = bytes.get(LONG_LE, from + 16 + 32 * (subBlock / 2) + 8 * v) >>> 4 * (subBlock % 2);
                            packed.set(INT_LE, nibbles + (long) VECTOR_BYTES * (4 * subBlock + v) + 4L * r, eightNibbles(values));
                        }
                    }
                }
            }
        }
    }

    /**
     * Per super-block, the rows' sub-block scales and mins as float vectors ({@link #scalesToScratch}); per sub-block
     * the rows' nibbles times the input quantized as Q8_K ({@link MatmulInput#quantizedPairs}) in 16-bit lanes, each
     * nibble position of both halves of every row's int lane at once times one broadcast pair of values, summed per
     * row as floats ({@link #pairSums}) and times the rows' scales; per super-block times the input's scale; the mins
     * (negated in the scratch) through the input's sums of 32: Σ (d·sc·q - dmin·m)·x = Σ d·sc·Σ q·x - Σ dmin·m·Σ x.
     */
    @Override
    void groupsTimesVector(int groupA, int groupB, MatmulInput in, float[] res) {
        int[] pairs = in.quantizedPairs();
        float[] scales = in.quantizedScales(), sums = in.quantizedSums();
        FloatVector accA = FloatVector.zero(F), accB = accA, minsA = accA, minsB = accA;
        long baseA = values(groupA), baseB = values(groupB);
        int touched = 0;
        for (int b = 0; b < blocksPerRow; b++, baseA += NIBBLE_BYTES, baseB += NIBBLE_BYTES) {
            FloatVector superA = FloatVector.zero(F), superB = superA;
            for (int j = 0; j < 8; j++) {
                touched += touchLinesAhead(baseA + SUB_BLOCK_BYTES * j, SUB_BLOCK_BYTES) + touchLinesAhead(baseB + SUB_BLOCK_BYTES * j, SUB_BLOCK_BYTES);
                ShortVector productsA = ShortVector.zero(PAIRS), productsB = productsA;
                for (int v = 0; v < 4; v++) {
                    long at = (long) VECTOR_BYTES * (4 * j + v);
                    IntVector packedA = IntVector.fromMemorySegment(I, data, baseA + at, LE);
                    IntVector packedB = IntVector.fromMemorySegment(I, data, baseB + at, LE);
                    for (int p = 0; p < 4; p++) {
                        ShortVector x = IntVector.broadcast(I, pairs[128 * b + 16 * j + 4 * v + p]).reinterpretAsShorts();
                        productsA = nibbles(packedA, p).mul(x).add(productsA);
                        productsB = nibbles(packedB, p).mul(x).add(productsB);
                    }
                }
                FloatVector sum = FloatVector.broadcast(F, sums[8 * b + j]);
                int scaleA = factors(0, b) + j * ROWS, scaleB = factors(1, b) + j * ROWS, minA = scaleA + 8 * ROWS, minB = scaleB + 8 * ROWS;
                superA = pairSums(productsA).fma(FloatVector.fromArray(F, res, scaleA), superA);
                superB = pairSums(productsB).fma(FloatVector.fromArray(F, res, scaleB), superB);
                minsA = FloatVector.fromArray(F, res, minA).fma(sum, minsA);
                minsB = FloatVector.fromArray(F, res, minB).fma(sum, minsB);
            }
            FloatVector scale = FloatVector.broadcast(F, scales[b]);
            accA = superA.fma(scale, accA);
            accB = superB.fma(scale, accB);
        }
        accA.add(minsA).intoArray(res, 0);
        accB.add(minsB).intoArray(res, GROUP_B_RESULTS);
        res[KEEP_ALIVE] = touched;
    }

    /**
     * As {@link #groupsTimesVector}, each nibble position converted once for every vector and each broadcast input
     * value serving both groups.
     */
    @Override
    void groupsTimesFourVectors(int groupA, int groupB, MatmulInput in, int count, float[] res) {
        MatmulInput v0 = in.single(0), v1 = in.single(1), v2 = in.single(Math.min(2, count - 1)), v3 = in.single(count - 1);
        float[] x0 = v0.nibbleOrdered(), x1 = v1.nibbleOrdered(), x2 = v2.nibbleOrdered(), x3 = v3.nibbleOrdered();
        float[] s0 = v0.sums32(), s1 = v1.sums32(), s2 = v2.sums32(), s3 = v3.sums32();
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        long baseA = values(groupA), baseB = values(groupB);
        int touched = 0;
        for (int b = 0; b < blocksPerRow; b++, baseA += NIBBLE_BYTES, baseB += NIBBLE_BYTES) {
            for (int j = 0; j < 8; j++) {
                touched += touchLinesAhead(baseA + SUB_BLOCK_BYTES * j, SUB_BLOCK_BYTES) + touchLinesAhead(baseB + SUB_BLOCK_BYTES * j, SUB_BLOCK_BYTES);
                FloatVector pa0 = FloatVector.zero(F), pa1 = pa0, pa2 = pa0, pa3 = pa0, pb0 = pa0, pb1 = pa0, pb2 = pa0, pb3 = pa0;
                for (int v = 0; v < 4; v++) {
                    long at = (long) VECTOR_BYTES * (4 * j + v);
                    IntVector packedA = IntVector.fromMemorySegment(I, data, baseA + at, LE);
                    IntVector packedB = IntVector.fromMemorySegment(I, data, baseB + at, LE);
                    IntVector shiftedA = packedA.lanewise(VectorOperators.LSHR, 4), shiftedB = packedB.lanewise(VectorOperators.LSHR, 4);
                    for (int k = 0; k < 4; k++) {
                        FloatVector lowA = inPlace(packedA, 0xF << 8 * k), highA = inPlace(shiftedA, 0xF << 8 * k);
                        FloatVector lowB = inPlace(packedB, 0xF << 8 * k), highB = inPlace(shiftedB, 0xF << 8 * k);
                        int xl = 256 * b + 32 * j + 8 * v + 2 * k, xh = xl + 1;
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
                int scaleA = factors(0, b) + j * ROWS, scaleB = factors(1, b) + j * ROWS, sum = b * F.length() + j;
                FloatVector dA = FloatVector.fromArray(F, res, scaleA), dB = FloatVector.fromArray(F, res, scaleB);
                FloatVector mA = FloatVector.fromArray(F, res, scaleA + 8 * ROWS), mB = FloatVector.fromArray(F, res, scaleB + 8 * ROWS);
                FloatVector sx = FloatVector.broadcast(F, s0[sum]);
                a0 = mA.fma(sx, pa0.fma(dA, a0));
                b0 = mB.fma(sx, pb0.fma(dB, b0));
                sx = FloatVector.broadcast(F, s1[sum]);
                a1 = mA.fma(sx, pa1.fma(dA, a1));
                b1 = mB.fma(sx, pb1.fma(dB, b1));
                sx = FloatVector.broadcast(F, s2[sum]);
                a2 = mA.fma(sx, pa2.fma(dA, a2));
                b2 = mB.fma(sx, pb2.fma(dB, b2));
                sx = FloatVector.broadcast(F, s3[sum]);
                a3 = mA.fma(sx, pa3.fma(dA, a3));
                b3 = mB.fma(sx, pb3.fma(dB, b3));
            }
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


    @Override
    boolean pairBands() {
        return true;
    }

    /**
     * Per group of the band and super-block: its factors ({@link #blockFactors}), each sub-block's scale and min as
     * the block's scale and offset, then the sub-block's sixteen pairs of nibbles.
     */
    @Override
    void pairBand(int band, int k0, int n, float[] scratch) {
        int factors = BAND_FACTORS + 2 * ROWS;
        for (int i = 0; i < BAND_GROUPS; i++) {
            for (int k = 0, b = k0 / 256; k < n; k += 256, b++) {
                blockFactors(groupBase(band + i) + (long) b * HEADER_BYTES, scratch, BAND_FACTORS, factors);
                long at = values(band + i) + (long) b * NIBBLE_BYTES;
                for (int j = 0; j < 8; j++) {
                    int scales = PAIR_FACTORS + (k / 32 + j) * 2 * BAND_ROWS + i * ROWS;
                    // The pairs hold q - 8: the offset d·sc·8 - dmin·m.
                    FloatVector scale = FloatVector.fromArray(F, scratch, factors + j * ROWS);
                    scale.intoArray(scratch, scales);
                    scale.mul(8f).add(FloatVector.fromArray(F, scratch, factors + (8 + j) * ROWS)).intoArray(scratch, scales + BAND_ROWS);
                    for (int v = 0; v < 4; v++) {
                        nibblePairs(at + (long) VECTOR_BYTES * (4 * j + v), scratch, ((k + 32 * j) / 2 + 4 * v) * BAND_ROWS + i * ROWS);
                    }
                }
            }
        }
    }

}
