package dev.jollama.engine.tensor;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The q8_0 cache's dequantization against its scalar twin (with the machine's lanes, and with 8 lanes in the
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
    void dequantizationMatchesTheScalarTwin() {
        Random random = new Random(1);
        byte[] quants = quants(random, 16 + 2 * STRIDE);
        float[] scales = gaussians(random, 2 + 2 * STRIDE / 32);
        for (int n : new int[]{32, 64, 96}) {
            float[] expected = new float[n + 10], actual = new float[n + 10];
            Q8Kernels.scalarDequantize(quants, 16 + STRIDE, scales, 1 + STRIDE / 32, expected, 7, n);
            Q8Kernels.dequantize(quants, 16 + STRIDE, scales, 1 + STRIDE / 32, actual, 7, n);
            assertThat(actual).as("%d values", n).containsExactly(expected);
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
