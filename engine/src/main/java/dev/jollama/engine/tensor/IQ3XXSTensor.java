package dev.jollama.engine.tensor;

import dev.jollama.engine.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/**
 * IQ3_XXS: super-blocks of 256 values in 98 bytes: fp16 d, qs[64] (indices into {@link IqGrids#IQ3XXS}, 4 values
 * each), then a uint32 u per 32 values (at byte 66 + 4b). Values 8k..8k+7 of group b come from the entries qs[8b + 2k]
 * and qs[8b + 2k + 1], with the signs of bits 7k..7k+6 of u as in IQ2_XXS; w = d·(0.5 + (u >> 28))·0.5·grid·sign.
 */
public final class IQ3XXSTensor extends FloatTensor {
    private static final int BLOCK_BYTES = 98;

    IQ3XXSTensor(MemorySegment data, long size) {
        super(data, size);
    }

    @Override
    public GgmlType type() {
        return GgmlType.IQ3_XXS;
    }

    /** The factor of a group whose uint32 is u, computed in float32 as the reference does. */
    private static float scale(float d, int u) {
        return d * (0.5f + (u >>> 28)) * 0.5f;
    }

    private int word(long block, int g) {
        return data.get(INT_LE, block + 66 + 4 * g);
    }

    /** Values 8k..8k+7 of group g: two grid entries as one. */
    private long grid(long block, int g, int k) {
        long qs = block + 2 + 8 * g + 2 * k;
        return IqEntries.pair(IqGrids.IQ3XXS[uint8(qs)], IqGrids.IQ3XXS[uint8(qs + 1)]);
    }

    @Override
    public float getFloat(long index) {
        long block = (index / 256) * BLOCK_BYTES;
        int i = (int) (index % 256);
        int g = i / 32, k = (i % 32) / 8;
        int u = word(block, g);
        return IqEntries.signedValue(grid(block, g, k), IQ2XXSTensor.signByte(u >>> 7 * k), i % 8, scale(f16(block), u));
    }

    @Override
    protected float dotBlocks(long firstBlock, float[] x, int xOffset, int blockCount) {
        return IqEntries.dot(firstBlock, BLOCK_BYTES, blockCount, x, xOffset, 4, (block, g, k) -> scale(f16(block), word(block, g)),
                (sum, block, g, k, xs, at) -> IqEntries.signedDot(sum, grid(block, g, k), IQ2XXSTensor.signByte(word(block, g) >>> 7 * k), xs, at));
    }

    @Override
    protected void dequantize(long firstBlock, int blocks, float[] dst, int dstOffset) {
        for (int b = 0; b < blocks; b++) {
            long block = (firstBlock + b) * BLOCK_BYTES;
            float d = f16(block);
            for (int g = 0; g < 8; g++) {
                int u = word(block, g);
                float scale = scale(d, u);
                int at = dstOffset + 256 * b + 32 * g;
                for (int k = 0; k < 4; k += 2) {
                    IqEntries.magnitudes(grid(block, g, k), grid(block, g, k + 1),
                            IQ2XXSTensor.signByte(u >>> 7 * k) | IQ2XXSTensor.signByte(u >>> 7 * (k + 1)) << 8, scale, dst, at + 8 * k);
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
