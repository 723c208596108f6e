package dev.jollama.engine.tensor;

import dev.jollama.engine.gguf.GgmlType;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;

/** IEEE half-precision floats. */
public final class F16Tensor extends FloatTensor {
    F16Tensor(MemorySegment data, long size) {
        super(data, size);
    }

    @Override
    public GgmlType type() {
        return GgmlType.F16;
    }

    @Override
    public float getFloat(long index) {
        return f16(index * 2);
    }

    @Override
    protected float dotBlocks(long firstBlock, float[] x, int xOffset, int blockCount) {
        float sum = 0f;
        for (int i = 0; i < blockCount; i++) {
            sum += f16((firstBlock + i) * 2) * x[xOffset + i];
        }
        return sum;
    }

    @Override
    protected void dequantize(long firstBlock, int blocks, float[] dst, int dstOffset) {
        int bound = F.loopBound(blocks);
        int i = 0;
        for (; i < bound; i += F.length()) {
            halves((firstBlock + i) * 2).intoArray(dst, dstOffset + i);
        }
        for (; i < blocks; i++) {
            dst[dstOffset + i] = f16((firstBlock + i) * 2);
        }
    }

    @Override
    protected int decodeRows() {
        return 4;
    }

    /**
     * Four rows side by side (see {@link FloatTensor#decodeRows}), a float vector's worth of values at a time,
     * converted and multiplied in registers; values past the last whole vector of a row go one by one.
     */
    @Override
    protected void dotRows(long firstBlock, long rowStride, int blocks, MatmulInput in, float[] out, int outIndex, int outStride, float[] scratch) {
        float[] x = in.values;
        FloatVector acc0 = FloatVector.zero(F), acc1 = acc0, acc2 = acc0, acc3 = acc0;
        long rowBytes = rowStride * 2;
        int bound = F.loopBound(blocks);
        for (int i = 0; i < bound; i += F.length()) {
            long at = (firstBlock + i) * 2;
            FloatVector xi = FloatVector.fromArray(F, x, i);
            acc0 = halves(at).fma(xi, acc0);
            acc1 = halves(at + rowBytes).fma(xi, acc1);
            acc2 = halves(at + 2 * rowBytes).fma(xi, acc2);
            acc3 = halves(at + 3 * rowBytes).fma(xi, acc3);
        }
        out[outIndex] = acc0.reduceLanes(VectorOperators.ADD) + dotBlocks(firstBlock + bound, x, bound, blocks - bound);
        out[outIndex + outStride] = acc1.reduceLanes(VectorOperators.ADD) + dotBlocks(firstBlock + rowStride + bound, x, bound, blocks - bound);
        out[outIndex + 2 * outStride] = acc2.reduceLanes(VectorOperators.ADD) + dotBlocks(firstBlock + 2 * rowStride + bound, x, bound, blocks - bound);
        out[outIndex + 3 * outStride] = acc3.reduceLanes(VectorOperators.ADD) + dotBlocks(firstBlock + 3 * rowStride + bound, x, bound, blocks - bound);
    }

    /** A float vector's worth of halves from {@code byteOffset}, widened in lanes ({@link F16Kernels#widened}). */
    private FloatVector halves(long byteOffset) {
        // widened halves are 2^-112 times their values
        return F16Kernels.widened(ShortVector.fromMemorySegment(SH, data, byteOffset, LE)).mul(0x1p112f);
    }

    /** Writes {@code n} values as fp16 (round to nearest even). */
    static void quantize(float[] src, int srcOffset, int n, byte[] dst, int dstOffset) {
        for (int i = 0; i < n; i++) {
            Quantizers.putShort(dst, dstOffset + 2 * i, Float.floatToFloat16(src[srcOffset + i]));
        }
    }
}
