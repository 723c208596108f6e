package dev.jollama.engine.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Writing out two 8-value grid entries of the IQ types (16 values), in the reference's float order, bit-exact against
 * its decode: each value is scale·magnitude, negated where its sign bit is set; or, for IQ1_S and IQ1_M,
 * scale·(value + delta). With 16 float lanes the two entries fill one vector, with 8 lanes one each. The vectors have
 * the shapes the other kernels use ({@link FloatTensor#F}, {@link FloatTensor#bytesAsFloats}): conversions between
 * other shapes made C2 box the BF16 kernel's vectors (KernelAllocationTest: 16 MB allocated by 200 products). Beside
 * them, the scalar reference's reading of entries ({@link #dot}), which each type gives its layout.
 */
final class IqEntries {
    private static final boolean WIDE = FloatTensor.WIDE;

    private IqEntries() {
    }

    /**
     * Values 0..7 of {@code first} then of {@code second} (unsigned bytes), times {@code scale}, value j negative where
     * bit j of {@code signs} is set (bits 8..15 for the second entry).
     */
    static void magnitudes(long first, long second, int signs, float scale, float[] dst, int at) {
        if (WIDE) {
            withSigns(SixteenLanes.both(first, second).mul(scale), signs).intoArray(dst, at);
        } else {
            // A loop, not two copies: C2 parses its body once, and the kernels that inline this sit near its node
            // budget with 8 lanes (IQ3_S's dequantize boxed its vectors in one run in four of KernelAllocationTest).
            for (int e = 0; e < 2; e++) {
                withSigns(FloatTensor.bytesAsFloats(e == 0 ? first : second).mul(scale), signs >>> 8 * e).intoArray(dst, at + 8 * e);
            }
        }
    }

    /** Values 0..7 of {@code first} plus {@code firstDelta}, then of {@code second} plus its delta (signed bytes), times {@code scale}. */
    static void levels(long first, long second, float firstDelta, float secondDelta, float scale, float[] dst, int at) {
        if (WIDE) {
            FloatVector delta = FloatVector.broadcast(FloatTensor.F, firstDelta).blend(secondDelta, SixteenLanes.HIGH);
            SixteenLanes.both(first, second).add(delta).mul(scale).intoArray(dst, at);
        } else {
            for (int e = 0; e < 2; e++) { // a loop, as in magnitudes
                FloatTensor.bytesAsFloats(e == 0 ? first : second).add(e == 0 ? firstDelta : secondDelta).mul(scale).intoArray(dst, at + 8 * e);
            }
        }
    }

    /** {@code values} with lane j's sign flipped where bit j of {@code signs} is set. */
    private static FloatVector withSigns(FloatVector values, int signs) {
        IntVector signBits = IntVector.broadcast(FloatTensor.I, signs).lanewise(VectorOperators.LSHL, SIGN_SHIFT).and(0x80000000);
        return values.reinterpretAsInts().lanewise(VectorOperators.XOR, signBits).reinterpretAsFloats();
    }

    /** Lane j shifts bit j of the signs to bit 31, a float's sign. */
    private static final IntVector SIGN_SHIFT = IntVector.zero(FloatTensor.I).addIndex(-1).add(31);

    /** Constants of the 16-lane path, made only where it runs. */
    private static final class SixteenLanes {
        static final VectorMask<Float> HIGH = VectorMask.fromLong(FloatTensor.F, 0xFF00L);

        /** The first entry's bytes as lanes 0..7, the second's as lanes 8..15. */
        static FloatVector both(long first, long second) {
            return FloatTensor.bytesAsFloats(first).blend(FloatTensor.bytesAsFloats(second), HIGH);
        }
    }

    /** The scalar twin of {@link #magnitudes}. */
    static void magnitudesScalar(long first, long second, int signs, float scale, float[] dst, int at) {
        for (int j = 0; j < 16; j++) {
            float value = scale * ((int) ((j < 8 ? first : second) >>> 8 * (j % 8)) & 0xff);
            dst[at + j] = (signs >>> j & 1) != 0 ? -value : value;
        }
    }

    /** The scalar twin of {@link #levels}. */
    static void levelsScalar(long first, long second, float firstDelta, float secondDelta, float scale, float[] dst, int at) {
        for (int j = 0; j < 16; j++) {
            dst[at + j] = scale * ((byte) ((j < 8 ? first : second) >>> 8 * (j % 8)) + (j < 8 ? firstDelta : secondDelta));
        }
    }

    /** Which factor an entry of a super-block takes: entry k (values 8k..8k+7) of group g of the super-block at {@code block}. */
    interface Factor {
        float of(long block, int g, int k);
    }

    /** An entry's values (entry k of group g of the super-block at {@code block}) times x from {@code at}, added to {@code sum} one by one. */
    interface EntryDot {
        float add(float sum, long block, int g, int k, float[] x, int at);
    }

    /**
     * The scalar reference's dot product of {@code blockCount} super-blocks (256 values, 32 entries) with x, in the
     * reference's order: per run of {@code entriesPerFactor} entries that share a factor (2 for IQ2_XS, IQ2_S and
     * IQ1_M, 4 for the types with a factor per group of 32), the sum of their dots, then times the factor.
     */
    static float dot(long firstBlock, int blockBytes, int blockCount, float[] x, int xOffset, int entriesPerFactor, Factor factor, EntryDot entry) {
        float sum = 0f;
        for (int b = 0; b < blockCount; b++) {
            long block = (firstBlock + b) * blockBytes;
            for (int first = 0; first < 32; first += entriesPerFactor) {
                float run = 0f;
                for (int e = first; e < first + entriesPerFactor; e++) {
                    run = entry.add(run, block, e / 4, e % 4, x, xOffset + 256 * b + 8 * e);
                }
                sum += factor.of(block, first / 4, first % 4) * run;
            }
        }
        return sum;
    }

    /** The scalar twin of {@link #magnitudes} for a dot product: {@code sum} plus each value of {@code grid} times x from {@code at}. */
    static float signedDot(float sum, long grid, int signs, float[] x, int at) {
        for (int j = 0; j < 8; j++) {
            int magnitude = (int) (grid >>> 8 * j) & 0xff;
            sum += ((signs >>> j & 1) != 0 ? -magnitude : magnitude) * x[at + j];
        }
        return sum;
    }

    /** The scalar twin of {@link #levels} for a dot product: {@code sum} plus each value of {@code grid} plus delta times x from {@code at}. */
    static float levelDot(float sum, long grid, float delta, float[] x, int at) {
        for (int j = 0; j < 8; j++) {
            sum += ((byte) (grid >>> 8 * j) + delta) * x[at + j];
        }
        return sum;
    }

    /** Value j of an entry as {@link #magnitudes} writes it. */
    static float signedValue(long grid, int signs, int j, float scale) {
        float value = scale * ((int) (grid >>> 8 * j) & 0xff);
        return (signs >>> j & 1) != 0 ? -value : value;
    }

    /** Value j of an entry as {@link #levels} writes it. */
    static float levelValue(long grid, float delta, int j, float scale) {
        return scale * ((byte) (grid >>> 8 * j) + delta);
    }

    /** Two 4-value entries (IQ3_XXS, IQ3_S) side by side as one 8-value entry. */
    static long pair(int first, int second) {
        return Integer.toUnsignedLong(first) | (long) second << 32;
    }
}
