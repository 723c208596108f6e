package dev.jollama.engine.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;

/**
 * Q6_K: super-blocks of 256 values in 210 bytes: ql[128] (low 4 bits), qh[64] (high 2 bits), 16 signed 8-bit
 * scales (one per 16 values), then fp16 d. Each 128-value half uses 64 bytes of ql, 32 of qh and 8 scales; within a
 * half, quarter k (32 values) takes the low (k = 0, 1) or high (k = 2, 3) nibble of ql[l + 32·(k % 2)] and bits
 * 2k..2k+1 of qh[l]; w = d·scale·(q - 32).
 */
public final class Q6KTensor extends FloatTensor {
    private static final int BLOCK_BYTES = 210;

    Q6KTensor(MemorySegment data, long size) {
        super(data, size);
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q6_K;
    }

    @Override
    public float getFloat(long index) {
        long block = (index / 256) * BLOCK_BYTES;
        int i = (int) (index % 256);
        int half = i / 128;
        int quarter = (i % 128) / 32;
        int l = i % 32;
        long ql = block + 64 * half;
        long qh = block + 128 + 32 * half;
        long scales = block + 192 + 8 * half;
        return f16(block + 208) * int8(scales + l / 16 + 2 * quarter) * (quant(ql, qh, quarter, l) - 32);
    }

    private int quant(long ql, long qh, int quarter, int l) {
        int low = uint8(ql + l + 32 * (quarter & 1));
        int nibble = quarter < 2 ? low & 0xF : low >>> 4;
        return nibble | ((uint8(qh + l) >>> (2 * quarter)) & 3) << 4;
    }

    @Override
    protected float dotBlocks(long firstBlock, float[] x, int xOffset, int blockCount) {
        float sum = 0f;
        for (int b = 0; b < blockCount; b++) {
            long block = (firstBlock + b) * BLOCK_BYTES;
            float blockSum = 0f;
            for (int half = 0; half < 2; half++) {
                long ql = block + 64 * half;
                long qh = block + 128 + 32 * half;
                long scales = block + 192 + 8 * half;
                int xh = xOffset + b * 256 + half * 128;
                for (int quarter = 0; quarter < 4; quarter++) {
                    for (int part = 0; part < 2; part++) {
                        float partSum = 0f;
                        for (int l = part * 16; l < part * 16 + 16; l++) {
                            partSum += (quant(ql, qh, quarter, l) - 32) * x[xh + 32 * quarter + l];
                        }
                        blockSum += int8(scales + part + 2 * quarter) * partSum;
                    }
                }
            }
            sum += f16(block + 208) * blockSum;
        }
        return sum;
    }

    @Override
    protected void dequantize(long firstBlock, int blocks, float[] dst, int dstOffset) {
        for (int b = 0; b < blocks; b++) {
            long block = (firstBlock + b) * BLOCK_BYTES;
            float d = f16(block + 208);
            for (int half = 0; half < 2; half++) {
                long scales = block + 192 + 8 * half;
                int at = dstOffset + b * 256 + half * 128;
                for (int l = 0; l < 32; l += F.length()) {
                    long sc = scales + l / 16;
                    for (int quarter = 0; quarter < 4; quarter++) {
                        values(block, half, quarter, l).mul(d * int8(sc + 2 * quarter)).intoArray(dst, at + 32 * quarter + l);
                    }
                }
            }
        }
    }

    /** Per run of lanes (at most 16 values, which share one scale), the values times x, then the scale once. */
    @Override
    protected float dotRow(long firstBlock, int blocks, float[] x, float[] scratch) {
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long block = (firstBlock + b) * BLOCK_BYTES;
            float d = f16(block + 208);
            for (int half = 0; half < 2; half++) {
                long scales = block + 192 + 8 * half;
                int x0 = b * 256 + half * 128;
                for (int l = 0; l < 32; l += F.length()) {
                    long sc = scales + l / 16;
                    for (int quarter = 0; quarter < 4; quarter++) {
                        FloatVector p = values(block, half, quarter, l).mul(FloatVector.fromArray(F, x, x0 + 32 * quarter + l));
                        acc = p.fma(FloatVector.broadcast(F, d * int8(sc + 2 * quarter)), acc);
                    }
                }
            }
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    /**
     * Values l to l + lanes of one quarter (32 values) of a half, minus 32, as floats: the low (quarters 0, 1) or
     * high (2, 3) nibble of ql[l + 32·(quarter % 2)] and bits 2·quarter, 2·quarter + 1 of qh[l].
     */
    private FloatVector values(long block, int half, int quarter, int l) {
        long ql = block + 64 * half + 32 * (quarter & 1) + l;
        IntVector low = (IntVector) ByteVector.fromMemorySegment(BQ, data, ql, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
        IntVector high = (IntVector) ByteVector.fromMemorySegment(BQ, data, block + 128 + 32 * half + l, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
        IntVector nibble = quarter < 2 ? low.and(0xf) : low.lanewise(VectorOperators.LSHR, 4);
        IntVector q = nibble.or(high.lanewise(VectorOperators.LSHR, 2 * quarter).and(3).lanewise(VectorOperators.LSHL, 4));
        return (FloatVector) q.sub(32).convert(VectorOperators.I2F, 0);
    }
}
