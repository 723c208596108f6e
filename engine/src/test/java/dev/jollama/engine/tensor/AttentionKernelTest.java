package dev.jollama.engine.tensor;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Attention's float kernels against their scalar twins: a block's scores for one query and for four, weighted sums over
 * ranges that take each of their paths (four, two and one vectors of values, values past the last whole vector one by
 * one); the half-float cache's conversions. The scalar twins are the definitions: their sums are the formulas as written.
 */
class AttentionKernelTest {
    private static final float SENTINEL = 1234.5f;

    /** Weighted sum of the values of positions {@code from..to}, rows {@code stride} apart from {@code first}. */
    private record Values(int n, int stride, int first, int from, int to, int outOffset) {
        int length() {
            return to > from ? first + (to - from - 1) * stride + n : first;
        }
    }

    private static List<Values> valueCases() {
        List<Values> cases = new ArrayList<>();
        for (int n : new int[]{64, 80, 128, 96, 37, 16, 8, 1}) {
            for (int stride : new int[]{n, 2 * n + 3}) {
                for (int first : new int[]{0, 11}) {
                    for (int outOffset : new int[]{0, 5}) {
                        for (int[] r : new int[][]{{0, 32}, {2, 29}, {5, 6}, {3, 3}, {0, 7}, {1, 100}}) {
                            cases.add(new Values(n, stride, first, r[0], r[1], outOffset));
                        }
                    }
                }
            }
        }
        return cases;
    }

    /** A block's scores for one query, for head sizes odd and even, written only where the block's positions go. */
    @Test
    void columnDotsAgreeWithTheScalarTwin() {
        Random random = new Random(13);
        for (int n : new int[]{64, 80, 128, 37, 3, 1}) {
            for (int positions : new int[]{64, 128}) {
                float[] q = gaussians(n + 3, random), keys = gaussians(n * positions, random);
                float[] out = sentinels(5 + positions + 3), expected = out.clone();
                FloatKernels.columnDots(q, 3, n, keys, positions, out, 5);
                FloatKernels.scalarColumnDots(q, 3, n, keys, positions, expected, 5);
                for (int p = 0; p < positions; p++) {
                    double magnitude = 0;
                    for (int d = 0; d < n; d++) {
                        magnitude += Math.abs(q[3 + d] * keys[d * positions + p]);
                    }
                    assertThat((double) out[5 + p]).as("n %d, position %d", n, p).isCloseTo(expected[5 + p], within(1e-5 * magnitude + 1e-12));
                }
                assertThat(Arrays.copyOfRange(out, 0, 5)).containsOnly(SENTINEL);
                assertThat(Arrays.copyOfRange(out, 5 + positions, out.length)).containsOnly(SENTINEL);
            }
        }
    }

    @Test
    void floatWeightedSumsAgreeWithTheScalarTwin() {
        Random random = new Random(9);
        for (Values c : valueCases()) {
            float[] weights = uniforms(c.to() + 2, random), values = gaussians(c.length(), random);
            float[] out = gaussians(c.outOffset() + c.n() + 3, random), before = out.clone(), expected = out.clone();
            FloatKernels.weightedSum(weights, c.from(), c.to(), values, c.first(), c.stride(), out, c.outOffset(), c.n());
            FloatKernels.scalarWeightedSum(weights, c.from(), c.to(), values, c.first(), c.stride(), expected, c.outOffset(), c.n());
            for (int i = 0; i < c.n(); i++) {
                double magnitude = Math.abs(before[c.outOffset() + i]);
                for (int p = c.from(); p < c.to(); p++) {
                    magnitude += Math.abs(weights[p] * values[c.first() + (p - c.from()) * c.stride() + i]);
                }
                assertThat((double) out[c.outOffset() + i]).as("%s value %d", c, i)
                        .isCloseTo(expected[c.outOffset() + i], within(1e-5 * magnitude + 1e-12));
            }
            assertOnlySumWritten(out, before, c);
        }
    }

    private static void assertOnlySumWritten(float[] out, float[] before, Values c) {
        for (int i = 0; i < out.length; i++) {
            if (i < c.outOffset() || i >= c.outOffset() + c.n()) {
                assertThat(out[i]).as("%s: out[%d], outside the sum", c, i).isEqualTo(before[i]);
            }
        }
    }

    /**
     * Four queries' scores against a block of transposed keys, and four sets of weights' sums of value rows, against
     * the one-query scalar twins, for head sizes that take each path (two vectors of values, one, single values).
     */
    @Test
    void fourQueryKernelsAgreeWithTheScalarTwins() {
        Random random = new Random(31);
        for (int n : new int[]{64, 128, 80, 96, 37, 16, 8, 3, 1}) {
            for (int positions : new int[]{64, 128}) {
                float[] q = gaussians(3 + 4 * (n + 2), random), keys = gaussians(n * positions, random);
                int outStride = positions + 5;
                float[] out = sentinels(7 + 4 * outStride), expected = out.clone();
                FloatKernels.columnDotsFour(q, 3, n + 2, n, keys, positions, out, 7, outStride);
                for (int m = 0; m < 4; m++) {
                    FloatKernels.scalarColumnDots(q, 3 + m * (n + 2), n, keys, positions, expected, 7 + m * outStride);
                }
                assertAllClose(out, expected, "scores, n " + n + ", " + positions + " positions");
            }
            for (int count : new int[]{0, 1, 7, 64}) {
                int wStride = count + 3, outStride = n + 4;
                float[] weights = uniforms(5 + 4 * wStride, random), values = gaussians(2 + count * n, random);
                float[] out = gaussians(1 + 4 * outStride, random), expected = out.clone();
                FloatKernels.weightedSumFour(weights, 5, wStride, count, values, 2, n, out, 1, outStride);
                for (int m = 0; m < 4; m++) {
                    int w = 5 + m * wStride;
                    FloatKernels.scalarWeightedSum(weights, w, w + count, values, 2, n, expected, 1 + m * outStride, n);
                }
                assertAllClose(out, expected, "sums, n " + n + ", " + count + " positions");
            }
        }
    }

    private static void assertAllClose(float[] actual, float[] expected, String what) {
        for (int i = 0; i < actual.length; i++) {
            assertThat(actual[i]).as("%s: [%d]", what, i).isCloseTo(expected[i], within(1e-4f * (1 + Math.abs(expected[i]))));
        }
    }

    /** Every half, widened to floats (the count leaves a rest past the last whole vector): finite ones exactly. */
    @Test
    void everyFiniteHalfWidensExactly() {
        int count = (1 << 16) - 3;
        short[] halves = new short[count];
        for (int bits = 0; bits < count; bits++) {
            halves[bits] = (short) bits;
        }
        float[] floats = sentinels(count + 2);
        F16Kernels.toFloats(halves, 0, floats, 1, count);
        for (int bits = 0; bits < count; bits++) {
            float expected = Float.float16ToFloat((short) bits);
            if (Float.isFinite(expected)) {
                assertThat(floats[1 + bits]).as("half %04x", bits).isEqualTo(expected);
            }
        }
        assertThat(floats[0]).isEqualTo(SENTINEL);
        assertThat(floats[count + 1]).isEqualTo(SENTINEL);
    }

    /** Infinities and NaNs in the cache come out as whatever they come out as, and leave the other lanes alone. */
    @Test
    void infinitiesAndNaNsStayInTheirLanes() {
        Random random = new Random(23);
        short[] cache = randomHalves(64, random);
        short[] specials = {0x7c00, (short) 0xfc00, 0x7e00, (short) 0xfe01};
        int[] at = {5, 17, 40, 63};
        for (int k = 0; k < at.length; k++) {
            cache[at[k]] = specials[k];
        }
        float[] floats = new float[64], expected = new float[64];
        F16Kernels.toFloats(cache, 0, floats, 0, 64);
        F16Kernels.scalarToFloats(cache, 0, expected, 0, 64);
        for (int i = 0; i < 64; i++) {
            if (i != 5 && i != 17 && i != 40 && i != 63) {
                assertThat(floats[i]).as("value %d", i).isEqualTo(expected[i]);
            }
        }
    }

    /**
     * Writing halves rounds as the JDK does, ties to even among them, except that what would be a subnormal half
     * becomes 0 or the smallest normal half, whichever is nearer.
     */
    @Test
    void toHalfRoundsAsTheJdkButWritesNoSubnormals() {
        Random random = new Random(29);
        int n = 1000;
        float[] src = new float[n + 3];
        for (int i = 0; i < src.length; i++) {
            short bits = randomHalves(1, random)[0];
            float half = Float.float16ToFloat(bits);
            src[i] = switch (i % 3) {
                case 0 -> half;
                case 1 -> (half + Float.float16ToFloat((short) (bits + 1))) / 2; // halfway to the next half out
                default -> (float) (random.nextGaussian() * Math.scalb(1.0, random.nextInt(40) - 25));
            };
        }
        short[] dst = new short[n + 7];
        Arrays.fill(dst, (short) 0x1234);
        F16Kernels.toHalf(src, 3, dst, 5, n);
        for (int i = 0; i < dst.length; i++) {
            short expected = i >= 5 && i < 5 + n ? Float.floatToFloat16(src[3 + i - 5]) : 0x1234;
            if ((expected & 0x7c00) == 0 && (expected & 0x03ff) != 0) {
                float magnitude = Math.abs(src[3 + i - 5]);
                expected = (short) ((expected & 0x8000) | (magnitude >= 0x1p-15f ? 0x0400 : 0));
            }
            assertThat(dst[i]).as("half %d", i).isEqualTo(expected);
        }
    }

    /** Finite halves: a quarter subnormal (or zero), a quarter any finite bits, the rest rounded Gaussians. */
    static short[] randomHalves(int count, Random random) {
        short[] halves = new short[count];
        for (int i = 0; i < count; i++) {
            int sign = random.nextBoolean() ? 0x8000 : 0;
            halves[i] = switch (random.nextInt(4)) {
                case 0 -> (short) (sign | random.nextInt(0x400));
                case 1 -> (short) (sign | random.nextInt(0x7c00));
                default -> Float.floatToFloat16((float) random.nextGaussian());
            };
        }
        return halves;
    }

    private static float[] gaussians(int count, Random random) {
        float[] x = new float[count];
        for (int i = 0; i < count; i++) {
            x[i] = (float) random.nextGaussian();
        }
        return x;
    }

    private static float[] uniforms(int count, Random random) {
        float[] x = new float[count];
        for (int i = 0; i < count; i++) {
            x[i] = random.nextFloat();
        }
        return x;
    }

    private static float[] sentinels(int count) {
        float[] x = new float[count];
        Arrays.fill(x, SENTINEL);
        return x;
    }
}
