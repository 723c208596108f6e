package dev.jollama.engine.tensor;

import java.lang.foreign.MemorySegment;

/**
 * Q4_0: blocks of 32 values in 18 bytes, an fp16 scale d then 16 bytes of nibbles. Value j (below 16) is the low
 * nibble of byte j, value j + 16 its high nibble; w = (nibble - 8)·d.
 */
public final class Q4_0Tensor extends FloatTensor {
    private static final int BLOCK_BYTES = 18;

    Q4_0Tensor(MemorySegment data, long size) {
        super(data, size);
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q4_0;
    }

    @Override
    public float getFloat(long index) {
        long block = (index / 32) * BLOCK_BYTES;
        int j = (int) (index % 32);
        int packed = uint8(block + 2 + (j & 15));
        int nibble = j < 16 ? packed & 0xF : packed >>> 4;
        return (nibble - 8) * f16(block);
    }

    @Override
    protected float dotBlocks(long firstBlock, float[] x, int xOffset, int blockCount) {
        float sum = 0f;
        for (int b = 0; b < blockCount; b++) {
            long block = (firstBlock + b) * BLOCK_BYTES;
            int xb = xOffset + b * 32;
            float blockSum = 0f;
            for (int j = 0; j < 16; j++) {
                int packed = uint8(block + 2 + j);
                blockSum += ((packed & 0xF) - 8) * x[xb + j] + ((packed >>> 4) - 8) * x[xb + j + 16];
            }
            sum += blockSum * f16(block);
        }
        return sum;
    }
}
