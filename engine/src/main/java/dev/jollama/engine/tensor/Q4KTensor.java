package dev.jollama.engine.tensor;

import java.lang.foreign.MemorySegment;

/**
 * Q4_K: super-blocks of 256 values in 144 bytes: fp16 d, fp16 dmin, 12 bytes of 6-bit scales and mins
 * ({@link KQuantScales}), 128 bytes of nibbles. Group g (64 values) reads bytes 32g..32g+31: low nibbles form
 * sub-block 2g, high nibbles sub-block 2g+1; w = d·scale·q - dmin·min.
 */
public final class Q4KTensor extends FloatTensor {
    private static final int BLOCK_BYTES = 144;

    Q4KTensor(MemorySegment data, long size) {
        super(data, size);
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q4_K;
    }

    @Override
    public float getFloat(long index) {
        long block = (index / 256) * BLOCK_BYTES;
        int i = (int) (index % 256);
        int group = i / 64;
        boolean high = (i % 64) >= 32;
        int subBlock = 2 * group + (high ? 1 : 0);
        int packed = uint8(block + 16 + 32 * group + i % 32);
        int q = high ? packed >>> 4 : packed & 0xF;
        return f16(block) * KQuantScales.scale(data, block + 4, subBlock) * q
                - f16(block + 2) * KQuantScales.min(data, block + 4, subBlock);
    }

    @Override
    protected float dotBlocks(long firstBlock, float[] x, int xOffset, int blockCount) {
        float sum = 0f;
        for (int b = 0; b < blockCount; b++) {
            long block = (firstBlock + b) * BLOCK_BYTES;
            float d = f16(block);
            float dmin = f16(block + 2);
            for (int group = 0; group < 4; group++) {
                int xg = xOffset + b * 256 + group * 64;
                long qs = block + 16 + 32 * group;
                float lowDot = 0f, highDot = 0f, lowSum = 0f, highSum = 0f;
                for (int l = 0; l < 32; l++) {
                    int packed = uint8(qs + l);
                    float xl = x[xg + l], xh = x[xg + 32 + l];
                    lowDot += (packed & 0xF) * xl;
                    highDot += (packed >>> 4) * xh;
                    lowSum += xl;
                    highSum += xh;
                }
                sum += d * (KQuantScales.scale(data, block + 4, 2 * group) * lowDot
                        + KQuantScales.scale(data, block + 4, 2 * group + 1) * highDot)
                        - dmin * (KQuantScales.min(data, block + 4, 2 * group) * lowSum
                        + KQuantScales.min(data, block + 4, 2 * group + 1) * highSum);
            }
        }
        return sum;
    }
}
