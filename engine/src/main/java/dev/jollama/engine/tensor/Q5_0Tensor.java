package dev.jollama.engine.tensor;

import java.lang.foreign.MemorySegment;

/**
 * Q5_0: blocks of 32 values in 22 bytes: fp16 scale d, 32 high bits (uint32 qh), 16 bytes of low nibbles.
 * Value j takes nibble j as in Q4_0 plus bit j of qh as its fifth bit; w = (q - 16)·d.
 */
public final class Q5_0Tensor extends FloatTensor {
    private static final int BLOCK_BYTES = 22;

    Q5_0Tensor(MemorySegment data, long size) {
        super(data, size);
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q5_0;
    }

    @Override
    public float getFloat(long index) {
        long block = (index / 32) * BLOCK_BYTES;
        int j = (int) (index % 32);
        int highBits = data.get(INT_LE, block + 2);
        int packed = uint8(block + 6 + (j & 15));
        int nibble = j < 16 ? packed & 0xF : packed >>> 4;
        return ((nibble | ((highBits >>> j) & 1) << 4) - 16) * f16(block);
    }

    @Override
    protected float dotBlocks(long firstBlock, float[] x, int xOffset, int blockCount) {
        float sum = 0f;
        for (int b = 0; b < blockCount; b++) {
            long block = (firstBlock + b) * BLOCK_BYTES;
            int xb = xOffset + b * 32;
            int highBits = data.get(INT_LE, block + 2);
            float blockSum = 0f;
            for (int j = 0; j < 16; j++) {
                int packed = uint8(block + 6 + j);
                int low = (packed & 0xF) | ((highBits >>> j) & 1) << 4;
                int high = (packed >>> 4) | ((highBits >>> (j + 16)) & 1) << 4;
                blockSum += (low - 16) * x[xb + j] + (high - 16) * x[xb + j + 16];
            }
            sum += blockSum * f16(block);
        }
        return sum;
    }

    @Override
    protected void dequantize(long firstBlock, int blocks, float[] dst, int dstOffset) {
        for (int b = 0; b < blocks; b++) {
            long block = (firstBlock + b) * BLOCK_BYTES;
            float d = f16(block);
            int highBits = data.get(INT_LE, block + 2);
            int at = dstOffset + b * 32;
            for (int j = 0; j < 16; j++) {
                int packed = uint8(block + 6 + j);
                dst[at + j] = (((packed & 0xF) | ((highBits >>> j) & 1) << 4) - 16) * d;
                dst[at + j + 16] = (((packed >>> 4) | ((highBits >>> (j + 16)) & 1) << 4) - 16) * d;
            }
        }
    }
}
