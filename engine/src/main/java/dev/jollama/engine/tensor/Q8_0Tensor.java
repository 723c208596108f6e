package dev.jollama.engine.tensor;

import dev.jollama.engine.gguf.GgmlType;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;

/** Q8_0: blocks of 32 values in 34 bytes, an fp16 scale d then 32 signed bytes; w = q·d. */
public final class Q8_0Tensor extends FloatTensor {
    private static final int BLOCK_BYTES = 34;

    Q8_0Tensor(MemorySegment data, long size) {
        super(data, size);
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q8_0;
    }

    @Override
    public float getFloat(long index) {
        long block = (index / 32) * BLOCK_BYTES;
        return int8(block + 2 + index % 32) * f16(block);
    }

    @Override
    protected float dotBlocks(long firstBlock, float[] x, int xOffset, int blockCount) {
        float sum = 0f;
        for (int b = 0; b < blockCount; b++) {
            long block = (firstBlock + b) * BLOCK_BYTES;
            int xb = xOffset + b * 32;
            float blockSum = 0f;
            for (int j = 0; j < 32; j++) {
                blockSum += int8(block + 2 + j) * x[xb + j];
            }
            sum += blockSum * f16(block);
        }
        return sum;
    }

    @Override
    protected void dequantize(long firstBlock, int blocks, float[] dst, int dstOffset) {
        for (int b = 0; b < blocks; b++) {
            long block = (firstBlock + b) * BLOCK_BYTES;
            FloatVector d = FloatVector.broadcast(F, f16(block));
            for (int j = 0; j < 32; j += F.length()) {
                quants(block, j).mul(d).intoArray(dst, dstOffset + b * 32 + j);
            }
        }
    }

    @Override
    protected int decodeRows() {
        return F.length() == 16 ? 4 : 2;
    }

    /**
     * Per block, the int8 values times x in float lanes, then one multiply-add by the block's scale. With 16 lanes
     * four rows go side by side (see {@link FloatTensor#decodeRows}), a block at a time: a block is two float vectors,
     * written out, and the rows share the loads of x. Written out in one method: a helper of more than 35 bytecodes
     * that returns a vector is inlined only when C2 judges its call hot, and one compiled without it boxed every
     * vector (decoding 3.4x slower, seen in some runs); eight rows exceeded C2's inlining node budget (boxed, 2.6
     * against 21 GB/s). No read-ahead touches: the four streams fetch enough, and touching ahead in each of them
     * brought two cores from 23 down to 16 GB/s. With 8 lanes see dotTwoRowsEightLanes.
     */
    @Override
    protected void dotRows(long firstBlock, long rowStride, int blocks, MatmulInput in, float[] out, int outIndex, int outStride, float[] scratch) {
        if (F.length() != 16) {
            dotTwoRowsEightLanes(firstBlock, rowStride, blocks, in.values, out, outIndex, outStride, scratch);
            return;
        }
        float[] x = in.values;
        FloatVector acc0 = FloatVector.zero(F), acc1 = acc0, acc2 = acc0, acc3 = acc0;
        long rowBytes = rowStride * BLOCK_BYTES;
        for (int b = 0; b < blocks; b++) {
            long block = (firstBlock + b) * BLOCK_BYTES;
            FloatVector x0 = FloatVector.fromArray(F, x, 32 * b), x1 = FloatVector.fromArray(F, x, 32 * b + 16);
            acc0 = quants(block, 16).fma(x1, quants(block, 0).mul(x0)).fma(FloatVector.broadcast(F, f16(block)), acc0);
            block += rowBytes;
            acc1 = quants(block, 16).fma(x1, quants(block, 0).mul(x0)).fma(FloatVector.broadcast(F, f16(block)), acc1);
            block += rowBytes;
            acc2 = quants(block, 16).fma(x1, quants(block, 0).mul(x0)).fma(FloatVector.broadcast(F, f16(block)), acc2);
            block += rowBytes;
            acc3 = quants(block, 16).fma(x1, quants(block, 0).mul(x0)).fma(FloatVector.broadcast(F, f16(block)), acc3);
        }
        out[outIndex] = acc0.reduceLanes(VectorOperators.ADD);
        out[outIndex + outStride] = acc1.reduceLanes(VectorOperators.ADD);
        out[outIndex + 2 * outStride] = acc2.reduceLanes(VectorOperators.ADD);
        out[outIndex + 3 * outStride] = acc3.reduceLanes(VectorOperators.ADD);
    }

    /**
     * With 8 lanes (AVX2) two rows side by side, a block (four float vectors, written out) at a time: four rows
     * exceeded C2's inlining node budget (boxed, 2.2 GB/s). Here touching ahead (once every two blocks, about a cache
     * line, in each row) still pays: two cores 13.1 -> 13.9 GB/s; against one row at a time 10.6 (side by side, under
     * -XX:UseAVX=2).
     */
    private void dotTwoRowsEightLanes(long firstBlock, long rowStride, int blocks, float[] x, float[] out, int outIndex, int outStride, float[] scratch) {
        FloatVector acc0 = FloatVector.zero(F), acc1 = acc0;
        long rowBytes = rowStride * BLOCK_BYTES;
        int touched = 0;
        for (int b = 0; b < blocks; b++) {
            long block = (firstBlock + b) * BLOCK_BYTES, other = block + rowBytes;
            if ((b & 1) == 0) {
                touched += touchAhead(block) + touchAhead(other);
            }
            FloatVector x0 = FloatVector.fromArray(F, x, 32 * b), x1 = FloatVector.fromArray(F, x, 32 * b + 8);
            FloatVector x2 = FloatVector.fromArray(F, x, 32 * b + 16), x3 = FloatVector.fromArray(F, x, 32 * b + 24);
            FloatVector s0 = quants(block, 0).mul(x0);
            s0 = quants(block, 8).fma(x1, s0);
            s0 = quants(block, 16).fma(x2, s0);
            s0 = quants(block, 24).fma(x3, s0);
            FloatVector s1 = quants(other, 0).mul(x0);
            s1 = quants(other, 8).fma(x1, s1);
            s1 = quants(other, 16).fma(x2, s1);
            s1 = quants(other, 24).fma(x3, s1);
            acc0 = s0.fma(FloatVector.broadcast(F, f16(block)), acc0);
            acc1 = s1.fma(FloatVector.broadcast(F, f16(other)), acc1);
        }
        scratch[0] = touched;
        out[outIndex] = acc0.reduceLanes(VectorOperators.ADD);
        out[outIndex + outStride] = acc1.reduceLanes(VectorOperators.ADD);
    }

    @Override
    protected boolean hasFourVectorKernel() {
        return true;
    }

    /**
     * Two rows' blocks converted and scaled by d once, each then times every vector: one core in cache 2.2 times one
     * vector's time for four (16 lanes), where the dequantized tiles took 4.1.
     */
    @Override
    protected void dotRowFourVectors(long firstBlock, long rowStride, MatmulInput in, int count, float[] out, int outIndex, int outStride) {
        int blocks = in.width() / 32, width = in.width();
        float[] x = in.values;
        int x1 = width, x2 = 2 * width, x3 = (count - 1) * width;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        long otherBytes = rowStride * BLOCK_BYTES;
        for (int b = 0; b < blocks; b++) {
            long block = (firstBlock + b) * BLOCK_BYTES, other = block + otherBytes;
            FloatVector dA = FloatVector.broadcast(F, f16(block)), dB = FloatVector.broadcast(F, f16(other));
            for (int j = 0; j < 32; j += F.length()) {
                FloatVector wA = quants(block, j).mul(dA), wB = quants(other, j).mul(dB);
                int at = 32 * b + j;
                FloatVector v = FloatVector.fromArray(F, x, at);
                a0 = wA.fma(v, a0);
                b0 = wB.fma(v, b0);
                v = FloatVector.fromArray(F, x, x1 + at);
                a1 = wA.fma(v, a1);
                b1 = wB.fma(v, b1);
                v = FloatVector.fromArray(F, x, x2 + at);
                a2 = wA.fma(v, a2);
                b2 = wB.fma(v, b2);
                v = FloatVector.fromArray(F, x, x3 + at);
                a3 = wA.fma(v, a3);
                b3 = wB.fma(v, b3);
            }
        }
        int last = (count - 1) * outStride;
        out[outIndex] = a0.reduceLanes(VectorOperators.ADD);
        out[outIndex + outStride] = a1.reduceLanes(VectorOperators.ADD);
        out[outIndex + 2 * outStride] = a2.reduceLanes(VectorOperators.ADD);
        out[outIndex + last] = a3.reduceLanes(VectorOperators.ADD);
        if (rowStride != 0) {
            out[outIndex + 1] = b0.reduceLanes(VectorOperators.ADD);
            out[outIndex + outStride + 1] = b1.reduceLanes(VectorOperators.ADD);
            out[outIndex + 2 * outStride + 1] = b2.reduceLanes(VectorOperators.ADD);
            out[outIndex + last + 1] = b3.reduceLanes(VectorOperators.ADD);
        }
    }

    /** The int8 values j to j + lanes of a block, as floats. */
    private FloatVector quants(long block, int j) {
        return (FloatVector) ByteVector.fromMemorySegment(BQ, data, block + 2 + j, LE).convertShape(VectorOperators.B2F, F, 0);
    }

    /**
     * Quantizes {@code blocks} blocks as the reference does ({@code quantize_row_q8_0_ref}): d = max|x|/127, codes
     * x·(1/d) rounded half away from zero.
     */
    static void quantize(float[] src, int srcOffset, int blocks, byte[] dst, int dstOffset) {
        for (int b = 0; b < blocks; b++) {
            int from = srcOffset + 32 * b, at = dstOffset + BLOCK_BYTES * b;
            float amax = Quantizers.maxMagnitude(src, from, 32);
            float d = amax / 127f;
            float inverse = d != 0f ? 1f / d : 0f;
            Quantizers.putShort(dst, at, Float.floatToFloat16(d));
            for (int j = 0; j < 32; j++) {
                dst[at + 2 + j] = (byte) Quantizers.roundHalfAway(src[from + j] * inverse);
            }
        }
    }
}
