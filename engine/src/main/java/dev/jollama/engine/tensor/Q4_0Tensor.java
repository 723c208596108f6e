package dev.jollama.engine.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

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

    @Override
    protected void dequantize(long firstBlock, int blocks, float[] dst, int dstOffset) {
        for (int b = 0; b < blocks; b++) {
            long block = (firstBlock + b) * BLOCK_BYTES;
            FloatVector d = FloatVector.broadcast(F, f16(block));
            for (int j = 0; j < 16; j += F.length()) {
                IntVector packed = unsignedBytes(block + 2 + j);
                int at = dstOffset + b * 32 + j;
                low(packed).mul(d).intoArray(dst, at);
                high(packed).mul(d).intoArray(dst, at + 16);
            }
        }
    }

    /**
     * Two accumulators, so that neither the loop's bookkeeping nor the latency of one chain of multiply-adds sets the
     * pace; the -8 of every value is subtracted in integer lanes before conversion, cheaper than a scalar correction
     * per block. A step reads two loads of packed bytes: two blocks with 16 lanes, the two halves of one block with
     * 8, so that the loop has no inner loop (see Q8_0Tensor.dotRow). Written out in one method for the reason given
     * there.
     */
    @Override
    protected float dotRow(long firstBlock, int blocks, MatmulInput in, float[] scratch) {
        float[] x = in.values;
        FloatVector even = FloatVector.zero(F), odd = even;
        int touched = 0;
        int steps = blocks / BLOCKS_PER_STEP;
        for (int s = 0; s < steps; s++) {
            long block = (firstBlock + (long) s * BLOCKS_PER_STEP) * BLOCK_BYTES, last = block + LAST_BLOCK_BYTE;
            int xs = s * 32 * BLOCKS_PER_STEP;
            if ((s & TOUCH_MASK) == 0) {
                touched += touchAhead(block);
            }
            IntVector first = unsignedBytes(block + 2), second = unsignedBytes(block + SECOND_BYTE);
            FloatVector evenSum = low(first).mul(FloatVector.fromArray(F, x, xs));
            evenSum = high(first).fma(FloatVector.fromArray(F, x, xs + 16), evenSum);
            FloatVector oddSum = low(second).mul(FloatVector.fromArray(F, x, xs + SECOND_VALUE));
            oddSum = high(second).fma(FloatVector.fromArray(F, x, xs + SECOND_VALUE + 16), oddSum);
            even = evenSum.fma(FloatVector.broadcast(F, f16(block)), even);
            odd = oddSum.fma(FloatVector.broadcast(F, f16(last)), odd);
        }
        for (int b = steps * BLOCKS_PER_STEP; b < blocks; b++) {
            long block = (firstBlock + b) * BLOCK_BYTES;
            FloatVector sum = FloatVector.zero(F);
            for (int j = 0; j < 16; j += F.length()) {
                IntVector packed = unsignedBytes(block + 2 + j);
                sum = low(packed).fma(FloatVector.fromArray(F, x, b * 32 + j), sum);
                sum = high(packed).fma(FloatVector.fromArray(F, x, b * 32 + 16 + j), sum);
            }
            even = sum.fma(FloatVector.broadcast(F, f16(block)), even);
        }
        scratch[0] = touched;
        return even.add(odd).reduceLanes(VectorOperators.ADD);
    }

    private static final int BLOCKS_PER_STEP = F.length() / 8;
    private static final long LAST_BLOCK_BYTE = (BLOCKS_PER_STEP - 1) * (long) BLOCK_BYTES;
    /** The value the step's second load starts at: the next block's first, or the second half of this block's lows. */
    private static final int SECOND_VALUE = BLOCKS_PER_STEP == 2 ? 32 : F.length();
    private static final long SECOND_BYTE = LAST_BLOCK_BYTE + 2 + SECOND_VALUE % 32;
    /** The read-ahead touches once every four blocks (72 bytes, about a cache line). */
    private static final int TOUCH_MASK = 4 / BLOCKS_PER_STEP - 1;

    private static FloatVector low(IntVector packed) {
        return (FloatVector) packed.and(0xf).sub(8).convert(VectorOperators.I2F, 0);
    }

    private static FloatVector high(IntVector packed) {
        return (FloatVector) packed.lanewise(VectorOperators.LSHR, 4).sub(8).convert(VectorOperators.I2F, 0);
    }

    /** Quantizes {@code blocks} blocks as the reference does: the value of largest magnitude maps to -8. */
    static void quantize(float[] src, int srcOffset, int blocks, byte[] dst, int dstOffset) {
        for (int b = 0; b < blocks; b++) {
            int from = srcOffset + 32 * b, at = dstOffset + BLOCK_BYTES * b;
            float d = Quantizers.signedMax(src, from, 32) / -8f;
            float inverse = d != 0f ? 1f / d : 0f;
            Quantizers.putShort(dst, at, Float.floatToFloat16(d));
            for (int j = 0; j < 16; j++) {
                int low = Math.min(15, (int) (src[from + j] * inverse + 8.5f));
                int high = Math.min(15, (int) (src[from + 16 + j] * inverse + 8.5f));
                dst[at + 2 + j] = (byte) (low | high << 4);
            }
        }
    }
}
