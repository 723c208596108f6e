package dev.jollama.engine.tensor;

import dev.jollama.engine.gguf.GgmlType;
import dev.jollama.engine.gguf.GgufTensorInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Our quantizers write each type's layout: read back through the tensor's scalar reference, values come back. */
class QuantizersTest {

    /** The relative RMS error each type's values come back within. */
    private static final Map<GgmlType, Double> PRECISION = Map.ofEntries(Map.entry(GgmlType.F32, 0.0), Map.entry(GgmlType.F16, 0.001), Map.entry(GgmlType.BF16, 0.005),
            Map.entry(GgmlType.Q8_0, 0.01), Map.entry(GgmlType.Q5_0, 0.06), Map.entry(GgmlType.Q4_0, 0.12), Map.entry(GgmlType.Q6_K, 0.04),
            Map.entry(GgmlType.Q4_K, 0.12), Map.entry(GgmlType.Q5_K, 0.06), Map.entry(GgmlType.Q4_1, 0.12), Map.entry(GgmlType.Q5_1, 0.06), Map.entry(GgmlType.IQ4_NL, 0.12), Map.entry(GgmlType.MXFP4, 0.2), Map.entry(GgmlType.IQ4_XS, 0.12), Map.entry(GgmlType.Q2_K, 0.4), Map.entry(GgmlType.Q3_K, 0.25));

    @ParameterizedTest
    @MethodSource("dev.jollama.engine.tensor.Quantizers#writableTypes")
    void quantizedValuesReadBackWithinTheTypesPrecision(GgmlType type) {
        assertThat(PRECISION).as("the precision expected of %s", type).containsKey(type);
        double relativeRmsError = PRECISION.get(type);
        Random random = new Random(type.id);
        int n = 4 * 256;
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) (random.nextGaussian() * 0.02 + (i / 256 == 2 ? 0.01 : 0)); // one block off-centre
        }
        byte[] bytes = new byte[(int) type.byteSize(n)];
        Quantizers.quantize(type, values, 0, n, bytes, 0);
        FloatTensor tensor = FloatTensor.of(null, new GgufTensorInfo("q", new long[]{n}, type, 0, MemorySegment.ofArray(bytes)));
        double error = 0, signal = 0;
        for (int i = 0; i < n; i++) {
            double e = tensor.getFloat(i) - values[i];
            error += e * e;
            signal += (double) values[i] * values[i];
        }
        assertThat(Math.sqrt(error / signal)).as("relative RMS error of %s", type).isLessThanOrEqualTo(relativeRmsError);
    }

    @Test
    void everyWritableTypeIsOneTheEngineReads() {
        assertThat(FloatTensor.supportedTypes()).containsAll(Quantizers.writableTypes());
    }

    @Test
    void aTypeWithoutQuantizerIsNamedWithTheOnesThereAre() {
        assertThatThrownBy(() -> Quantizers.quantize(GgmlType.IQ2_XXS, new float[256], 0, 256, new byte[66], 0))
                .hasMessage("no quantizer for IQ2_XXS (there are for [F32, F16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, IQ4_NL, IQ4_XS, BF16, MXFP4])");
    }
}
