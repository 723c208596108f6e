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
 * one vector 1.10-1.12 times the file layout's speed, four vectors 1.42-1.44 times.
 */
final class Q4_0RowGroupsTensor extends RowGroupsTensor {
    private static final int SCALE_BYTES = 2 * ROWS;
    /** One block position of a group (a constant: the read-ahead loop's count). */
    private static final int GROUP_BLOCK_BYTES = 18 * ROWS;

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
                    long from = ((g * ROWS + r) * blocksPerRow + b) * 18;
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
        accB.sub(offB.mul(8f)).intoArray(res, ROWS);
        res[2 * ROWS] = touched;
    }

    /** ROWS fp16 values from {@code offset} as floats ({@link F16Kernels#widened} leaves them 2^112 too small). */
    private FloatVector halves(long offset) {
        return F16Kernels.widened(ShortVector.fromMemorySegment(SH, data, offset, LE)).mul(0x1p112f);
    }

    /** As {@link #groupsTimesVector}, each nibble position converted once for every vector. */
    @Override
    void groupTimesFourVectors(int group, MatmulInput in, int count, float[] res) {
        MatmulInput v0 = in.single(0), v1 = in.single(1), v2 = in.single(Math.min(2, count - 1)), v3 = in.single(count - 1);
        float[] x0 = v0.nibbleOrdered(), x1 = v1.nibbleOrdered(), x2 = v2.nibbleOrdered(), x3 = v3.nibbleOrdered();
        float[] s0 = v0.sums16(), s1 = v1.sums16(), s2 = v2.sums16(), s3 = v3.sums16();
        FloatVector acc0 = FloatVector.zero(F), acc1 = acc0, acc2 = acc0, acc3 = acc0, off0 = acc0, off1 = acc0, off2 = acc0, off3 = acc0;
        long base = groupBase(group);
        int touched = 0;
        for (int b = 0; b < blocksPerRow; b++, base += GROUP_BLOCK_BYTES) {
            touched += touchLinesAhead(base, GROUP_BLOCK_BYTES);
            FloatVector d = halves(base);
            FloatVector l0 = FloatVector.zero(F), l1 = l0, l2 = l0, l3 = l0, h0 = l0, h1 = l0, h2 = l0, h3 = l0;
            for (int v = 0; v < 4; v++) {
                IntVector packed = IntVector.fromMemorySegment(I, data, base + SCALE_BYTES + 4L * ROWS * v, LE);
                IntVector shifted = packed.lanewise(VectorOperators.LSHR, 4);
                for (int k = 0; k < 4; k++) {
                    FloatVector wl = inPlace(packed, 0xF << 8 * k), wh = inPlace(shifted, 0xF << 8 * k);
                    int xl = 32 * b + 8 * v + 2 * k, xh = xl + 1;
                    l0 = wl.fma(FloatVector.broadcast(F, x0[xl]), l0);
                    h0 = wh.fma(FloatVector.broadcast(F, x0[xh]), h0);
                    l1 = wl.fma(FloatVector.broadcast(F, x1[xl]), l1);
                    h1 = wh.fma(FloatVector.broadcast(F, x1[xh]), h1);
                    l2 = wl.fma(FloatVector.broadcast(F, x2[xl]), l2);
                    h2 = wh.fma(FloatVector.broadcast(F, x2[xh]), h2);
                    l3 = wl.fma(FloatVector.broadcast(F, x3[xl]), l3);
                    h3 = wh.fma(FloatVector.broadcast(F, x3[xh]), h3);
                }
            }
            acc0 = l0.add(h0).fma(d, acc0);
            acc1 = l1.add(h1).fma(d, acc1);
            acc2 = l2.add(h2).fma(d, acc2);
            acc3 = l3.add(h3).fma(d, acc3);
            off0 = d.fma(FloatVector.broadcast(F, s0[2 * b] + s0[2 * b + 1]), off0);
            off1 = d.fma(FloatVector.broadcast(F, s1[2 * b] + s1[2 * b + 1]), off1);
            off2 = d.fma(FloatVector.broadcast(F, s2[2 * b] + s2[2 * b + 1]), off2);
            off3 = d.fma(FloatVector.broadcast(F, s3[2 * b] + s3[2 * b + 1]), off3);
        }
        acc0.sub(off0.mul(8f)).intoArray(res, 0);
        acc1.sub(off1.mul(8f)).intoArray(res, ROWS);
        acc2.sub(off2.mul(8f)).intoArray(res, 2 * ROWS);
        acc3.sub(off3.mul(8f)).intoArray(res, 3 * ROWS);
        res[4 * ROWS] = touched;
    }
}
