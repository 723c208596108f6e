package dev.jollama.engine.tensor;

import dev.jollama.engine.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/**
 * IQ2_S: super-blocks of 256 values in 82 bytes: fp16 d, qs[64], qh[8], scales[8]. Entry k of group b (values
 * 32b + 8k..+7) indexes {@link IqGrids#IQ2S} with qs[4b + k] and bits 2k, 2k + 1 of qh[b] above them, and takes all
 * eight signs from the byte qs[32 + 4b + k]; scales as IQ2_XS (nibble per 16 values): w = d·(0.5 + s)·0.25·grid·sign.
 */
public final class IQ2STensor extends FloatTensor {
    private static final int BLOCK_BYTES = 82;

    IQ2STensor(MemorySegment data, long size) {
        super(data, size);
    }

    @Override
    public GgmlType type() {
        return GgmlType.IQ2_S;
    }

    /** The factor of the values 16·half.. of group g, computed in float32 as the reference does. */
    private float scale(long block, float d, int g, int half) {
        return IQ2XXSTensor.factor(d, uint8(block + 74 + g) >>> 4 * half & 15);
    }

    private long grid(long block, int g, int k) {
        return IqGrids.IQ2S[uint8(block + 2 + 4 * g + k) | (uint8(block + 66 + g) >>> 2 * k & 3) << 8];
    }

    private int signs(long block, int g, int k) {
        return uint8(block + 34 + 4 * g + k);
    }

    @Override
    public float getFloat(long index) {
        long block = (index / 256) * BLOCK_BYTES;
        int i = (int) (index % 256);
        int g = i / 32, k = (i % 32) / 8;
        return IqEntries.signedValue(grid(block, g, k), signs(block, g, k), i % 8, scale(block, f16(block), g, k / 2));
    }

    @Override
    protected float dotBlocks(long firstBlock, float[] x, int xOffset, int blockCount) {
        return IqEntries.dot(firstBlock, BLOCK_BYTES, blockCount, x, xOffset, 2, (block, g, k) -> scale(block, f16(block), g, k / 2),
                (sum, block, g, k, xs, at) -> IqEntries.signedDot(sum, grid(block, g, k), signs(block, g, k), xs, at));
    }

    @Override
    protected void dequantize(long firstBlock, int blocks, float[] dst, int dstOffset) {
        for (int b = 0; b < blocks; b++) {
            long block = (firstBlock + b) * BLOCK_BYTES;
            float d = f16(block);
            for (int g = 0; g < 8; g++) {
                int scales = uint8(block + 74 + g);
                float low = IQ2XXSTensor.factor(d, scales & 15), high = IQ2XXSTensor.factor(d, scales >>> 4);
                int at = dstOffset + 256 * b + 32 * g;
                for (int k = 0; k < 4; k += 2) {
                    IqEntries.magnitudes(grid(block, g, k), grid(block, g, k + 1), signs(block, g, k) | signs(block, g, k + 1) << 8,
                            k < 2 ? low : high, dst, at + 8 * k);
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
