package dev.jollama.engine.tensor;

import jdk.incubator.vector.IntVector;
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

    /**
     * Half to float by bit arithmetic (the Vector API has no half-precision conversion): the exponent and mantissa
     * shifted into float position and scaled by 2^112 rebias normal and subnormal values exactly; infinities and
     * NaNs, which weights do not hold, come out as large finite values.
     */
    @Override
    protected void dequantize(long firstBlock, int blocks, float[] dst, int dstOffset) {
        int bound = I.loopBound(blocks);
        int i = 0;
        for (; i < bound; i += I.length()) {
            IntVector h = (IntVector) ShortVector.fromMemorySegment(SH, data, (firstBlock + i) * 2, LE).convertShape(VectorOperators.S2I, I, 0);
            IntVector magnitude = h.and(0x7fff).lanewise(VectorOperators.LSHL, 13);
            IntVector scaled = magnitude.reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts();
            scaled.or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats().intoArray(dst, dstOffset + i);
        }
        for (; i < blocks; i++) {
            dst[dstOffset + i] = f16((firstBlock + i) * 2);
        }
    }

    /** Writes {@code n} values as fp16 (round to nearest even). */
    static void quantize(float[] src, int srcOffset, int n, byte[] dst, int dstOffset) {
        for (int i = 0; i < n; i++) {
            Quantizers.putShort(dst, dstOffset + 2 * i, Float.floatToFloat16(src[srcOffset + i]));
        }
    }
}
