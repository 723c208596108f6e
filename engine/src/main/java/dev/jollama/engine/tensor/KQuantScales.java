package dev.jollama.engine.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The 12 bytes that hold eight 6-bit scales and eight 6-bit mins of a Q4_K or Q5_K block (one pair per 32-value
 * sub-block): the first four of each sit in the low 6 bits of bytes 0-7, the last four are split between a nibble of
 * bytes 8-11 and the top 2 bits of bytes 0-7. Beside them, the scale extraction of the simple Q2_K and Q4_K
 * quantizers ({@link #groupRanges}).
 */
final class KQuantScales {
    private KQuantScales() {
    }

    /**
     * The eight 6-bit scales, one byte each (sub-block j in byte j % 4 of the first int for j < 4, of the second
     * otherwise), from the 12 bytes read as a long (bytes 0-7) and an int (bytes 8-11): all at once with masks and
     * shifts, so a kernel pays a few instructions per super-block rather than per sub-block.
     */
    static long scales(long low, int high) {
        long first = low & 0x3f3f3f3fL;
        long second = (high & 0x0f0f0f0f) | (((int) low >>> 2) & 0x30303030);
        return first | (second & 0xffffffffL) << 32;
    }

    /** {@link #scales} of the super-block at {@code block} (fp16 d, fp16 dmin, then the 12 bytes). */
    static long scales(MemorySegment data, long block) {
        return scales(data.get(FloatTensor.LONG_LE, block + 4), data.get(FloatTensor.INT_LE, block + 12));
    }

    /** {@link #mins} of the super-block at {@code block}. */
    static long mins(MemorySegment data, long block) {
        return mins(data.get(FloatTensor.LONG_LE, block + 4), data.get(FloatTensor.INT_LE, block + 12));
    }

    /** Sub-block j's value from {@link #scales} or {@link #mins}. */
    static int at(long packed, int subBlock) {
        return (int) (packed >>> 8 * subBlock) & 63;
    }

    /** The eight 6-bit mins, laid out as {@link #scales}. */
    static long mins(long low, int high) {
        int top = (int) (low >>> 32);
        long first = top & 0x3f3f3f3f;
        long second = ((high >>> 4) & 0x0f0f0f0f) | ((top >>> 2) & 0x30303030);
        return first | (second & 0xffffffffL) << 32;
    }

    /**
     * Readies a Q4_K or Q5_K super-block (fp16 d, fp16 dmin, then the 12 bytes of scales and mins) for a
     * matrix-vector kernel through float arrays only, as a helper that passes vectors risks boxing: its eight scales
     * times d go to {@code scratch} from {@link FloatTensor#SCALES}, to be broadcast one by one; its eight mins times
     * dmin times the input's sums of 32 (super-block b of {@link MatmulInput#sums32()}) go to {@code scratch} from
     * {@link #MINS}, a float vector's worth, for the kernel to add to its accumulator of mins.
     */
    static void toScratch(MemorySegment data, long block, float[] sums32, int b, float[] scratch) {
        long low = data.get(FloatTensor.LONG_LE, block + 4);
        int high = data.get(FloatTensor.INT_LE, block + 12);
        float d = FloatTensor.f16(data, block);
        float dmin = FloatTensor.f16(data, block + 2);
        FloatTensor.bytesAsFloats(scales(low, high)).mul(d).intoArray(scratch, FloatTensor.SCALES);
        FloatTensor.bytesAsFloats(mins(low, high)).mul(FloatVector.fromArray(FloatTensor.F, sums32, b * FloatTensor.F.length()))
                .mul(dmin).intoArray(scratch, MINS);
    }

    /** Where {@link #toScratch} leaves a super-block's weighted mins: after the scales, a float vector's worth on. */
    static final int MINS = FloatTensor.SCALES + 16;

    /**
     * With 16 lanes, a Q4_K or Q5_K super-block's eight mins times dmin in lanes 0-7 (where the input's sums of 32
     * lie) and eight scales times d in lanes 8-15, from its 12 bytes in vector operations: each lane takes its low bits
     * from one byte and its top two from another (no top bits for the first four).
     */
    static FloatVector inLanes(MemorySegment data, long block) {
        IntVector bytes = (IntVector) ByteVector.fromMemorySegment(FloatTensor.BQ, data, block + 4, ByteOrder.LITTLE_ENDIAN)
                .convertShape(VectorOperators.ZERO_EXTEND_B2I, FloatTensor.I, 0);
        IntVector lowBits = bytes.rearrange(Lanes.LOW_BYTE).lanewise(VectorOperators.LSHR, Lanes.LOW_SHIFT).and(Lanes.LOW_MASK);
        IntVector topBits = bytes.rearrange(Lanes.TOP_BYTE).lanewise(VectorOperators.LSHR, 2).and(Lanes.TOP_MASK);
        FloatVector factors = FloatVector.broadcast(FloatTensor.F, FloatTensor.f16(data, block + 2))
                .blend(FloatTensor.f16(data, block), Lanes.UPPER_HALF);
        return ((FloatVector) lowBits.or(topBits).convert(VectorOperators.I2F, 0)).mul(factors);
    }

    /** Constants of {@link #inLanes} and of the 16-lane kernels that use it, made only where they run. */
    static final class Lanes {
        /**
         * Per 128-value step of a 16-lane kernel, the scales ({@link #inLanes}) of the sub-blocks whose low (or high)
         * nibbles lanes 0-7 and lanes 8-15 hold.
         */
        static final VectorShuffle<Float> LOW_SCALES_0 = groupScales(0), HIGH_SCALES_0 = groupScales(1),
                LOW_SCALES_1 = groupScales(4), HIGH_SCALES_1 = groupScales(5);
        /** Mins j < 4: byte 4 + j, low 6 bits; j ≥ 4: byte 4 + j, high nibble. Scales j < 4: byte j, low 6 bits; j ≥ 4: byte 4 + j, low nibble. */
        private static final VectorShuffle<Integer> LOW_BYTE = VectorShuffle.fromOp(FloatTensor.I, l -> l < 8 ? l + 4 : l < 12 ? l - 8 : l - 4);
        private static final IntVector LOW_SHIFT = IntVector.fromArray(FloatTensor.I, new int[]{0, 0, 0, 0, 4, 4, 4, 4, 0, 0, 0, 0, 0, 0, 0, 0}, 0);
        private static final IntVector LOW_MASK = IntVector.fromArray(FloatTensor.I, new int[]{63, 63, 63, 63, 15, 15, 15, 15, 63, 63, 63, 63, 15, 15, 15, 15}, 0);
        /** Mins and scales j ≥ 4 take the top two bits of byte j (mins) or byte j - 4 (scales) as bits 4-5. */
        private static final VectorShuffle<Integer> TOP_BYTE = VectorShuffle.fromOp(FloatTensor.I, l -> l < 8 ? l : l - 12 & 7);
        private static final IntVector TOP_MASK = IntVector.fromArray(FloatTensor.I, new int[]{0, 0, 0, 0, 0x30, 0x30, 0x30, 0x30, 0, 0, 0, 0, 0x30, 0x30, 0x30, 0x30}, 0);
        private static final VectorMask<Float> UPPER_HALF = VectorMask.fromLong(FloatTensor.F, 0xff00L);

        /** Lane l gets the scale (lane 8 + j) of sub-block j = first + 2·(l / 8). */
        private static VectorShuffle<Float> groupScales(int first) {
            return VectorShuffle.fromOp(FloatTensor.F, l -> 8 + first + 2 * (l / 8));
        }
    }

    static int scale(MemorySegment data, long scalesOffset, int subBlock) {
        if (subBlock < 4) {
            return byteAt(data, scalesOffset + subBlock) & 63;
        }
        return (byteAt(data, scalesOffset + subBlock + 4) & 0xF) | (byteAt(data, scalesOffset + subBlock - 4) >>> 6) << 4;
    }

    static int min(MemorySegment data, long scalesOffset, int subBlock) {
        if (subBlock < 4) {
            return byteAt(data, scalesOffset + subBlock + 4) & 63;
        }
        return (byteAt(data, scalesOffset + subBlock + 4) >>> 4) | (byteAt(data, scalesOffset + subBlock) >>> 6) << 4;
    }

    /**
     * One 64-value group's contribution to a dot product: its two sub-blocks' quantized dots and input sums,
     * weighted by their scales (times d) and mins (times dmin).
     */
    static float groupDot(MemorySegment data, long scalesOffset, int group, float d, float dmin,
                          float lowDot, float highDot, float lowSum, float highSum) {
        return d * (scale(data, scalesOffset, 2 * group) * lowDot + scale(data, scalesOffset, 2 * group + 1) * highDot)
                - dmin * (min(data, scalesOffset, 2 * group) * lowSum + min(data, scalesOffset, 2 * group + 1) * highSum);
    }

    private static int byteAt(MemorySegment data, long offset) {
        return Byte.toUnsignedInt(data.get(ValueLayout.JAVA_BYTE, offset));
    }

    /**
     * The head of a Q4_K or Q5_K super-block as the reference quantizes it without an importance matrix
     * ({@code quantize_row_q4_K_ref}, {@code q5_K_ref}): each 32-value sub-block gets a scale and a min from
     * {@link KQuantSearch#codesWithMin} with weights rms + |x|; both go to 6 bits under fp16 d and dmin (the largest at
     * 63), written at {@code dst[at]} (d, dmin, then the 12 bytes). Then the codes in [0, nmax] are redone with the
     * stored scales into {@code codes} (a sub-block whose stored scale is 0 keeps the search's codes).
     */
    static void quantize(float[] src, int from, int nmax, float rmin, int steps, byte[] dst, int at, int[] codes) {
        float[] scales = new float[8], mins = new float[8], weights = new float[32];
        int[] scratch = new int[32];
        float maxScale = 0f, maxMin = 0f;
        for (int j = 0; j < 8; j++) {
            int group = from + 32 * j;
            float sumX2 = 0f;
            for (int l = 0; l < 32; l++) {
                sumX2 += src[group + l] * src[group + l];
            }
            float rms = (float) Math.sqrt(sumX2 / 32);
            for (int l = 0; l < 32; l++) {
                weights[l] = rms + Math.abs(src[group + l]);
            }
            scales[j] = KQuantSearch.codesWithMin(32, nmax, src, group, weights, codes, 32 * j, scratch, mins, j, rmin, 0.1f, steps, false);
            if (scales[j] > maxScale) {
                maxScale = scales[j];
            }
            if (mins[j] > maxMin) {
                maxMin = mins[j];
            }
        }
        float inverseScale = maxScale > 0f ? 63f / maxScale : 0f;
        float inverseMin = maxMin > 0f ? 63f / maxMin : 0f;
        int[] sc = new int[8], m = new int[8];
        for (int j = 0; j < 8; j++) {
            // the reference keeps nearest_int's result in a uint8_t before taking the minimum with 63
            sc[j] = Math.min(63, KQuantSearch.nearestInt(inverseScale * scales[j]) & 0xFF);
            m[j] = Math.min(63, KQuantSearch.nearestInt(inverseMin * mins[j]) & 0xFF);
        }
        Quantizers.putShort(dst, at, Float.floatToFloat16(maxScale / 63f));
        Quantizers.putShort(dst, at + 2, Float.floatToFloat16(maxMin / 63f));
        for (int j = 0; j < 4; j++) {
            dst[at + 4 + j] = (byte) (sc[j] | (sc[j + 4] >>> 4) << 6);
            dst[at + 8 + j] = (byte) (m[j] | (m[j + 4] >>> 4) << 6);
            dst[at + 12 + j] = (byte) ((sc[j + 4] & 0xF) | (m[j + 4] & 0xF) << 4);
        }
        float d = KQuantSearch.fp16(maxScale / 63f), dmin = KQuantSearch.fp16(maxMin / 63f);
        for (int j = 0; j < 8; j++) {
            float step = d * sc[j];
            if (step == 0f) {
                continue;
            }
            float offset = dmin * m[j];
            for (int i = 32 * j; i < 32 * j + 32; i++) {
                codes[i] = Math.clamp(KQuantSearch.nearestInt((src[from + i] + offset) / step), 0, nmax);
            }
        }
    }
}
