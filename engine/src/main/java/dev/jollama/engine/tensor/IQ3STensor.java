package dev.jollama.engine.tensor;

import dev.jollama.engine.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/**
 * IQ3_S: super-blocks of 256 values in 110 bytes: fp16 d, qs[64], qh[8], signs[32], scales[4]. Values 8k..8k+7 of
 * group b come from two entries of {@link IqGrids#IQ3S} (4 values each), indexed by qs[8b + 2k] and qs[8b + 2k + 1]
 * with bits 2k and 2k + 1 of qh[b] as their ninth bits, and take all eight signs from the byte signs[4b + k]. The
 * group's scale s is nibble b % 2 of scales[b / 2]: w = d·(1 + 2s)·grid·sign.
 */
public final class IQ3STensor extends FloatTensor {
    private static final int BLOCK_BYTES = 110;

    IQ3STensor(MemorySegment data, long size) {
        super(data, size);
    }

    @Override
    public GgmlType type() {
        return GgmlType.IQ3_S;
    }

    /** The factor of group g, computed in float32 as the reference does. */
    private float scale(long block, float d, int g) {
        return d * (1 + 2 * (uint8(block + 106 + g / 2) >>> 4 * (g % 2) & 15));
    }

    /** Entry 2k + e of group g: its index byte and its ninth bit. */
    private int entry(long block, int g, int k, int e) {
        int index = uint8(block + 2 + 8 * g + 2 * k + e) | (uint8(block + 66 + g) >>> (2 * k + e) & 1) << 8;
        return IqGrids.IQ3S[index];
    }

    /** Values 8k..8k+7 of group g: two grid entries as one. */
    private long grid(long block, int g, int k) {
        return IqEntries.pair(entry(block, g, k, 0), entry(block, g, k, 1));
    }

    private int signs(long block, int g, int k) {
        return uint8(block + 74 + 4 * g + k);
    }

    @Override
    public float getFloat(long index) {
        long block = (index / 256) * BLOCK_BYTES;
        int i = (int) (index % 256);
        int g = i / 32, k = (i % 32) / 8;
        return IqEntries.signedValue(grid(block, g, k), signs(block, g, k), i % 8, scale(block, f16(block), g));
    }

    @Override
    protected float dotBlocks(long firstBlock, float[] x, int xOffset, int blockCount) {
        return IqEntries.dot(firstBlock, BLOCK_BYTES, blockCount, x, xOffset, 4, (block, g, k) -> scale(block, f16(block), g),
                (sum, block, g, k, xs, at) -> IqEntries.signedDot(sum, grid(block, g, k), signs(block, g, k), xs, at));
    }

    @Override
    protected void dequantize(long firstBlock, int blocks, float[] dst, int dstOffset) {
        for (int b = 0; b < blocks; b++) {
            long block = (firstBlock + b) * BLOCK_BYTES;
            float d = f16(block);
            for (int g = 0; g < 8; g++) {
                float scale = scale(block, d, g);
                int at = dstOffset + 256 * b + 32 * g;
                for (int k = 0; k < 4; k += 2) {
                    IqEntries.magnitudes(grid(block, g, k), grid(block, g, k + 1), signs(block, g, k) | signs(block, g, k + 1) << 8, scale, dst, at + 8 * k);
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
