package dev.jollama.engine.tensor;

import dev.jollama.engine.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/**
 * IQ1_M: super-blocks of 256 values in 56 bytes: qs[32], qh[16], then four uint16 s0..s3 that hold 3-bit scales and,
 * in their top nibbles, the fp16 super-scale d ((s0 >> 12) | (s1 >> 8 & 0xF0) | (s2 >> 4 & 0xF00) | (s3 & 0xF000)).
 * Entry k of group b (values 32b + 8k..+7) indexes {@link IqGrids#IQ1S} with qs[4b + k] and, above it, bits 0..2 of
 * nibble k % 2 of qh[2b + k / 2], whose bit 3 makes the shift δ = -1/8 (else +1/8). With t = s[b / 2] >> 6·(b % 2),
 * entries 0, 1 use d·(2·(t & 7) + 1) and entries 2, 3 d·(2·((t >> 3) & 7) + 1): w = factor·(grid + δ).
 */
public final class IQ1MTensor extends FloatTensor {
    private static final int BLOCK_BYTES = 56;

    IQ1MTensor(MemorySegment data, long size) {
        super(data, size);
    }

    @Override
    public GgmlType type() {
        return GgmlType.IQ1_M;
    }

    private int scaleWord(long block, int m) {
        return Short.toUnsignedInt(data.get(SHORT_LE, block + 48 + 2 * m));
    }

    /** The super-scale, assembled from the top nibbles of the four scale words. */
    private float superScale(long block) {
        int bits = scaleWord(block, 0) >>> 12 | scaleWord(block, 1) >>> 8 & 0xF0 | scaleWord(block, 2) >>> 4 & 0xF00 | scaleWord(block, 3) & 0xF000;
        return Float.float16ToFloat((short) bits);
    }

    /** The factor of the values 16·half.. of group g, computed in float32 as the reference does. */
    private float scale(long block, float d, int g, int half) {
        return scale(d, scaleWord(block, g / 2) >>> 6 * (g % 2) + 3 * half);
    }

    /** The factor for the three scale bits at the bottom of t. */
    private static float scale(float d, int t) {
        return d * (2 * (t & 7) + 1);
    }

    /** Entry k's nibble of qh: three high index bits and the sign of its shift. */
    private int nibble(long block, int g, int k) {
        return uint8(block + 32 + 2 * g + k / 2) >>> 4 * (k % 2) & 15;
    }

    private long grid(long block, int g, int k, int nibble) {
        return IqGrids.IQ1S[uint8(block + 4 * g + k) | (nibble & 7) << 8];
    }

    private static float delta(int nibble) {
        return (nibble & 8) != 0 ? -IQ1STensor.DELTA : IQ1STensor.DELTA;
    }

    @Override
    public float getFloat(long index) {
        long block = (index / 256) * BLOCK_BYTES;
        int i = (int) (index % 256);
        int g = i / 32, k = (i % 32) / 8;
        int nibble = nibble(block, g, k);
        return IqEntries.levelValue(grid(block, g, k, nibble), delta(nibble), i % 8, scale(block, superScale(block), g, k / 2));
    }

    @Override
    protected float dotBlocks(long firstBlock, float[] x, int xOffset, int blockCount) {
        return IqEntries.dot(firstBlock, BLOCK_BYTES, blockCount, x, xOffset, 2, (block, g, k) -> scale(block, superScale(block), g, k / 2),
                (sum, block, g, k, xs, at) -> {
                    int nibble = nibble(block, g, k);
                    return IqEntries.levelDot(sum, grid(block, g, k, nibble), delta(nibble), xs, at);
                });
    }

    @Override
    protected void dequantize(long firstBlock, int blocks, float[] dst, int dstOffset) {
        for (int b = 0; b < blocks; b++) {
            long block = (firstBlock + b) * BLOCK_BYTES;
            float d = superScale(block);
            for (int g = 0; g < 8; g++) {
                int t = scaleWord(block, g / 2) >>> 6 * (g % 2);
                float low = scale(d, t), high = scale(d, t >>> 3);
                // qh[2g] and qh[2g + 1] as one little-endian word: entry k's nibble is bits 4k..4k+3.
                int nibbles = data.get(SHORT_LE, block + 32 + 2 * g);
                int at = dstOffset + 256 * b + 32 * g;
                for (int k = 0; k < 4; k += 2) {
                    int first = nibbles >>> 4 * k & 15, second = nibbles >>> 4 * (k + 1) & 15;
                    IqEntries.levels(grid(block, g, k, first), grid(block, g, k + 1, second), delta(first), delta(second),
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
