package dev.jollama.engine.tensor;

import dev.jollama.engine.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/**
 * IQ2_XXS: super-blocks of 256 values in 66 bytes: fp16 d, then 8 bytes per 32 values (group b at byte 2 + 8b): four
 * indices into {@link IqGrids#IQ2XXS}, entry k giving values 8k..8k+7 of the group, and a uint32 u whose bits 7k..7k+6
 * are entry k's first seven signs ({@link #signByte}) and bits 28..31 the scale s; w = d·(0.5 + s)·0.25·grid·sign.
 */
public final class IQ2XXSTensor extends FloatTensor {
    private static final int BLOCK_BYTES = 66;

    IQ2XXSTensor(MemorySegment data, long size) {
        super(data, size);
    }

    @Override
    public GgmlType type() {
        return GgmlType.IQ2_XXS;
    }

    /**
     * The eight signs of an entry of IQ2_XXS, IQ2_XS or IQ3_XXS from the seven stored (the low bits of
     * {@code stored}): bit i set makes value i negative, and the eighth is set when the seven hold an odd count, so
     * that every entry has an even count of negative values.
     */
    static int signByte(int stored) {
        int seven = stored & 127;
        return seven | (Integer.bitCount(seven) & 1) << 7;
    }

    /** The factor of a 4-bit scale s of IQ2_XXS, IQ2_XS or IQ2_S, computed in float32 as the reference does. */
    static float factor(float d, int s) {
        return d * (0.5f + s) * 0.25f;
    }

    /** Group g's uint32 u. */
    private int word(long block, int g) {
        return data.get(INT_LE, block + 6 + 8 * g);
    }

    private long grid(long block, int g, int k) {
        return IqGrids.IQ2XXS[uint8(block + 2 + 8 * g + k)];
    }

    @Override
    public float getFloat(long index) {
        long block = (index / 256) * BLOCK_BYTES;
        int i = (int) (index % 256);
        int g = i / 32, k = (i % 32) / 8;
        int u = word(block, g);
        return IqEntries.signedValue(grid(block, g, k), signByte(u >>> 7 * k), i % 8, factor(f16(block), u >>> 28));
    }

    @Override
    protected float dotBlocks(long firstBlock, float[] x, int xOffset, int blockCount) {
        return IqEntries.dot(firstBlock, BLOCK_BYTES, blockCount, x, xOffset, 4, (block, g, k) -> factor(f16(block), word(block, g) >>> 28),
                (sum, block, g, k, xs, at) -> IqEntries.signedDot(sum, grid(block, g, k), signByte(word(block, g) >>> 7 * k), xs, at));
    }

    @Override
    protected void dequantize(long firstBlock, int blocks, float[] dst, int dstOffset) {
        for (int b = 0; b < blocks; b++) {
            long block = (firstBlock + b) * BLOCK_BYTES;
            float d = f16(block);
            for (int g = 0; g < 8; g++) {
                int u = word(block, g);
                float scale = factor(d, u >>> 28);
                int at = dstOffset + 256 * b + 32 * g;
                for (int k = 0; k < 4; k += 2) {
                    IqEntries.magnitudes(grid(block, g, k), grid(block, g, k + 1),
                            signByte(u >>> 7 * k) | signByte(u >>> 7 * (k + 1)) << 8, scale, dst, at + 8 * k);
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
