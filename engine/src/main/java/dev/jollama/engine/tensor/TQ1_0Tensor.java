package dev.jollama.engine.tensor;

import dev.jollama.engine.gguf.GgmlType;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;

/**
 * TQ1_0 (ternary): super-blocks of 256 values in 54 bytes: qs[48], qh[4], then fp16 d. A byte packs five base-3
 * digits as a fraction of 256 (qh's four digits and a zero); digit k (most significant first) of byte v is
 * ((v·3^k mod 256)·3) >> 8. Digit k of qs[m] is value 32k + m (m < 32), of qs[32 + m] value 160 + 16k + m (m < 16),
 * of qh[j] value 240 + 4k + j (k < 4); w = (digit - 1)·d.
 */
public final class TQ1_0Tensor extends FloatTensor {
    private static final int BLOCK_BYTES = 54;
    private static final int[] POW3 = {1, 3, 9, 27, 81};

    TQ1_0Tensor(MemorySegment data, long size) {
        super(data, size);
    }

    @Override
    public GgmlType type() {
        return GgmlType.TQ1_0;
    }

    private static int digit(int packed, int k) {
        return (packed * POW3[k] & 255) * 3 >>> 8;
    }

    @Override
    public float getFloat(long index) {
        long block = (index / 256) * BLOCK_BYTES;
        int i = (int) (index % 256);
        int packed, k;
        if (i < 160) {
            packed = uint8(block + i % 32);
            k = i / 32;
        } else if (i < 240) {
            packed = uint8(block + 32 + (i - 160) % 16);
            k = (i - 160) / 16;
        } else {
            packed = uint8(block + 48 + (i - 240) % 4);
            k = (i - 240) / 4;
        }
        return (digit(packed, k) - 1) * f16(block + 52);
    }

    @Override
    protected float dotBlocks(long firstBlock, float[] x, int xOffset, int blockCount) {
        float sum = 0f;
        for (int b = 0; b < blockCount; b++) {
            long block = (firstBlock + b) * BLOCK_BYTES;
            int xb = xOffset + 256 * b;
            float blockSum = 0f;
            for (int k = 0; k < 5; k++) {
                for (int m = 0; m < 32; m++) {
                    blockSum += (digit(uint8(block + m), k) - 1) * x[xb + 32 * k + m];
                }
                for (int m = 0; m < 16; m++) {
                    blockSum += (digit(uint8(block + 32 + m), k) - 1) * x[xb + 160 + 16 * k + m];
                }
            }
            for (int k = 0; k < 4; k++) {
                for (int j = 0; j < 4; j++) {
                    blockSum += (digit(uint8(block + 48 + j), k) - 1) * x[xb + 240 + 4 * k + j];
                }
            }
            sum += f16(block + 52) * blockSum;
        }
        return sum;
    }

    /** The 48 bytes of qs as many at a time as lanes, five vectors of digits from each; qh's 16 values one by one. */
    @Override
    protected void dequantize(long firstBlock, int blocks, float[] dst, int dstOffset) {
        for (int b = 0; b < blocks; b++) {
            long block = (firstBlock + b) * BLOCK_BYTES;
            float d = f16(block + 52);
            int at = dstOffset + 256 * b;
            for (int m = 0; m < 32; m += F.length()) {
                digits(unsignedBytes(block + m), d, dst, at + m, 32);
            }
            for (int m = 0; m < 16; m += F.length()) {
                digits(unsignedBytes(block + 32 + m), d, dst, at + 160 + m, 16);
            }
            for (int k = 0; k < 4; k++) {
                for (int j = 0; j < 4; j++) {
                    dst[at + 240 + 4 * k + j] = (digit(uint8(block + 48 + j), k) - 1) * d;
                }
            }
        }
    }

    /** Digit k (0..4) of each lane's byte, minus one and times d, to dst from {@code at + k·stride}. */
    private static void digits(IntVector packed, float d, float[] dst, int at, int stride) {
        for (int k = 0; k < 5; k++) {
            IntVector digit = packed.mul(POW3[k]).and(255).mul(3).lanewise(VectorOperators.LSHR, 8);
            ((FloatVector) digit.sub(1).convert(VectorOperators.I2F, 0)).mul(d).intoArray(dst, at + k * stride);
        }
    }

    /** What the default does, in this class so that the call of dequantize is bound to this type (see Q5_0Tensor). */
    @Override
    protected void dotRows(long firstBlock, long rowStride, int blocks, MatmulInput in, float[] out, int outIndex, int outStride, float[] scratch) {
        dequantize(firstBlock, blocks, scratch, 0);
        out[outIndex] = FloatKernels.dot(scratch, 0, in.values, 0, blocks * 256);
    }
}
