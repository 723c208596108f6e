package dev.jollama.engine.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * A cache of IEEE 754 half-precision values (binary16 bits in short arrays: half the memory of floats): {@link
 * #toHalf} stores new positions, {@link #toFloats} widens a block of them for attention's float kernels (attention
 * widens a block once for all the queries of a tile, so its multiply-adds run on floats). The halves become floats in
 * vector lanes ({@link #widened}): JDK 25's Vector API has no half-precision conversion. The widening has a scalar
 * twin converting with {@link Float#float16ToFloat}.
 */
public final class F16Kernels {
    // The weight kernels' species: shorts as many as float lanes, each class's own constants (see FloatTensor).
    private static final VectorSpecies<Float> F = FloatTensor.F;
    private static final VectorSpecies<Integer> I = FloatTensor.I;
    private static final VectorSpecies<Short> SH = FloatTensor.SH;

    private F16Kernels() {
    }

    /**
     * {@code dst[dstOffset + i] = src[srcOffset + i]} as floats for i below n: a vector at a time while whole vectors
     * fit, the rest one by one.
     */
    public static void toFloats(short[] src, int srcOffset, float[] dst, int dstOffset, int n) {
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            widened(ShortVector.fromArray(SH, src, srcOffset + i)).mul(0x1p112f).intoArray(dst, dstOffset + i);
        }
        scalarToFloats(src, srcOffset + i, dst, dstOffset + i, n - i);
    }

    /** {@link #toFloats} one value at a time: the reference its vector loop is tested against, and its rest. */
    static void scalarToFloats(short[] src, int srcOffset, float[] dst, int dstOffset, int n) {
        for (int i = 0; i < n; i++) {
            dst[dstOffset + i] = Float.float16ToFloat(src[srcOffset + i]);
        }
    }

    /**
     * Writes {@code n} floats from {@code src[srcOffset]} as halves to {@code dst[dstOffset]} (see {@link #half}). A
     * position's keys and values once per layer: few enough for scalar code.
     */
    public static void toHalf(float[] src, int srcOffset, short[] dst, int dstOffset, int n) {
        for (int i = 0; i < n; i++) {
            dst[dstOffset + i] = half(src[srcOffset + i]);
        }
    }

    /**
     * A float as a half, rounded to nearest even (values beyond the half range become infinities), except that a
     * magnitude below the smallest normal half, 2^-14, becomes 0 or ±2^-14, whichever is nearer: a subnormal half
     * would make the kernels read subnormal floats (see {@link #widened}), and this changes a cached value by less
     * than 2^-15, far below what attention notices.
     */
    public static short half(float x) {
        short h = Float.floatToFloat16(x);
        if ((h & 0x7c00) == 0 && (h & 0x03ff) != 0) {
            return (short) ((h & 0x8000) | (Math.abs(x) >= 0x1p-15f ? 0x0400 : 0));
        }
        return h;
    }

    /**
     * Halves as floats times 2^-112, by bit arithmetic: sign-extended to ints and shifted so that sign, exponent and
     * mantissa land in float position, the sign's copies masked off: three instructions (extension, shift, and)
     * besides the load. Exact for normal and subnormal halves, whose exponent this leaves 112 short of float's bias;
     * infinities and NaNs come out as large finite values. A subnormal half becomes a subnormal float, and on Intel
     * each vector instruction reading one takes a microcode assist: with keys, values and queries of magnitude 0.01
     * (one half in 200 subnormal) the kernels took 6-9 times as long in cache, 1.7 times from memory. Correcting
     * those lanes instead (a compare and a masked subtraction, no subnormal floats) took three times as long for
     * every vector.
     */
    static FloatVector widened(ShortVector halves) {
        IntVector h = (IntVector) halves.convertShape(VectorOperators.S2I, I, 0);
        return h.lanewise(VectorOperators.LSHL, 13).and(0x8fffffff).reinterpretAsFloats();
    }
}
