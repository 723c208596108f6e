package dev.jollama.engine.grammar;

import dev.jollama.engine.SharedTestData;
import dev.jollama.engine.gguf.GgufFile;
import dev.jollama.engine.sampling.TokenFilter;
import dev.jollama.engine.tokenizer.Tokenizer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** Thinking in tags, then the answer under the grammar, on the GPT-2 vocabulary. */
class GrammarAfterThinkingTest {
    private static Tokenizer tokenizer;

    @BeforeAll
    static void load() {
        try (GgufFile file = GgufFile.open(SharedTestData.root().resolve("tokenizer/ggml-vocab-gpt-2.gguf"))) {
            tokenizer = Tokenizer.fromGguf(file);
        }
    }

    private static GrammarAfterThinking constraint(boolean thinking) {
        return new GrammarAfterThinking(JsonGrammar.object(), tokenizer, "<think>", "</think>", thinking);
    }

    /** Accepts the text's tokens one by one, each allowed before it is accepted. */
    private static void walk(GrammarAfterThinking constraint, String text) {
        for (int token : tokenizer.encode(text, false, false)) {
            assertThat(constraint.allows(token)).as("%s: token %d", text, token).isTrue();
            constraint.accept(token);
        }
    }

    private static int eos() {
        for (int t = 0; t < tokenizer.vocabularySize(); t++) {
            if (tokenizer.isEndOfGeneration(t)) {
                return t;
            }
        }
        throw new IllegalStateException("no end-of-generation token");
    }

    /** Before the output decides, exactly the tokens that continue the opening tag or start the grammar are allowed. */
    @Test
    void atTheStartOnlyTheTagOrTheGrammar() {
        GrammarAfterThinking constraint = constraint(false);
        TokenFilter mask = constraint.forEveryToken();
        int allowed = 0;
        for (int t = 0; t < tokenizer.vocabularySize(); t++) {
            if (tokenizer.isEndOfGeneration(t) || tokenizer.isControl(t)) {
                assertThat(mask.allows(t)).isFalse();
                continue;
            }
            String text = new String(tokenizer.tokenBytes(t), StandardCharsets.UTF_8);
            String rest = text.replaceFirst("^[ \\t\\n\\x0B\\f\\r]+", "");
            boolean tag = rest.length() <= 7 ? "<think>".startsWith(rest) : rest.startsWith("<think>");
            boolean grammar = new GrammarMatcher(JsonGrammar.object()).accepts(tokenizer.tokenBytes(t));
            assertThat(mask.allows(t)).as("token %d %s", t, text).isEqualTo(tag || grammar);
            assertThat(constraint.allows(t)).isEqualTo(tag || grammar);
            allowed += mask.allows(t) ? 1 : 0;
        }
        assertThat(allowed).isPositive();
    }

    @Test
    void thinkingIsFreeAndTheAnswerFollowsTheGrammar() {
        GrammarAfterThinking constraint = constraint(false);
        walk(constraint, "\n<think>\nWhat shape? Not {valid JSON.");
        assertThat(constraint.allows(eos())).isTrue(); // the output may end while thinking
        walk(constraint, "</think>\n\n");
        assertThat(constraint.allows(tokenizer.encode("Sure", false, false)[0])).isFalse();
        assertThat(constraint.allows(eos())).isFalse();
        walk(constraint, "{\"a\": [1, 2]}");
        assertThat(constraint.isFinished()).isTrue();
    }

    @Test
    void anAnswerWithoutThinkingFollowsTheGrammarFromItsFirstByte() {
        GrammarAfterThinking constraint = constraint(false);
        walk(constraint, "{\"a\":");
        assertThat(constraint.allows(tokenizer.encode("<", false, false)[0])).isFalse();
        walk(constraint, " true}");
        assertThat(constraint.isFinished()).isTrue();
        GrammarAfterThinking tagStarted = constraint(false);
        walk(tagStarted, "<");
        assertThat(tagStarted.allows(tokenizer.encode("{", false, false)[0])).isFalse(); // "<" was no answer
    }

    @Test
    void aPrefilledThinkBlockStartsInThinking() {
        GrammarAfterThinking constraint = constraint(true);
        walk(constraint, "plan it</think>{}");
        assertThat(constraint.isFinished()).isTrue();
    }
}
