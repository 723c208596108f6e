package dev.jollama.engine.grammar;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jollama.engine.SharedTestData;
import dev.jollama.engine.gguf.GgufFile;
import dev.jollama.engine.sampling.TokenFilter;
import dev.jollama.engine.tokenizer.Tokenizer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The trie-walk mask against a brute-force check of every token, on real vocabularies. */
class GrammarConstraintTest {
    /** Walked byte by byte; the mask is compared at every prefix. Splits characters and escapes across tokens. */
    private static final String JSON = "{\"name\": \"Zoë 😀 \\\"q\\\" \\u00e9\",\n  \"list\": [1, -2.5e3, true, null, {}],\n  \"x\":{\"y\":[[]]}}";

    private static Tokenizer load(String vocabulary) {
        try (GgufFile file = GgufFile.open(SharedTestData.root().resolve("tokenizer/ggml-vocab-" + vocabulary + ".gguf"))) {
            return Tokenizer.fromGguf(file);
        }
    }

    /** A schema with recursion, bounded lengths and counts, a pattern and a format, and a valid text for it. */
    private static final String SCHEMA = "{'$defs':{'n':{'type':'object','properties':{'id':{'type':'string','pattern':'^[a-z]{2}\\\\d$'},"
            + "'at':{'type':'string','format':'date'},'kids':{'type':'array','items':{'$ref':'#/$defs/n'},'maxItems':2}},'required':['id','kids']}},'$ref':'#/$defs/n'}";
    private static final String SCHEMA_TEXT = "{\"id\": \"ab1\", \"at\":\"2024-02-29\", \"kids\": [{\"id\":\"zz9\",\"kids\":[]}]}";

    @Test
    void maskEqualsBruteForceOnGpt2() {
        assertMaskEqualsBruteForce(load("gpt-2"), JsonGrammar.object(), JSON);
    }

    @Test
    void maskEqualsBruteForceOnLlamaSpm() {
        assertMaskEqualsBruteForce(load("llama-spm"), JsonGrammar.object(), JSON);
    }

    @Test
    void maskEqualsBruteForceUnderASchema() throws Exception {
        Object schema = new ObjectMapper().readValue(SCHEMA.replace('\'', '"'), Object.class);
        assertMaskEqualsBruteForce(load("gpt-2"), JsonSchemaCompiler.compile(schema, JsonSchemaCompilerTest.STRICT), SCHEMA_TEXT);
    }

    private static void assertMaskEqualsBruteForce(Tokenizer tokenizer, Grammar grammar, String json) {
        byte[] text = json.getBytes(StandardCharsets.UTF_8);
        boolean[] printable = new boolean[tokenizer.vocabularySize()];
        for (int token = 0; token < printable.length; token++) {
            printable[token] = !tokenizer.isControl(token) && tokenizer.tokenBytes(token).length > 0
                    && !tokenizer.decode(new int[] {token}).isEmpty();
        }
        GrammarMatcher walked = new GrammarMatcher(grammar);
        for (int prefix = 0; prefix <= text.length; prefix++) {
            GrammarConstraint constraint = new GrammarConstraint(walked.copy(), TokenTrie.of(tokenizer));
            TokenFilter mask = constraint.forEveryToken();
            List<Integer> differences = new ArrayList<>();
            int allowed = 0;
            for (int token = 0; token < tokenizer.vocabularySize(); token++) {
                boolean expected = bruteForceAllows(walked, tokenizer, printable, token);
                if (mask.allows(token) != expected || constraint.allows(token) != expected) {
                    differences.add(token);
                }
                allowed += expected ? 1 : 0;
            }
            assertThat(differences).as("tokens judged differently after %d bytes", prefix).isEmpty();
            assertThat(allowed).as("some token allowed after %d bytes", prefix).isPositive();
            if (prefix < text.length) {
                walked.advance(new byte[] {text[prefix]});
            }
        }
    }

    /** An independent check: end-of-generation when complete, others if they print their bytes and those match. */
    private static boolean bruteForceAllows(GrammarMatcher matcher, Tokenizer tokenizer, boolean[] printable, int token) {
        if (tokenizer.isEndOfGeneration(token)) {
            return matcher.isComplete();
        }
        return printable[token] && matcher.copy().advance(tokenizer.tokenBytes(token));
    }

    @Test
    void endOfGenerationOnlyWhenCompleteAndAcceptRejectsWhatTheGrammarForbids() {
        Tokenizer tokenizer = load("gpt-2");
        GrammarConstraint constraint = new GrammarConstraint(JsonGrammar.object(), tokenizer);
        int eos = tokenizer.eosToken();
        int brace = tokenizer.encode("{", false, false)[0];
        int close = tokenizer.encode("}", false, false)[0];
        assertThat(constraint.allows(eos)).isFalse();
        assertThatThrownBy(() -> constraint.accept(close)).isInstanceOf(IllegalArgumentException.class);
        constraint.accept(brace);
        constraint.accept(close);
        assertThat(constraint.isComplete()).isTrue();
        assertThat(constraint.isFinished()).isTrue();
        assertThat(constraint.allows(eos)).isTrue();
        assertThat(constraint.forEveryToken().allows(eos)).isTrue();
        assertThat(constraint.allows(brace)).isFalse();
    }
}
