package dev.jollama.server.prompt;

import dev.jollama.engine.gguf.GgufFile;
import dev.jollama.engine.tokenizer.Tokenizer;
import dev.jollama.server.TestServer;
import org.junit.jupiter.api.Test;

import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The token-level FIM prompt: [BOS] PRE prefix SUF suffix MID, specials by id and texts without specials. */
class FimTokensTest {

    @Test
    void promptIsPrefixSuffixMiddle() {
        try (GgufFile file = GgufFile.open(TestServer.shared().resolve("models/stories260K.gguf"))) {
            Tokenizer tokenizer = Tokenizer.fromGguf(file);
            assertThat(FimTokens.of(file)).isEmpty();
            int[] prefix = tokenizer.encode("def add(", false, false);
            int[] suffix = tokenizer.encode("return c", false, false);
            int[] expected = IntStream.concat(IntStream.concat(IntStream.of(1, 5), IntStream.of(prefix)),
                    IntStream.concat(IntStream.concat(IntStream.of(6), IntStream.of(suffix)), IntStream.of(7))).toArray();
            assertThat(new FimTokens(5, 6, 7).prompt(tokenizer, "def add(", "return c")).containsExactly(expected);
        }
    }

    @Test
    void starcoderStyleTokenSetSpellsTheInfillPrompt() {
        try (GgufFile file = GgufFile.open(TestServer.shared().resolve("tokenizer/ggml-vocab-starcoder.gguf"))) {
            Tokenizer tokenizer = Tokenizer.fromGguf(file);
            int pre = tokenizer.encode("<fim_prefix>", false, true)[0];
            int suf = tokenizer.encode("<fim_suffix>", false, true)[0];
            int mid = tokenizer.encode("<fim_middle>", false, true)[0];
            StringBuilder spelled = new StringBuilder();
            for (int t : new FimTokens(pre, suf, mid).prompt(tokenizer, "def add(", "    return c")) {
                spelled.append(new String(tokenizer.tokenBytes(t), java.nio.charset.StandardCharsets.UTF_8));
            }
            assertThat(spelled.toString()).isEqualTo("<fim_prefix>def add(<fim_suffix>    return c<fim_middle>");
        }
    }
}
