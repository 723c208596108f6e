package dev.jollama.engine.tensor;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The input products with Q4_0 and Q4_K weights read ({@link MatmulInput#quantized}) against ggml's formulas. */
class QuantizedInputTest {
    /**
     * The values as the scalar formulas give them, bit for bit; the 16-bit pairs, block scales and sums of 32 as the
     * values; a zero block stays zero; new values make a new quantized input; several vectors are not quantized.
     */
    @ParameterizedTest
    @ValueSource(ints = {32, 256})
    void valuesAreGgmlsAndPackedAsThem(int blockSize) {
        Random random = new Random(blockSize);
        int width = 1024;
        MatmulInput in = new MatmulInput(width, 2);
        for (int i = 0; i < width; i++) {
            in.values()[i] = (float) (random.nextGaussian() * (i % 97 == 0 ? 20 : 1));
        }
        Arrays.fill(in.values(), 256, 512, 0f);
        in.values()[3] = in.values()[300] = 0.5f; // values that round half to even
        in.count(1);
        MatmulInput quantized = in.quantized(blockSize);
        assertThat(in.quantized(blockSize)).isSameAs(quantized);
        float[] expected = quantizedAsGgml(Arrays.copyOf(in.values(), width), blockSize);
        for (int i = 0; i < width; i++) {
            assertThat(quantized.values()[i]).as("value %d", i).isEqualTo(expected[i]);
        }
        for (int unit = 0; unit < width / 32; unit++) {
            float scale = quantized.quantizedScales()[unit * 32 / blockSize];
            int sum = 0;
            for (int i = 32 * unit; i < 32 * unit + 32; i++) {
                int pair = quantized.quantizedPairs()[i / 2];
                int value = i % 2 == 0 ? (short) pair : pair >> 16;
                assertThat(value * scale).as("value %d from its pair", i).isEqualTo(expected[i]);
                assertThat(Math.abs(value)).isLessThanOrEqualTo(127);
                sum += value;
            }
            assertThat(quantized.quantizedSums()[unit]).as("sum of 32 values from %d", 32 * unit).isEqualTo(scale * sum);
        }
        in.values()[0] += 10f;
        in.count(1);
        assertThat(in.quantized(blockSize).values()[0]).isNotEqualTo(expected[0])
                .isEqualTo(quantizedAsGgml(Arrays.copyOf(in.values(), width), blockSize)[0]);
        in.count(2);
        assertThatThrownBy(() -> in.quantized(blockSize)).isInstanceOf(IllegalStateException.class);
    }

    /**
     * The values as ggml's x86 quantize_row_q8_0 (blocks of 32: scale max|x|/127 stored as fp16, values times
     * 127/max|x|) or quantize_row_q8_K (blocks of 256: scale -max/127 of the value largest in magnitude, values times
     * its inverse, at most 127) leave them, both rounded half to even: each value its 8-bit integer times its block's
     * scale.
     */
    static float[] quantizedAsGgml(float[] x, int blockSize) {
        float[] out = new float[x.length];
        for (int from = 0; from + blockSize <= x.length; from += blockSize) {
            float amax = 0f, max = 0f;
            for (int i = from; i < from + blockSize; i++) {
                if (Math.abs(x[i]) > amax) {
                    amax = Math.abs(x[i]);
                    max = x[i];
                }
            }
            if (amax == 0f) {
                continue;
            }
            float inverse = blockSize == 32 ? 127f / amax : -127f / max;
            float scale = blockSize == 32 ? Float.float16ToFloat(Float.floatToFloat16(amax / 127f)) : 1f / inverse;
            for (int i = from; i < from + blockSize; i++) {
                out[i] = Math.min(127f, (float) Math.rint(x[i] * inverse)) * scale;
            }
        }
        return out;
    }
}
