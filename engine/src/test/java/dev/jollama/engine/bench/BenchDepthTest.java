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

    /**
     * A depth past what the cache's default shares of the file's context hold together (4 sequences of 2048): the
     * cache gets the shares the measured sequence needs instead of running full.
     */
    @Test
    void measuresPastEveryDefaultShareOfTheCache() {
        int depth = 4 * 2048 + 100;
        BenchOptions options = new BenchOptions(SharedTestData.model("stories260K.gguf"), 8, 4, 1, 1, 1, false, false, depth);
        Bench.Result result = Bench.measure(options, null);
        assertThat(result.depth()).isEqualTo(depth);
        assertThat(result.tg()[1]).isPositive();
    }
}
