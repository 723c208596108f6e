package dev.jollama.engine.tensor;

import dev.jollama.engine.gguf.GgmlType;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;

/**
 * TQ2_0 (ternary): super-blocks of 256 values in 66 bytes: qs[64], then fp16 d. Byte qs[32c + m] holds four 2-bit
 * codes, bits 2l..2l+1 for value 128c + 32l + m; w = (code - 1)·d (codes 0, 1, 2; a 3 would give 2·d, as in the
 * reference).
 */
public final class TQ2_0Tensor extends FloatTensor {
    private static final int BLOCK_BYTES = 66;

    TQ2_0Tensor(MemorySegment data, long size) {
        super(data, size);
    }

    @Override
    public GgmlType type() {
        return GgmlType.TQ2_0;
    }

    @Override
    public float getFloat(long index) {
        long block = (index / 256) * BLOCK_BYTES;
        int i = (int) (index % 256);
        int code = uint8(block + 32 * (i / 128) + i % 32) >>> 2 * (i % 128 / 32) & 3;
        return (code - 1) * f16(block + 64);
    }

    @Override
    protected float dotBlocks(long firstBlock, float[] x, int xOffset, int blockCount) {
        float sum = 0f;
        for (int b = 0; b < blockCount; b++) {
            long block = (firstBlock + b) * BLOCK_BYTES;
            float blockSum = 0f;
            for (int c = 0; c < 2; c++) {
                for (int m = 0; m < 32; m++) {
                    int packed = uint8(block + 32 * c + m);
                    for (int l = 0; l < 4; l++) {
                        blockSum += ((packed >>> 2 * l & 3) - 1) * x[xOffset + 256 * b + 128 * c + 32 * l + m];
                    }
                }
            }
            sum += f16(block + 64) * blockSum;
        }
        return sum;
    }

    /** Per run of as many bytes as lanes, its four codes of each byte as four vectors of values. */
    @Override
    protected void dequantize(long firstBlock, int blocks, float[] dst, int dstOffset) {
        for (int b = 0; b < blocks; b++) {
            long block = (firstBlock + b) * BLOCK_BYTES;
            FloatVector d = FloatVector.broadcast(F, f16(block + 64));
            for (int c = 0; c < 2; c++) {
                for (int m = 0; m < 32; m += F.length()) {
                    IntVector packed = unsignedBytes(block + 32 * c + m);
                    int at = dstOffset + 256 * b + 128 * c + m;
                    for (int l = 0; l < 4; l++) {
                        IntVector code = packed.lanewise(VectorOperators.LSHR, 2 * l).and(3);
                        ((FloatVector) code.sub(1).convert(VectorOperators.I2F, 0)).mul(d).intoArray(dst, at + 32 * l);
                    }
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
