package dev.jollama.engine.tensor;

import dev.jollama.engine.gguf.GgmlType;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

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

    /** Lane numbers, the bit of qh each lane's value takes. */
    private static final IntVector LANE = IntVector.fromArray(I, java.util.stream.IntStream.range(0, I.length()).toArray(), 0);

    @Override
    protected void dequantize(long firstBlock, int blocks, float[] dst, int dstOffset) {
        for (int b = 0; b < blocks; b++) {
            long block = (firstBlock + b) * BLOCK_BYTES;
            FloatVector d = FloatVector.broadcast(F, f16(block));
            IntVector highBits = IntVector.broadcast(I, data.get(INT_LE, block + 2));
            int at = dstOffset + b * 32;
            for (int j = 0; j < 16; j += I.length()) {
                IntVector packed = unsignedBytes(block + 6 + j);
                IntVector low = packed.and(0xf).or(fifthBit(highBits, j));
                IntVector high = packed.lanewise(VectorOperators.LSHR, 4).or(fifthBit(highBits, j + 16));
                ((FloatVector) low.sub(16).convert(VectorOperators.I2F, 0)).mul(d).intoArray(dst, at + j);
                ((FloatVector) high.sub(16).convert(VectorOperators.I2F, 0)).mul(d).intoArray(dst, at + 16 + j);
            }
        }
    }

    /**
     * What the default does, in this class so that the call of dequantize is bound to this type: from the default's
     * call site, shared with F32 and BF16, C2 inlined this dequantize beside another type's and, with 8 lanes, boxed
     * its vectors (KernelAllocationTest: 46 MB allocated by 200 products once F16 had a kernel of its own).
     */
    @Override
    protected void dotRows(long firstBlock, long rowStride, int blocks, MatmulInput in, float[] out, int outIndex, int outStride, float[] scratch) {
        dequantize(firstBlock, blocks, scratch, 0);
        out[outIndex] = FloatKernels.dot(scratch, 0, in.values, 0, blocks * 32);
    }

    /** Bit (first + lane) of qh, as 16 or 0, in each lane. */
    private static IntVector fifthBit(IntVector highBits, int first) {
        return highBits.lanewise(VectorOperators.LSHR, LANE.add(first)).and(1).lanewise(VectorOperators.LSHL, 4);
    }

    /** Quantizes {@code blocks} blocks as the reference does: the value of largest magnitude maps to -16. */
    static void quantize(float[] src, int srcOffset, int blocks, byte[] dst, int dstOffset) {
        for (int b = 0; b < blocks; b++) {
            int from = srcOffset + 32 * b, at = dstOffset + BLOCK_BYTES * b;
            float d = Quantizers.signedMax(src, from, 32) / -16f;
            float inverse = d != 0f ? 1f / d : 0f;
            Quantizers.putShort(dst, at, Float.floatToFloat16(d));
            int highBits = 0;
            for (int j = 0; j < 16; j++) {
                int low = Math.min(31, (int) (src[from + j] * inverse + 16.5f));
                int high = Math.min(31, (int) (src[from + 16 + j] * inverse + 16.5f));
                dst[at + 6 + j] = (byte) ((low & 0xF) | (high & 0xF) << 4);
                highBits |= (low >>> 4) << j | (high >>> 4) << (j + 16);
            }
            Quantizers.putInt(dst, at + 2, highBits);
        }
    }
}
