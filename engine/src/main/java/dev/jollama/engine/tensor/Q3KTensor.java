package dev.jollama.engine.tensor;

import dev.jollama.engine.gguf.GgmlType;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;

import java.lang.foreign.MemorySegment;

/**
 * Q3_K: super-blocks of 256 values in 110 bytes: hmask[32], 64 bytes of low 2-bit codes laid out as Q2_K's, 12 bytes
 * of sixteen 6-bit scales, then fp16 d. Value v = 128n + 32j + m (m below 32) has its low bits in bits 2j, 2j + 1 of
 * code byte 32n + m and a third bit, stored inverted, in bit 4n + j of hmask[m]: q = low - (bit set ? 0 : 4), so q is
 * in -4..3. Group g (16 values) has scale sc = (low 4 bits: nibble g / 8 of byte g % 8) | (high 2 bits: bits
 * 2·(g / 4) of byte 8 + g % 4) << 4, less 32; w = (d·sc)·q.
 */
public final class Q3KTensor extends FloatTensor {
    private static final int BLOCK_BYTES = 110;

    Q3KTensor(MemorySegment data, long size) {
        super(data, size);
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q3_K;
    }

    /** Group g's scale less 32. */
    private int scale(long block, int g) {
        int low = (uint8(block + 96 + g % 8) >>> 4 * (g / 8)) & 0xF;
        int high = (uint8(block + 104 + g % 4) >>> 2 * (g / 4)) & 3;
        return (low | high << 4) - 32;
    }

    /** Value i's code (-4..3) of the super-block at {@code block}. */
    private int code(long block, int i) {
        int n = i / 128, j = i % 128 / 32, m = i % 32;
        int low = (uint8(block + 32 + 32 * n + m) >>> 2 * j) & 3;
        int bit = (uint8(block + m) >>> (4 * n + j)) & 1;
        return low - (bit != 0 ? 0 : 4);
    }

    @Override
    public float getFloat(long index) {
        long block = (index / 256) * BLOCK_BYTES;
        int i = (int) (index % 256);
        float factor = f16(block + 108) * scale(block, i / 16);
        return factor * code(block, i);
    }

    @Override
    protected float dotBlocks(long firstBlock, float[] x, int xOffset, int blockCount) {
        float sum = 0f;
        for (int b = 0; b < blockCount; b++) {
            long block = (firstBlock + b) * BLOCK_BYTES;
            float d = f16(block + 108);
            for (int g = 0; g < 16; g++) {
                float dot = 0f;
                for (int i = 16 * g; i < 16 * g + 16; i++) {
                    dot += code(block, i) * x[xOffset + 256 * b + i];
                }
                sum += d * scale(block, g) * dot;
            }
        }
        return sum;
    }

    @Override
    protected void dequantize(long firstBlock, int blocks, float[] dst, int dstOffset) {
        for (int b = 0; b < blocks; b++) {
            long block = (firstBlock + b) * BLOCK_BYTES;
            float d = f16(block + 108);
            for (int n = 0; n < 2; n++) {
                for (int j = 0; j < 4; j++) {
                    for (int h = 0; h < 2; h++) {
                        dequantizeRun(block + 32 + 32 * n + 16 * h, block + 16 * h, 2 * j, 4 * n + j, d * scale(block, 8 * n + 2 * j + h),
                                dst, dstOffset + 256 * b + 128 * n + 32 * j + 16 * h);
                    }
                }
            }
        }
    }

    /**
     * Writes 16 values, the low bits at {@code shift} of the bytes from {@code low} and the third at {@code bit} of
     * the bytes from {@code high}, times factor, to dst from {@code at}. It returns nothing, so that no vector is
     * boxed should C2 not inline it.
     */
    private void dequantizeRun(long low, long high, int shift, int bit, float factor, float[] dst, int at) {
        for (int l = 0; l < 16; l += F.length()) {
            IntVector q = unsignedBytes(low + l).lanewise(VectorOperators.LSHR, shift).and(3)
                    .or(unsignedBytes(high + l).lanewise(VectorOperators.LSHR, bit).and(1).lanewise(VectorOperators.LSHL, 2));
            ((FloatVector) q.sub(4).convert(VectorOperators.I2F, 0)).mul(factor).intoArray(dst, at + l);
        }
    }

    @Override
    void prepare(MatmulInput in) {
        super.prepare(in);
        in.computeLaneOrder(PackedLanes.Q2_K);
    }

    /**
     * Q2_K's kernel ({@link Q2KTensor#dotRows}) on 3-bit values: per code j, each byte's third bit (from hmask, whose
     * 32 bytes lie beside the codes' halves in both halves of the lanes, the second half's shifted down by four) is
     * blended in above its two low bits, giving q + 4 in 0..7; the -4 of every value goes through the input's sums,
     * Σ d·sc·(q' - 4)·x = Σ d·sc·(Σ q'·x) - 4·Σ d·sc·(Σ x). Per super-block (16 lanes) 62 vector instructions for the
     * values (a shift and a blend, one instruction with AVX-512, per 64 values besides Q2_K's) and about 12 for its
     * factors.
     */
    @Override
    protected void dotRows(long firstBlock, long rowStride, int blocks, MatmulInput in, float[] out, int outIndex, int outStride, float[] scratch) {
        float[] x = in.laneOrdered(PackedLanes.Q2_K);
        float[] sums16 = in.sums16();
        FloatVector.zero(F).intoArray(scratch, ACC);
        int touched = 0;
        for (int b = 0; b < blocks; b++) {
            long block = (firstBlock + b) * BLOCK_BYTES;
            touched += touchAhead(block) + touchAhead(block + 64);
            factorsToScratch(block, sums16, b, scratch);
            for (int n = 0; n < 16 / F.length(); n++) {
                for (int step = 0; step < 2; step++) {
                    addStep(block, n, step, x, 256 * b + 128 * step + 8 * n, scratch);
                }
            }
        }
        scratch[0] = touched;
        out[outIndex] = FloatVector.fromArray(F, scratch, ACC).reduceLanes(VectorOperators.ADD);
    }

    /** Where the kernel keeps its accumulator in {@code scratch}: after the factors (and what their second write spills). */
    private static final int ACC = SCALES + 32;

    /**
     * Adds half {@code n}'s (16 lanes: both halves') codes 2·step and 2·step + 1, times x from {@code at} and their
     * factors, to the accumulator in {@code scratch}. Loads what it needs and returns nothing: with its vectors in
     * the kernel's loop (or passed in), C2 went past its inlining node budget and boxed them (0.8 GB/s in cache).
     */
    private void addStep(long block, int n, int step, float[] x, int at, float[] scratch) {
        IntVector codes = IntVector.fromMemorySegment(I, data, block + 32 + 32 * n, LE);
        IntVector high = IntVector.fromMemorySegment(I, data, block, LE);
        high = (WIDE ? high.rearrange(Lanes.HMASK).lanewise(VectorOperators.LSHR, Lanes.HALF_SHIFT) : high.lanewise(VectorOperators.LSHR, 4 * n))
                .lanewise(VectorOperators.LSHL, 2 - 2 * step);
        IntVector low = codes.lanewise(VectorOperators.LSHR, 4 * step).lanewise(VectorOperators.BITWISE_BLEND, high, 0x04040404);
        IntVector next = codes.lanewise(VectorOperators.LSHR, 4 * step + 2)
                .lanewise(VectorOperators.BITWISE_BLEND, high.lanewise(VectorOperators.LSHR, 1), 0x04040404);
        int lanes = LANE_FACTORS + F.length() * (4 * n + 2 * step);
        packedDots(low, next, 7, x, at, FloatVector.fromArray(F, scratch, lanes), FloatVector.fromArray(F, scratch, lanes + F.length()),
                FloatVector.fromArray(F, scratch, ACC)).intoArray(scratch, ACC);
    }

    /** Constants of the 16-lane kernel, made only where it runs. */
    private static final class Lanes {
        /** hmask's 32 bytes (lanes 0-7 of a 64-byte load) in both halves of the lanes. */
        static final VectorShuffle<Integer> HMASK = VectorShuffle.fromOp(I, l -> l % 8);
        /** The second half's values take bits 4-7 of hmask's bytes. */
        static final IntVector HALF_SHIFT = IntVector.fromArray(I, new int[]{0, 0, 0, 0, 0, 0, 0, 0, 4, 4, 4, 4, 4, 4, 4, 4}, 0);
    }

    /**
     * The super-block's 16 factors d·(sc - 32) to {@code scratch} from {@link #SCALES} (the 6-bit scales gathered
     * into two longs of eight bytes with masks and shifts, then converted in float lanes) and from
     * {@link #LANE_FACTORS} in each code's lanes, and -4 times the factors times the input's sums of 16 added to the
     * accumulator. It returns nothing, so that no vector is boxed should
     * C2 not inline it.
     */
    private void factorsToScratch(long block, float[] sums16, int b, float[] scratch) {
        long low = data.get(LONG_LE, block + 96);
        int high = data.get(INT_LE, block + 104);
        long first = (low & 0x0f0f0f0f0f0f0f0fL)
                | ((high & 0x03030303L) | ((high >>> 2) & 0x03030303L) << 32) << 4;
        long second = ((low >>> 4) & 0x0f0f0f0f0f0f0f0fL)
                | (((high >>> 4) & 0x03030303L) | ((high >>> 6) & 0x03030303L) << 32) << 4;
        float d = f16(block + 108);
        bytesAsFloats(first).sub(32f).mul(d).intoArray(scratch, SCALES);
        bytesAsFloats(second).sub(32f).mul(d).intoArray(scratch, SCALES + 8);
        FloatVector acc = FloatVector.fromArray(F, scratch, ACC);
        for (int n = 0; n < 16 / F.length(); n++) {
            FloatVector factors = FloatVector.fromArray(F, scratch, SCALES + F.length() * n);
            acc = factors.mul(-4f).fma(FloatVector.fromArray(F, sums16, 16 * b + F.length() * n), acc);
            int lanes = LANE_FACTORS + 4 * F.length() * n;
            factors.rearrange(Q2KTensor.Lanes.CODE_0).intoArray(scratch, lanes);
            factors.rearrange(Q2KTensor.Lanes.CODE_1).intoArray(scratch, lanes + F.length());
            factors.rearrange(Q2KTensor.Lanes.CODE_2).intoArray(scratch, lanes + 2 * F.length());
            factors.rearrange(Q2KTensor.Lanes.CODE_3).intoArray(scratch, lanes + 3 * F.length());
        }
        acc.intoArray(scratch, ACC);
    }

    /**
     * Where {@link #factorsToScratch} leaves, per half (16 lanes: once) and code j, the factors as the lanes of code
     * j's dot take them: a shuffle chosen in {@link #addStep} by its step was not a constant to C2, which then left
     * the rearrangement as a call.
     */
    private static final int LANE_FACTORS = ACC + 16;

    /**
     * Quantizes {@code blocks} super-blocks as the reference does without an importance matrix
     * ({@code quantize_row_q3_K_ref}): each 16 values get codes and a scale from
     * {@link KQuantSearch#refinedSignedCodes}; the scales go to 6 bits under fp16 d (the largest at -32), then the codes
     * are redone with the stored scales; the third bit of each code goes to the high-bit mask.
     */
    static void quantize(float[] src, int srcOffset, int blocks, byte[] dst, int dstOffset) {
        float[] scales = new float[16];
        int[] q = new int[256];
        for (int b = 0; b < blocks; b++) {
            int from = srcOffset + 256 * b, at = dstOffset + BLOCK_BYTES * b;
            float maxScale = 0f, amax = 0f;
            for (int g = 0; g < 16; g++) {
                scales[g] = KQuantSearch.refinedSignedCodes(16, 4, src, from + 16 * g, q, 16 * g);
                if (Math.abs(scales[g]) > amax) {
                    amax = Math.abs(scales[g]);
                    maxScale = scales[g];
                }
            }
            java.util.Arrays.fill(dst, at, at + BLOCK_BYTES, (byte) 0);
            int[] stored = new int[16];
            float d = 0f;
            if (maxScale != 0f) {
                float iscale = -32f / maxScale;
                for (int g = 0; g < 16; g++) {
                    // the reference keeps nearest_int's result in an int8_t before clamping
                    stored[g] = Math.clamp((byte) KQuantSearch.nearestInt(iscale * scales[g]), -32, 31) + 32;
                    dst[at + 96 + g % 8] |= (byte) ((stored[g] & 0xF) << 4 * (g / 8));
                    dst[at + 104 + g % 4] |= (byte) ((stored[g] >>> 4) << 2 * (g / 4));
                }
                d = 1f / iscale;
            }
            Quantizers.putShort(dst, at + 108, Float.floatToFloat16(d));
            for (int g = 0; g < 16; g++) {
                float step = KQuantSearch.fp16(d) * (stored[g] - 32);
                if (step == 0f) {
                    continue;
                }
                for (int i = 16 * g; i < 16 * g + 16; i++) {
                    q[i] = Math.clamp(KQuantSearch.nearestInt(src[from + i] / step), -4, 3) + 4;
                }
            }
            for (int i = 0; i < 256; i++) {
                if (q[i] > 3) {
                    dst[at + i % 32] |= (byte) (1 << (i / 32));
                }
                int low = q[i] & 3;
                dst[at + 32 + 32 * (i / 128) + i % 32] |= (byte) (low << 2 * (i % 128 / 32));
            }
        }
    }
}
