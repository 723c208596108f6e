package dev.jollama.engine.tensor;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The q8_0 attention kernels against their scalar twins (with the machine's lanes, and with 8 lanes in the
 * eight-lane run), and quantization against llama.cpp's rule: each block's largest magnitude becomes ±127.
 */
class Q8KernelsTest {
    private static final int STRIDE = 96;

    private static byte[] quants(Random random, int n) {
        byte[] q = new byte[n];
        random.nextBytes(q);
        return q;
    }

    private static float[] gaussians(Random random, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }

    @Test
    void dotsMatchTheScalarTwin() {
        Random random = new Random(1);
        int positions = 70;
        byte[] quants = quants(random, 16 + positions * STRIDE);
        float[] scales = gaussians(random, 2 + positions * STRIDE / 32);
        float[] q = gaussians(random, 5 + 64);
        for (int[] range : new int[][] {{0, 1}, {3, 40}, {0, 70}}) {
            float[] expected = new float[80], actual = new float[80];
            Q8Kernels.scalarDots(q, 5, 64, quants, 32, scales, 1, STRIDE, range[0], range[1], 0.125f, expected, 7);
            Q8Kernels.dots(q, 5, 64, quants, 32, scales, 1, STRIDE, range[0], range[1], 0.125f, actual, 7);
            for (int p = 0; p < expected.length; p++) {
                assertThat(actual[p]).as("positions %d..%d, out %d", range[0], range[1], p).isCloseTo(expected[p], within(1e-3f));
            }
        }
    }

    @Test
    void weightedSumsAddToTheOutputAsTheScalarTwinDoes() {
        Random random = new Random(2);
        int positions = 70;
        byte[] quants = quants(random, 32 + positions * STRIDE);
        float[] scales = gaussians(random, 1 + positions * STRIDE / 32);
        float[] weights = gaussians(random, positions);
        for (int[] range : new int[][] {{0, 1}, {3, 40}, {0, 70}}) {
            float[] expected = gaussians(new Random(3), 3 + 64), actual = expected.clone();
            Q8Kernels.scalarAddWeighted(weights, range[0], range[1], quants, 32, scales, 1, STRIDE, expected, 3, 64);
            Q8Kernels.addWeighted(weights, range[0], range[1], quants, 32, scales, 1, STRIDE, actual, 3, 64);
            for (int i = 0; i < expected.length; i++) {
                assertThat(actual[i]).as("positions %d..%d, value %d", range[0], range[1], i).isCloseTo(expected[i], within(1e-2f));
            }
        }
    }

    @Test
    void quantizationScalesEachBlocksLargestMagnitudeTo127() {
        float[] values = gaussians(new Random(4), 64);
        values[40] = -9f;
        byte[] quants = new byte[64];
        float[] scales = new float[2];
        Q8Kernels.quantize(values, 0, quants, 0, scales, 0, 64);
        assertThat(quants[40]).isEqualTo((byte) -127);
        assertThat(scales[1]).isEqualTo(Float.float16ToFloat(Float.floatToFloat16(9f / 127)));
        for (int i = 0; i < 64; i++) {
            assertThat(quants[i] * scales[i / 32]).as("value %d", i).isCloseTo(values[i], within(scales[i / 32] * 0.51f));
        }
    }
}
