package dev.jollama.engine.tokenizer;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Special tokens: parsing them from text, adding BOS/EOS, rendering, end of generation. */
class TokenizerSpecialTokensTest {

    @Test
    void controlTokensInTheTextAreParsedOnlyWhenAsked() {
        Tokenizer gpt2 = TokenizerTestData.loadVocabulary("gpt-2");
        String text = "Hello<|endoftext|>";
        assertThat(gpt2.encode(text, false, true)).containsExactly(15496, 50256);
        int[] literal = gpt2.encode(text, false, false);
        assertThat(literal).doesNotContain(50256).hasSizeGreaterThan(2);
        assertThat(gpt2.decode(literal)).isEqualTo(text);
    }

    @Test
    void phi3ChatMarkersSwallowTheNewlineAfterThem() {
        Tokenizer phi3 = TokenizerTestData.loadVocabulary("phi-3");
        int user = 32010;
        int end = 32007;
        int assistant = 32001;
        int[] hello = phi3.encode("Hello", false, false);
        int[] expected = IntStream.concat(IntStream.concat(IntStream.of(phi3.bosToken(), user), IntStream.of(hello)),
                IntStream.of(end, assistant)).toArray();
        assertThat(phi3.encode("<|user|>\nHello<|end|>\n<|assistant|>\n", true, true)).containsExactly(expected);
        assertThat(phi3.encode("<|user|>\nHello", false, false)).doesNotContain(user);
    }

    @Test
    void addSpecialFollowsTheVocabulary() {
        Tokenizer spm = TokenizerTestData.loadVocabulary("llama-spm");
        assertThat(spm.encode("Hello", true, false)).startsWith(1).doesNotContain(2);
        assertThat(spm.encode("", true, false)).containsExactly(1);
        assertThat(spm.encode("", false, false)).isEmpty();
        Tokenizer gpt2 = TokenizerTestData.loadVocabulary("gpt-2");
        assertThat(gpt2.encode("Hello", true, false)).containsExactly(15496); // gpt-2 files do not ask for BOS
    }

    @Test
    void endOfGenerationAndControlTokens() {
        Tokenizer phi3 = TokenizerTestData.loadVocabulary("phi-3");
        assertThat(phi3.eosToken()).isEqualTo(32000);
        assertThat(IntStream.of(32000, 32007, 2)).allMatch(phi3::isEndOfGeneration);
        assertThat(phi3.isEndOfGeneration(32010)).isFalse();
        assertThat(phi3.isEndOfGeneration(phi3.bosToken())).isFalse();
        assertThat(phi3.isControl(32010)).isTrue();
        assertThat(phi3.isControl(2)).as("</s> is user-defined in the file but ends generation").isTrue();

        Tokenizer gpt2 = TokenizerTestData.loadVocabulary("gpt-2");
        assertThat(gpt2.bosToken()).isEqualTo(50256);
        assertThat(gpt2.isEndOfGeneration(50256)).isTrue();
        assertThat(gpt2.isControl(50256)).isTrue();
        assertThat(gpt2.isControl(15496)).isFalse();
    }

    @Test
    void tokensRenderAsTheBytesTheyStandFor() {
        Tokenizer spm = TokenizerTestData.loadVocabulary("llama-spm");
        assertThat(spm.tokenText(13)).isEqualTo("<0x0A>");
        assertThat(spm.tokenBytes(13)).containsExactly('\n');
        assertThat(spm.tokenText(15043)).isEqualTo("▁Hello");
        assertThat(spm.tokenBytes(15043)).isEqualTo(" Hello".getBytes(StandardCharsets.UTF_8));
        assertThat(spm.tokenBytes(1)).isEqualTo("<s>".getBytes(StandardCharsets.UTF_8));
        assertThat(spm.decode(new int[] {1, 15043, 2})).isEqualTo("Hello");
        assertThat(spm.decode(new int[] {15043})).as("no BOS: a continuation keeps its space").isEqualTo(" Hello");

        Tokenizer gpt2 = TokenizerTestData.loadVocabulary("gpt-2");
        assertThat(gpt2.tokenText(220)).isEqualTo("Ġ");
        assertThat(gpt2.tokenBytes(220)).containsExactly(' ');
        assertThat(gpt2.tokenBytes(12520)).containsExactly(' ', 0xF0, 0x9F);
        assertThat(gpt2.vocabularySize()).isEqualTo(50257);
    }

    /** Harmony: <|return|> and <|call|> end a reply, <|end|> only a message (the model goes on to the next). */
    @Test
    void harmonyRepliesEndAtReturnOrCallNotAtEnd() {
        try (var file = dev.jollama.engine.gguf.GgufFile.open(dev.jollama.engine.SharedTestData.model("syn-gptoss-f32.gguf"))) {
            Tokenizer harmony = Tokenizer.fromGguf(file);
            assertThat(harmony.isEndOfGeneration(id(harmony, "<|return|>"))).isTrue();
            assertThat(harmony.isEndOfGeneration(id(harmony, "<|call|>"))).isTrue();
            int end = id(harmony, "<|end|>");
            assertThat(harmony.isEndOfGeneration(end)).isFalse();
            assertThat(harmony.isControl(end)).isTrue();
        }
    }

    private static int id(Tokenizer tokenizer, String text) {
        return IntStream.range(0, tokenizer.vocabularySize()).filter(t -> tokenizer.tokenText(t).equals(text)).findFirst()
                .orElseThrow(() -> new AssertionError(text + " is not in the vocabulary"));
    }
}
