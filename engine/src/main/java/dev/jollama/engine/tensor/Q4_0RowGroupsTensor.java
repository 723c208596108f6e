package dev.jollama.engine.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;

/**
 * Q4_0 rows in groups ({@link RowGroupsTensor}): per group of rows and block position, the rows' fp16 scales, then
 * four int vectors whose lane r holds four bytes of row r's nibbles (vector v: bytes 4v to 4v + 3 of the block), 18
 * bytes per block and row as in the file. Over the Q4_0 matrices of a tinyllama-shape file, two cores, from memory:
 * one vector 1.10-1.12 times the file layout's speed, four vectors 1.42-1.44 times one group at a time and another
 * 1.2 times two groups at a time.
 */
final class Q4_0RowGroupsTensor extends RowGroupsTensor {
    private static final int SCALE_BYTES = 2 * ROWS;
    private static final int BLOCK_BYTES = 18;
    /** One block position of a group (a constant: the read-ahead loop's count). */
    private static final int GROUP_BLOCK_BYTES = BLOCK_BYTES * ROWS;

    Q4_0RowGroupsTensor(MemorySegment data, Q4_0Tensor fileLayout, int blocksPerRow, Repacker repacker) {
        super(data, fileLayout, blocksPerRow, repacker);
    }

    @Override
    void pack() {
        long groups = size() / (32L * blocksPerRow) / ROWS;
        MemorySegment bytes = fileLayout.data, packed = data;
        for (long g = 0; g < groups; g++) {
            for (int b = 0; b < blocksPerRow; b++) {
                long to = (g * blocksPerRow + b) * GROUP_BLOCK_BYTES;
                for (int r = 0; r < ROWS; r++) {
                    long from = ((g * ROWS + r) * blocksPerRow + b) * BLOCK_BYTES;
                    packed.set(SHORT_LE, to + 2L * r, bytes.get(SHORT_LE, from));
                    for (int v = 0; v < 4; v++) {
                        packed.set(INT_LE, to + SCALE_BYTES + 4L * (v * ROWS + r), bytes.get(INT_LE, from + 2 + 4 * v));
                    }
                }
            }
        }
    }

    /** Nothing: a block's scales are one fp16 vector, widened in the kernels. */
    @Override
    void scalesToScratch(int groupA, int groupB, float[] scratch) {
    }

    /**
     * Per block, each nibble position of every row picked out where it lies (256^b too large) times the
     * input value it multiplies, broadcast and scaled to match ({@link MatmulInput#nibbleOrdered}); then times the rows'
     * scales, and the -8 of every value through the input's block sums: Σ d·(q - 8)·x = Σ d·Σ q·x - 8·Σ d·Σ x.
     */
    @Override
    void groupsTimesVector(int groupA, int groupB, MatmulInput in, float[] res) {
        float[] xs = in.nibbleOrdered(), sums = in.sums16();
        FloatVector accA = FloatVector.zero(F), accB = accA, offA = accA, offB = accA;
        long baseA = groupBase(groupA), baseB = groupBase(groupB);
        int touched = 0;
        for (int b = 0; b < blocksPerRow; b++, baseA += GROUP_BLOCK_BYTES, baseB += GROUP_BLOCK_BYTES) {
            touched += touchLinesAhead(baseA, GROUP_BLOCK_BYTES) + touchLinesAhead(baseB, GROUP_BLOCK_BYTES);
            FloatVector dA = halves(baseA), dB = halves(baseB);
            FloatVector lowA = FloatVector.zero(F), highA = lowA, lowB = lowA, highB = lowA;
            for (int v = 0; v < 4; v++) {
                IntVector packedA = IntVector.fromMemorySegment(I, data, baseA + SCALE_BYTES + 4L * ROWS * v, LE);
                IntVector packedB = IntVector.fromMemorySegment(I, data, baseB + SCALE_BYTES + 4L * ROWS * v, LE);
                IntVector shiftedA = packedA.lanewise(VectorOperators.LSHR, 4), shiftedB = packedB.lanewise(VectorOperators.LSHR, 4);
                int at = 32 * b + 8 * v;
                for (int k = 0; k < 4; k++) {
                    FloatVector xl = FloatVector.broadcast(F, xs[at + 2 * k]), xh = FloatVector.broadcast(F, xs[at + 2 * k + 1]);
                    lowA = inPlace(packedA, 0xF << 8 * k).fma(xl, lowA);
                    highA = inPlace(shiftedA, 0xF << 8 * k).fma(xh, highA);
                    lowB = inPlace(packedB, 0xF << 8 * k).fma(xl, lowB);
                    highB = inPlace(shiftedB, 0xF << 8 * k).fma(xh, highB);
                }
            }
            float blockSum = sums[2 * b] + sums[2 * b + 1];
            accA = lowA.add(highA).fma(dA, accA);
            accB = lowB.add(highB).fma(dB, accB);
            offA = dA.fma(FloatVector.broadcast(F, blockSum), offA);
            offB = dB.fma(FloatVector.broadcast(F, blockSum), offB);
        }
        accA.sub(offA.mul(8f)).intoArray(res, 0);
        accB.sub(offB.mul(8f)).intoArray(res, GROUP_B_RESULTS);
        res[KEEP_ALIVE] = touched;
    }

    /** ROWS fp16 values from {@code offset} as floats ({@link F16Kernels#widened} leaves them 2^112 too small). */
    private FloatVector halves(long offset) {
        return F16Kernels.widened(ShortVector.fromMemorySegment(SH, data, offset, LE)).mul(0x1p112f);
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
        long baseA = groupBase(groupA), baseB = groupBase(groupB);
        int touched = 0;
        for (int b = 0; b < blocksPerRow; b++, baseA += GROUP_BLOCK_BYTES, baseB += GROUP_BLOCK_BYTES) {
            touched += touchLinesAhead(baseA, GROUP_BLOCK_BYTES) + touchLinesAhead(baseB, GROUP_BLOCK_BYTES);
            FloatVector dA = halves(baseA), dB = halves(baseB);
            FloatVector pa0 = FloatVector.broadcast(F, -8 * (s0[2 * b] + s0[2 * b + 1])), pb0 = pa0;
            FloatVector pa1 = FloatVector.broadcast(F, -8 * (s1[2 * b] + s1[2 * b + 1])), pb1 = pa1;
            FloatVector pa2 = FloatVector.broadcast(F, -8 * (s2[2 * b] + s2[2 * b + 1])), pb2 = pa2;
            FloatVector pa3 = FloatVector.broadcast(F, -8 * (s3[2 * b] + s3[2 * b + 1])), pb3 = pa3;
            for (int v = 0; v < 4; v++) {
                IntVector packedA = IntVector.fromMemorySegment(I, data, baseA + SCALE_BYTES + 4L * ROWS * v, LE);
                IntVector packedB = IntVector.fromMemorySegment(I, data, baseB + SCALE_BYTES + 4L * ROWS * v, LE);
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
