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

    /**
     * For the simple quantizers of Q2_K and Q4_K: each of the {@code groups} equal groups of the 256 values from
     * {@code from} spans [min(0, lowest), highest] in {@code levels} steps; writes the groups' step sizes to
     * {@code scales} and their offsets, -min(0, lowest), to {@code mins}.
     */
    static void groupRanges(float[] src, int from, int groups, int levels, float[] scales, float[] mins) {
        int size = 256 / groups;
        for (int g = 0; g < groups; g++) {
            float lo = 0f, hi = Float.NEGATIVE_INFINITY;
            for (int i = from + size * g; i < from + size * g + size; i++) {
                lo = Math.min(lo, src[i]);
                hi = Math.max(hi, src[i]);
            }
            scales[g] = (hi - lo) / levels;
            mins[g] = -lo;
        }
    }

    /** The super-block factor (d or dmin) that puts the largest of {@code values} at {@code top}, rounded to fp16. */
    static float superScale(float[] values, int top) {
        float max = 0f;
        for (float v : values) {
            max = Math.max(max, v);
        }
        return Float.float16ToFloat(Float.floatToFloat16(max / top));
    }

    /** {@code value} in whole steps of {@code step}, nearest, within 0..top (0 where the step is 0). */
    static int steps(float value, float step, int top) {
        return step > 0 ? Math.clamp(Math.round(value / step), 0, top) : 0;
    }

    private static int byteAt(MemorySegment data, long offset) {
        return Byte.toUnsignedInt(data.get(ValueLayout.JAVA_BYTE, offset));
    }
}
