package dev.jollama.engine.tensor;

import dev.jollama.engine.gguf.GgmlType;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;
import java.util.stream.IntStream;

/**
 * Q5_1: blocks of 32 values in 24 bytes: fp16 scale d, fp16 offset m, 32 fifth bits (uint32 qh), 16 bytes of
 * nibbles. Value j takes nibble j in Q4_0's order plus bit j of qh as its fifth bit, unsigned: w = q·d + m.
 */
public final class Q5_1Tensor extends FloatTensor {
    private static final int BLOCK_BYTES = 24;

    Q5_1Tensor(MemorySegment data, long size) {
        super(data, size);
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q5_1;
    }

    @Override
    public float getFloat(long index) {
        long block = (index / 32) * BLOCK_BYTES;
        int j = (int) (index % 32);
        int highBits = data.get(INT_LE, block + 4);
        int packed = uint8(block + 8 + (j & 15));
        int nibble = j < 16 ? packed & 0xF : packed >>> 4;
        return (nibble | ((highBits >>> j) & 1) << 4) * f16(block) + f16(block + 2);
    }

    @Override
    protected float dotBlocks(long firstBlock, float[] x, int xOffset, int blockCount) {
        float sum = 0f;
        for (int b = 0; b < blockCount; b++) {
            long block = (firstBlock + b) * BLOCK_BYTES;
            int xb = xOffset + b * 32;
            int highBits = data.get(INT_LE, block + 4);
            float blockDot = 0f, xSum = 0f;
            for (int j = 0; j < 16; j++) {
                int packed = uint8(block + 8 + j);
                int low = (packed & 0xF) | ((highBits >>> j) & 1) << 4;
                int high = (packed >>> 4) | ((highBits >>> (j + 16)) & 1) << 4;
                blockDot += low * x[xb + j] + high * x[xb + j + 16];
                xSum += x[xb + j] + x[xb + j + 16];
            }
            sum += blockDot * f16(block) + xSum * f16(block + 2);
        }
        return sum;
    }

    /** Lane numbers: the bit of qh each lane's value takes (plus 16 for the block's second half). */
    private static final IntVector LANE = IntVector.fromArray(I, IntStream.range(0, I.length()).toArray(), 0);

    /** Values as {@link #getFloat} gives them: q·d is exact (a 5-bit integer times an fp16), so one rounding, at + m. */
    @Override
    protected void dequantize(long firstBlock, int blocks, float[] dst, int dstOffset) {
        for (int b = 0; b < blocks; b++) {
            long block = (firstBlock + b) * BLOCK_BYTES;
            FloatVector d = FloatVector.broadcast(F, f16(block)), m = FloatVector.broadcast(F, f16(block + 2));
            IntVector highBits = IntVector.broadcast(I, data.get(INT_LE, block + 4));
            int at = dstOffset + b * 32;
            for (int j = 0; j < 16; j += I.length()) {
                IntVector packed = unsignedBytes(block + 8 + j);
                IntVector fifth = highBits.lanewise(VectorOperators.LSHR, LANE.add(j));
                IntVector low = packed.and(0xf).or(fifth.and(1).lanewise(VectorOperators.LSHL, 4));
                IntVector high = packed.lanewise(VectorOperators.LSHR, 4).or(fifth.lanewise(VectorOperators.LSHR, 12).and(0x10));
                ((FloatVector) low.convert(VectorOperators.I2F, 0)).fma(d, m).intoArray(dst, at + j);
                ((FloatVector) high.convert(VectorOperators.I2F, 0)).fma(d, m).intoArray(dst, at + 16 + j);
            }
        }
    }

    @Override
    void prepare(MatmulInput in) {
        super.prepare(in);
        if (in.count() == 1) {
            in.computeNibbleSplit();
        }
    }

    /**
     * A row a block at a time, on Q4_0's nibble split ({@link MatmulInput#nibbleSplit}): with low5 = a value's five
     * bits and whole5 = low5 + 16·(its partner's five bits), low5·split[j] + whole5·split[j + 16] is the pair's dot.
     * The fifth bits come from qh broadcast to the lanes and shifted right by the lane number (bit j to bit 0, bit
     * j + 16 to bit 16): whole5 = byte + 16·bit j + 256·bit j+16, added rather than or-ed as 16·bit j lands on the
     * high nibble. Per block (16 lanes) 13 vector instructions for 32 values: a zero-extending load, a broadcast, the
     * variable shift, six to place the bits, two conversions, a multiply and a multiply-add, then a multiply-add by d;
     * the offsets go through the input's sums, Σ (d·q + m)·x = d·Σ q·x + m·Σ x. With 8 lanes the block's two halves
     * of eight bytes take lanes' bits 0-7 and 8-15. In cache 5.8 GB/s per core with 16 lanes (two rows side by side,
     * sharing the input's loads, ran at 4.0), 3.0 with 8.
     */
    @Override
    protected void dotRows(long firstBlock, long rowStride, int blocks, MatmulInput in, float[] out, int outIndex, int outStride, float[] scratch) {
        float[] split = in.nibbleSplit(), sums = in.sums16();
        FloatVector acc = FloatVector.zero(F);
        float offset = 0f;
        int touched = 0;
        for (int b = 0; b < blocks; b++) {
            long block = (firstBlock + b) * BLOCK_BYTES;
            if ((b & 3) == 0) {
                touched += touchAhead(block); // once every four blocks (96 bytes)
            }
            int dm = data.get(INT_LE, block), highBits = data.get(INT_LE, block + 4);
            FloatVector dot = pairDots(block + 8, highBits, 0, split, 32 * b);
            if (!WIDE) {
                dot = dot.add(pairDots(block + 16, highBits, 8, split, 32 * b + 8));
            }
            acc = dot.fma(FloatVector.broadcast(F, halfBits(dm)), acc);
            offset += halfBits(dm >>> 16) * (sums[2 * b] + sums[2 * b + 1]);
        }
        scratch[0] = touched;
        out[outIndex] = acc.reduceLanes(VectorOperators.ADD) + offset;
    }

    /**
     * The dots of the lanes' value pairs (values j and j + 16 for the packed bytes from {@code bytes}, j from
     * {@code first}) with the split input from {@code at}, lane by lane.
     */
    private FloatVector pairDots(long bytes, int highBits, int first, float[] split, int at) {
        IntVector packed = unsignedBytes(bytes);
        IntVector bits = IntVector.broadcast(I, highBits).lanewise(VectorOperators.LSHR, first == 0 ? LANE : LANE_8);
        IntVector fifth = bits.lanewise(VectorOperators.LSHL, 4).and(0x10);
        IntVector low5 = packed.and(0xf).or(fifth);
        IntVector whole5 = packed.add(fifth).add(bits.lanewise(VectorOperators.LSHR, 8).and(0x100));
        FloatVector low = (FloatVector) low5.convert(VectorOperators.I2F, 0);
        FloatVector whole = (FloatVector) whole5.convert(VectorOperators.I2F, 0);
        return low.fma(FloatVector.fromArray(F, split, at), whole.mul(FloatVector.fromArray(F, split, at + 16)));
    }

    private static final IntVector LANE_8 = LANE.add(8);

    /**
     * Quantizes {@code blocks} blocks as the reference does: the block's lowest value is m, its range in 31 steps is d,
     * codes round half up from (x - m)/d.
     */
    static void quantize(float[] src, int srcOffset, int blocks, byte[] dst, int dstOffset) {
        for (int b = 0; b < blocks; b++) {
            int from = srcOffset + 32 * b, at = dstOffset + BLOCK_BYTES * b;
            float min = Quantizers.lowest(src, from, 32), max = Quantizers.highest(src, from, 32);
            float d = (max - min) / 31f;
            float inverse = d != 0f ? 1f / d : 0f;
            Quantizers.putShort(dst, at, Float.floatToFloat16(d));
            Quantizers.putShort(dst, at + 2, Float.floatToFloat16(min));
            int highBits = 0;
            for (int j = 0; j < 16; j++) {
                // the reference takes no minimum with 31 here (unlike Q4_1 with 15)
                int low = (int) ((src[from + j] - min) * inverse + 0.5f) & 0xFF;
                int high = (int) ((src[from + 16 + j] - min) * inverse + 0.5f) & 0xFF;
                dst[at + 8 + j] = (byte) ((low & 0xF) | (high & 0xF) << 4);
                highBits |= (low >>> 4) << j | (high >>> 4) << (j + 16);
            }
            Quantizers.putInt(dst, at + 4, highBits);
        }
    }
}
