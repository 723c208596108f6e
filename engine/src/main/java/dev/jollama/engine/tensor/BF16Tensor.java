package dev.jollama.engine.tensor;

import dev.jollama.engine.gguf.GgmlType;

import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;

/** bfloat16: the upper 16 bits of a 32-bit float. */
public final class BF16Tensor extends FloatTensor {
    BF16Tensor(MemorySegment data, long size) {
        super(data, size);
    }

    @Override
    public GgmlType type() {
        return GgmlType.BF16;
    }

    @Override
    public float getFloat(long index) {
        return bf16(index * 2);
    }

    private float bf16(long byteOffset) {
        return Float.intBitsToFloat(data.get(SHORT_LE, byteOffset) << 16);
    }

    @Override
    protected float dotBlocks(long firstBlock, float[] x, int xOffset, int blockCount) {
        float sum = 0f;
        for (int i = 0; i < blockCount; i++) {
            sum += bf16((firstBlock + i) * 2) * x[xOffset + i];
        }
        return sum;
    }

    @Override
    protected void dequantize(long firstBlock, int blocks, float[] dst, int dstOffset) {
        int bound = I.loopBound(blocks);
        int i = 0;
        for (; i < bound; i += I.length()) {
            ((IntVector) ShortVector.fromMemorySegment(SH, data, (firstBlock + i) * 2, LE).convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().intoArray(dst, dstOffset + i);
        }
        for (; i < blocks; i++) {
            dst[dstOffset + i] = bf16((firstBlock + i) * 2);
        }
    }

    /**
     * Writes {@code n} values as bf16 as the reference does ({@code ggml_compute_fp32_to_bf16}): round to nearest
     * even, NaN kept quiet.
     */
    static void quantize(float[] src, int srcOffset, int n, byte[] dst, int dstOffset) {
        for (int i = 0; i < n; i++) {
            int bits = Float.floatToRawIntBits(src[srcOffset + i]);
            int bf16 = (bits & 0x7fffffff) > 0x7f800000 ? (bits >>> 16) | 64 : (bits + (0x7fff + ((bits >>> 16) & 1))) >>> 16;
            Quantizers.putShort(dst, dstOffset + 2 * i, (short) bf16);
        }
    }
}
