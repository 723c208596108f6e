package dev.jollama.engine.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

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

    @Override
    protected void dequantize(long firstBlock, int blocks, float[] dst, int dstOffset) {
        for (int b = 0; b < blocks; b++) {
            long block = (firstBlock + b) * BLOCK_BYTES;
            float d = f16(block);
            float dmin = f16(block + 2);
            for (int group = 0; group < 4; group++) {
                FloatVector lowScale = FloatVector.broadcast(F, d * KQuantScales.scale(data, block + 4, 2 * group));
                FloatVector lowMin = FloatVector.broadcast(F, dmin * KQuantScales.min(data, block + 4, 2 * group));
                FloatVector highScale = FloatVector.broadcast(F, d * KQuantScales.scale(data, block + 4, 2 * group + 1));
                FloatVector highMin = FloatVector.broadcast(F, dmin * KQuantScales.min(data, block + 4, 2 * group + 1));
                for (int j = 0; j < 32; j += F.length()) {
                    IntVector packed = packed(block, group, j);
                    int at = dstOffset + b * 256 + group * 64 + j;
                    low(packed).mul(lowScale).sub(lowMin).intoArray(dst, at);
                    high(packed).mul(highScale).sub(highMin).intoArray(dst, at + 32);
                }
            }
        }
    }

    /**
     * Per 32-value sub-block, the nibbles times x and the sum of x in float lanes; then the sub-block's scale and
     * min apply once each: Σ (d·sc·q - dmin·m)·x = d·sc·Σ q·x - dmin·m·Σ x.
     */
    @Override
    protected float dotRow(long firstBlock, int blocks, float[] x, float[] scratch) {
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long block = (firstBlock + b) * BLOCK_BYTES;
            float d = f16(block);
            float dmin = f16(block + 2);
            for (int group = 0; group < 4; group++) {
                int x0 = b * 256 + group * 64;
                FloatVector lowDot = FloatVector.zero(F), highDot = lowDot, lowSum = lowDot, highSum = lowDot;
                for (int j = 0; j < 32; j += F.length()) {
                    IntVector packed = packed(block, group, j);
                    FloatVector xl = FloatVector.fromArray(F, x, x0 + j);
                    FloatVector xh = FloatVector.fromArray(F, x, x0 + 32 + j);
                    lowDot = low(packed).fma(xl, lowDot);
                    highDot = high(packed).fma(xh, highDot);
                    lowSum = lowSum.add(xl);
                    highSum = highSum.add(xh);
                }
                acc = lowDot.fma(FloatVector.broadcast(F, d * KQuantScales.scale(data, block + 4, 2 * group)), acc);
                acc = highDot.fma(FloatVector.broadcast(F, d * KQuantScales.scale(data, block + 4, 2 * group + 1)), acc);
                acc = lowSum.fma(FloatVector.broadcast(F, -dmin * KQuantScales.min(data, block + 4, 2 * group)), acc);
                acc = highSum.fma(FloatVector.broadcast(F, -dmin * KQuantScales.min(data, block + 4, 2 * group + 1)), acc);
            }
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    /** Bytes j to j + lanes of a group's nibbles, zero-extended. */
    private IntVector packed(long block, int group, int j) {
        return (IntVector) ByteVector.fromMemorySegment(BQ, data, block + 16 + 32 * group + j, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
    }

    private static FloatVector low(IntVector packed) {
        return (FloatVector) packed.and(0xf).convert(VectorOperators.I2F, 0);
    }

    private static FloatVector high(IntVector packed) {
        return (FloatVector) packed.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0);
    }
}
