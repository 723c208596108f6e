package dev.jollama.engine.tokenizer;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link StreamingDecoder}: characters split across tokens come out only when complete. */
class TokenizerStreamingTest {

    @Test
    void spmByteTokensAreHeldUntilTheCharacterIsComplete() {
        Tokenizer spm = TokenizerTestData.loadVocabulary("llama-spm");
        // "▁", the four byte tokens of U+1F999, "."
        int[] tokens = {29871, 243, 162, 169, 156, 29889};
        StreamingDecoder decoder = spm.streamingDecoder();
        assertThat(Arrays.stream(tokens).mapToObj(decoder::append))
                .containsExactly(" ", "", "", "", "\uD83E\uDD99", ".");
        assertThat(decoder.flush()).isEmpty();
    }

    @Test
    void controlTokensAreSpelledOutOnlyWhenAsked() {
        Tokenizer spm = TokenizerTestData.loadVocabulary("llama-spm");
        int bos = spm.bosToken();
        assertThat(spm.streamingDecoder().append(bos)).isEmpty();
        assertThat(spm.streamingDecoderWithControlTokens().append(bos)).isEqualTo(spm.tokenText(bos));
    }

    @Test
    void gpt2TokensThatSplitACharacterAreJoined() {
        Tokenizer gpt2 = TokenizerTestData.loadVocabulary("gpt-2");
        int[] tokens = gpt2.encode(" 🦙", false, false);
        assertThat(tokens).containsExactly(12520, 99, 247); // " " + two bytes, then one byte each
        StreamingDecoder decoder = gpt2.streamingDecoder();
        assertThat(Arrays.stream(tokens).mapToObj(decoder::append)).containsExactly(" ", "", "🦙");
    }

    @Test
    void flushGivesHeldBytesAsReplacementCharactersAndStartsOver() {
        Tokenizer spm = TokenizerTestData.loadVocabulary("llama-spm");
        StreamingDecoder decoder = spm.streamingDecoder();
        assertThat(decoder.append(243)).isEmpty(); // 0xF0 0x9F: the start of a four-byte character
        assertThat(decoder.append(162)).isEmpty();
        assertThat(decoder.flush()).isNotEmpty().matches("\uFFFD+");
        assertThat(decoder.flush()).isEmpty();
        assertThat(decoder.append(29889)).isEqualTo(".");
    }

    @Test
    void bytesThatCanNeverBeCompletedAreNotHeldBack() {
        Tokenizer spm = TokenizerTestData.loadVocabulary("llama-spm");
        StreamingDecoder decoder = spm.streamingDecoder();
        assertThat(decoder.append(3 + 0x80)).isEqualTo("\uFFFD"); // a lone continuation byte
        assertThat(decoder.append(243)).isEmpty();
        assertThat(decoder.append(29889)).isEqualTo("\uFFFD."); // the held lead byte is cut short by "."
    }

    @Test
    void controlTokensRenderAsNothing() {
        Tokenizer spm = TokenizerTestData.loadVocabulary("llama-spm");
        StreamingDecoder decoder = spm.streamingDecoder();
        assertThat(decoder.append(spm.bosToken())).isEmpty();
        assertThat(decoder.append(spm.eosToken())).isEmpty();
        assertThat(decoder.flush()).isEmpty();
    }

    @Test
    void streamingAPromptReproducesIt() {
        Tokenizer gpt2 = TokenizerTestData.loadVocabulary("gpt-2");
        String text = "Ünïcödé text: 日本語 and emoji 🦙 — ok?";
        StreamingDecoder decoder = gpt2.streamingDecoder();
        StringBuilder out = new StringBuilder();
        for (int token : gpt2.encode(text, false, false)) {
            String piece = decoder.append(token);
            assertThat(piece).doesNotContain("\uFFFD");
            out.append(piece);
        }
        assertThat(out.append(decoder.flush())).hasToString(text);
    }
}
