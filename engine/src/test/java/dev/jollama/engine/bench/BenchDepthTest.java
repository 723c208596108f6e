package dev.jollama.engine.bench;

import dev.jollama.engine.SharedTestData;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** bench --depth: the prompt and decoding are timed with that many tokens already in the cache, past the file's context. */
class BenchDepthTest {

    @Test
    void measuresAfterFillingTheCacheToTheDepth() {
        BenchOptions options = new BenchOptions(SharedTestData.model("stories260K.gguf"), 8, 4, 1, 1, 1, false, false, 600);
        Bench.Result result = Bench.measure(options, null);
        assertThat(result.depth()).isEqualTo(600);
        assertThat(result.pp()[1]).isPositive();
        assertThat(result.tg()[1]).isPositive();
        assertThat(result.json()).contains("\"depth\":600");
    }
}
