package dev.jollama.engine.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jollama.engine.SharedTestData;
import dev.jollama.engine.model.Model;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code bench --parallel N}: N sequences decode at once, and the JSON reports their aggregate speed. */
class BenchParallelTest {

    @Test
    void parallelSequencesDecodeTogetherAndTheirSpeedIsReported() throws Exception {
        try (Model model = Model.load(SharedTestData.model("stories260K.gguf"))) {
            double seconds = Bench.timeParallelDecode(model, 40, new int[]{5, 6, 7, 8, 9, 10, 11, 12}, 3);
            assertThat(seconds).isPositive();
        }
        Bench.Result result = new Bench.Result("m.gguf", "Q8_0", 2, 28.0, new double[]{1, 2, 3}, new double[]{4, 5, 6},
                1000, 0.5, 3, new double[]{7, 8, 9}, new KernelSpeeds.Row[0], 4096, 8192, 0);
        JsonNode json = new ObjectMapper().readTree(result.json());
        assertThat(json.get("parallel").asInt()).isEqualTo(3);
        assertThat(json.get("tg_parallel_tps").asDouble()).isEqualTo(8.0);
        assertThat(json.get("tg_parallel_tps_min").asDouble()).isEqualTo(7.0);
        assertThat(json.get("tg_parallel_tps_max").asDouble()).isEqualTo(9.0);
        assertThat(json.get("resident_bytes").asLong()).isEqualTo(4096);

        Bench.Result alone = new Bench.Result("m.gguf", "Q8_0", 2, 28.0, new double[]{1, 2, 3}, new double[]{4, 5, 6},
                1000, 0.5, 1, null, new KernelSpeeds.Row[0], -1, 8192, 0);
        assertThat(new ObjectMapper().readTree(alone.json()).has("tg_parallel_tps")).isFalse();
    }
}
