package dev.jollama.engine.tensor;

import dev.jollama.engine.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/**
 * IQ2_XS: super-blocks of 256 values in 74 bytes: fp16 d, 32 uint16 (entry k of group b at byte 2 + 8b + 2k: the low
 * 9 bits index {@link IqGrids#IQ2XS}, the high 7 are signs as in IQ2_XXS), then a byte of scales per 32 values (the
 * low nibble s for the first 16, the high for the last 16); w = d·(0.5 + s)·0.25·grid·sign.
 */
public final class IQ2XSTensor extends FloatTensor {
    private static final int BLOCK_BYTES = 74;

    IQ2XSTensor(MemorySegment data, long size) {
        super(data, size);
    }

    @Override
    public GgmlType type() {
        return GgmlType.IQ2_XS;
    }

    /** The factor of the values 16·half.. of group g, computed in float32 as the reference does. */
    private float scale(long block, float d, int g, int half) {
        return IQ2XXSTensor.factor(d, uint8(block + 66 + g) >>> 4 * half & 15);
    }

    private int entry(long block, int g, int k) {
        return Short.toUnsignedInt(data.get(SHORT_LE, block + 2 + 8 * g + 2 * k));
    }

    @Override
    public float getFloat(long index) {
        long block = (index / 256) * BLOCK_BYTES;
        int i = (int) (index % 256);
        int g = i / 32, k = (i % 32) / 8;
        int entry = entry(block, g, k);
        return IqEntries.signedValue(IqGrids.IQ2XS[entry & 511], IQ2XXSTensor.signByte(entry >>> 9), i % 8, scale(block, f16(block), g, k / 2));
    }

    @Override
    protected float dotBlocks(long firstBlock, float[] x, int xOffset, int blockCount) {
        return IqEntries.dot(firstBlock, BLOCK_BYTES, blockCount, x, xOffset, 2, (block, g, k) -> scale(block, f16(block), g, k / 2),
                (sum, block, g, k, xs, at) -> {
                    int entry = entry(block, g, k);
                    return IqEntries.signedDot(sum, IqGrids.IQ2XS[entry & 511], IQ2XXSTensor.signByte(entry >>> 9), xs, at);
                });
    }

    @Override
    protected void dequantize(long firstBlock, int blocks, float[] dst, int dstOffset) {
        for (int b = 0; b < blocks; b++) {
            long block = (firstBlock + b) * BLOCK_BYTES;
            float d = f16(block);
            for (int g = 0; g < 8; g++) {
                int scales = uint8(block + 66 + g);
                float low = IQ2XXSTensor.factor(d, scales & 15), high = IQ2XXSTensor.factor(d, scales >>> 4);
                int at = dstOffset + 256 * b + 32 * g;
                for (int k = 0; k < 4; k += 2) {
                    int first = entry(block, g, k), second = entry(block, g, k + 1);
                    IqEntries.magnitudes(IqGrids.IQ2XS[first & 511], IqGrids.IQ2XS[second & 511],
                            IQ2XXSTensor.signByte(first >>> 9) | IQ2XXSTensor.signByte(second >>> 9) << 8, k < 2 ? low : high, dst, at + 8 * k);
                }
            }
        }
    }

    /** What the default does, in this class so that the call of dequantize is bound to this type (see Q5_0Tensor). */
    @Override
    protected void dotRows(long firstBlock, long rowStride, int blocks, MatmulInput in, float[] out, int outIndex, int outStride, float[] scratch) {
        dequantize(firstBlock, blocks, scratch, 0);
        out[outIndex] = FloatKernels.dot(scratch, 0, in.values, 0, blocks * 256);
    }
}
