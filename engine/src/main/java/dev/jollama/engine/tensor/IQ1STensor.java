package dev.jollama.engine.tensor;

import dev.jollama.engine.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/**
 * IQ1_S: super-blocks of 256 values in 50 bytes: fp16 d, qs[32], then a uint16 h per 32 values (at byte 34 + 2b).
 * Entry k of group b (values 32b + 8k..+7) indexes {@link IqGrids#IQ1S} (values from {-1, 0, 1}) with qs[4b + k] and
 * bits 3k..3k+2 of h above it; the group's factor is d·(2·((h >> 12) & 7) + 1) and its shift δ = -1/8 when bit 15 of h
 * is set, else +1/8: w = factor·(grid + δ).
 */
public final class IQ1STensor extends FloatTensor {
    private static final int BLOCK_BYTES = 50;
    static final float DELTA = 0.125f;

    IQ1STensor(MemorySegment data, long size) {
        super(data, size);
    }

    @Override
    public GgmlType type() {
        return GgmlType.IQ1_S;
    }

    private int high(long block, int g) {
        return Short.toUnsignedInt(data.get(SHORT_LE, block + 34 + 2 * g));
    }

    /** The factor of a group with high bits h, computed in float32 as the reference does. */
    private static float scale(float d, int h) {
        return d * (2 * (h >>> 12 & 7) + 1);
    }

    private static float delta(int h) {
        return (h & 0x8000) != 0 ? -DELTA : DELTA;
    }

    private long grid(long block, int g, int k, int h) {
        return IqGrids.IQ1S[uint8(block + 2 + 4 * g + k) | (h >>> 3 * k & 7) << 8];
    }

    @Override
    public float getFloat(long index) {
        long block = (index / 256) * BLOCK_BYTES;
        int i = (int) (index % 256);
        int g = i / 32;
        int h = high(block, g);
        return IqEntries.levelValue(grid(block, g, (i % 32) / 8, h), delta(h), i % 8, scale(f16(block), h));
    }

    @Override
    protected float dotBlocks(long firstBlock, float[] x, int xOffset, int blockCount) {
        return IqEntries.dot(firstBlock, BLOCK_BYTES, blockCount, x, xOffset, 4, (block, g, k) -> scale(f16(block), high(block, g)),
                (sum, block, g, k, xs, at) -> {
                    int h = high(block, g);
                    return IqEntries.levelDot(sum, grid(block, g, k, h), delta(h), xs, at);
                });
    }

    @Override
    protected void dequantize(long firstBlock, int blocks, float[] dst, int dstOffset) {
        for (int b = 0; b < blocks; b++) {
            long block = (firstBlock + b) * BLOCK_BYTES;
            float d = f16(block);
            for (int g = 0; g < 8; g++) {
                int h = high(block, g);
                float scale = scale(d, h), delta = delta(h);
                int at = dstOffset + 256 * b + 32 * g;
                for (int k = 0; k < 4; k += 2) {
                    IqEntries.levels(grid(block, g, k, h), grid(block, g, k + 1, h), delta, delta, scale, dst, at + 8 * k);
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
