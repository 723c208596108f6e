package dev.jollama.engine.tensor;

import java.lang.foreign.MemorySegment;

/** Q8_0: blocks of 32 values in 34 bytes, an fp16 scale d then 32 signed bytes; w = q·d. */
public final class Q8_0Tensor extends FloatTensor {
    private static final int BLOCK_BYTES = 34;

    Q8_0Tensor(MemorySegment data, long size) {
        super(data, size);
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q8_0;
    }

    @Override
    public float getFloat(long index) {
        long block = (index / 32) * BLOCK_BYTES;
        return int8(block + 2 + index % 32) * f16(block);
    }

    @Override
    protected float dotBlocks(long firstBlock, float[] x, int xOffset, int blockCount) {
        float sum = 0f;
        for (int b = 0; b < blockCount; b++) {
            long block = (firstBlock + b) * BLOCK_BYTES;
            int xb = xOffset + b * 32;
            float blockSum = 0f;
            for (int j = 0; j < 32; j++) {
                blockSum += int8(block + 2 + j) * x[xb + j];
            }
            sum += blockSum * f16(block);
        }
        return sum;
    }
}
