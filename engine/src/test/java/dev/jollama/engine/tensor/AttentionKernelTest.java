package dev.jollama.engine.tensor;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Attention's kernels over float caches against their scalar twins, over ranges that take each of
 * their paths: four and two vectors of positions at a time, one, a last partial vector (also where the array ends at
 * the last value it needs), and values past the last whole vector one by one. The scalar twins are the definitions:
 * their sums are the formulas as written.
 */
class AttentionKernelTest {
    private static final float SENTINEL = 1234.5f;

    /**
     * Scores of positions {@code from..to} of keys stored as columns from {@code first}, rows {@code stride} apart,
     * written from {@code outOffset}; a tight array ends at the last value the range needs.
     */
    private record Columns(int n, int stride, int first, int from, int to, int outOffset, boolean tight) {
        int length() {
            return tight ? first + (n - 1) * stride + to : first + n * stride;
        }
    }

    private static List<Columns> columnCases() {
        List<Columns> cases = new ArrayList<>();
        int[][] blockRanges = {{0, 32}, {0, 1}, {3, 20}, {5, 31}, {17, 32}, {0, 16}, {8, 9}, {31, 32}, {4, 4}, {0, 24}};
        int[][] rowRanges = {{0, 203}, {5, 200}, {100, 203}, {0, 64}};
        for (int n : new int[]{64, 80, 37, 3, 1}) {
            for (int first : new int[]{0, 7, 301}) {
                for (int outOffset : new int[]{0, 5}) {
                    for (boolean tight : new boolean[]{false, true}) {
                        for (int[] r : blockRanges) {
                            cases.add(new Columns(n, 32, first, r[0], r[1], outOffset, tight));
                        }
                        for (int[] r : rowRanges) {
                            cases.add(new Columns(n, 203, first, r[0], r[1], outOffset, tight));
                        }
                    }
                }
            }
        }
        return cases;
    }

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

    @Test
    void floatColumnDotsAgreeWithTheScalarTwin() {
        Random random = new Random(13);
        for (Columns c : columnCases()) {
            float[] q = gaussians(c.n() + 3, random), columns = gaussians(c.length(), random);
            float[] out = sentinels(c.outOffset() + c.stride() + 3), expected = out.clone();
            FloatKernels.columnDots(q, 3, c.n(), columns, c.first(), c.stride(), c.from(), c.to(), 0.125f, out, c.outOffset());
            FloatKernels.scalarColumnDots(q, 3, c.n(), columns, c.first(), c.stride(), c.from(), c.to(), 0.125f, expected, c.outOffset());
            for (int p = c.from(); p < c.to(); p++) {
                double magnitude = 0;
                for (int d = 0; d < c.n(); d++) {
                    magnitude += Math.abs(q[3 + d] * columns[c.first() + d * c.stride() + p]);
                }
                assertThat((double) out[c.outOffset() + p]).as("%s position %d", c, p)
                        .isCloseTo(expected[c.outOffset() + p], within(1e-5 * magnitude + 1e-12));
            }
            assertOnlyScoresWritten(out, c);
        }
    }

    private static void assertOnlyScoresWritten(float[] out, Columns c) {
        for (int i = 0; i < out.length; i++) {
            int p = i - c.outOffset();
            if (p < c.from() || p >= c.to()) {
                assertThat(out[i]).as("%s: out[%d], outside the range", c, i).isEqualTo(SENTINEL);
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
