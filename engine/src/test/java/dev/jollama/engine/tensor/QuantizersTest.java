package dev.jollama.engine.tensor;

import dev.jollama.engine.gguf.GgmlType;
import dev.jollama.engine.gguf.GgufTensorInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.lang.foreign.MemorySegment;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Our quantizers write each type's layout: read back through the tensor's scalar reference, values come back. */
class QuantizersTest {

    @ParameterizedTest
    @CsvSource({"F32, 0", "F16, 0.001", "Q8_0, 0.01", "Q5_0, 0.06", "Q4_0, 0.12", "Q6_K, 0.04", "Q4_K, 0.12"})
    void quantizedValuesReadBackWithinTheTypesPrecision(GgmlType type, double relativeRmsError) {
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
}
