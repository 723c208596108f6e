package dev.jollama.engine.bench;

import dev.jollama.engine.SharedTestData;
import dev.jollama.engine.gguf.GgmlType;
import dev.jollama.engine.model.Model;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code bench --kernels}: a row per matrix type of the model, the fast kernels timed on the layouts decoding reads. */
class KernelSpeedsTest {

    @Test
    void everyMatrixTypeOfTheModelIsTimed() {
        try (Model model = Model.load(SharedTestData.model("syn-llama-q4_k_m.gguf"))) {
            KernelSpeeds.Row[] rows = KernelSpeeds.measure(model, 2);

            assertThat(Arrays.stream(rows).map(KernelSpeeds.Row::type)).containsExactlyInAnyOrder(GgmlType.Q4_K, GgmlType.Q6_K);
            assertThat(rows).allSatisfy(row -> {
                assertThat(row.referenceGbps()).isPositive();
                assertThat(row.fastGbps()).isPositive();
            });
        }
    }
}
