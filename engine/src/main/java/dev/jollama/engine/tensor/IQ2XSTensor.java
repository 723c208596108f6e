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
        return scale(d, uint8(block + 66 + g) >>> 4 * half & 15);
    }

    private static float scale(float d, int s) {
        return d * (0.5f + s) * 0.25f;
    }

    private int entry(long block, int g, int k) {
        return Short.toUnsignedInt(data.get(SHORT_LE, block + 2 + 8 * g + 2 * k));
    }

    @Override
    public float getFloat(long index) {
        long block = (index / 256) * BLOCK_BYTES;
        int i = (int) (index % 256);
        int g = i / 32, k = (i % 32) / 8, j = i % 8;
        int entry = entry(block, g, k);
        int magnitude = (int) (IqGrids.IQ2XS[entry & 511] >>> 8 * j) & 0xff;
        float value = scale(block, f16(block), g, k / 2) * magnitude;
        return (IQ2XXSTensor.signByte(entry >>> 9) >>> j & 1) != 0 ? -value : value;
    }

    @Override
    protected float dotBlocks(long firstBlock, float[] x, int xOffset, int blockCount) {
        float sum = 0f;
        for (int b = 0; b < blockCount; b++) {
            long block = (firstBlock + b) * BLOCK_BYTES;
            float d = f16(block);
            for (int g = 0; g < 8; g++) {
                for (int half = 0; half < 2; half++) {
                    int xh = xOffset + 256 * b + 32 * g + 16 * half;
                    float halfSum = 0f;
                    for (int e = 0; e < 2; e++) {
                        int entry = entry(block, g, 2 * half + e);
                        long grid = IqGrids.IQ2XS[entry & 511];
                        int signs = IQ2XXSTensor.signByte(entry >>> 9);
                        for (int j = 0; j < 8; j++) {
                            int magnitude = (int) (grid >>> 8 * j) & 0xff;
                            halfSum += ((signs >>> j & 1) != 0 ? -magnitude : magnitude) * x[xh + 8 * e + j];
                        }
                    }
                    sum += scale(block, d, g, half) * halfSum;
                }
            }
        }
        return sum;
    }

    @Override
    protected void dequantize(long firstBlock, int blocks, float[] dst, int dstOffset) {
        for (int b = 0; b < blocks; b++) {
            long block = (firstBlock + b) * BLOCK_BYTES;
            float d = f16(block);
            for (int g = 0; g < 8; g++) {
                int scales = uint8(block + 66 + g);
                float low = scale(d, scales & 15), high = scale(d, scales >>> 4);
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
