package dev.jollama.engine.grammar;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** format "json": one object from its brace, bounded whitespace inside, nothing after the closing brace. */
class JsonGrammarTest {
    private static final List<String> ACCEPTED = List.of(
            "{}", "{ }", "{\"a\":1}", "{\"a\": [1, 2.5, -3e+2, true, false, null, \"x\"]}",
            "{\n  \"nested\": {\"deep\": [[], {}, [{\"k\": \"v\"}]]}\n}",
            "{\"esc\": \"quote \\\" backslash \\\\ \\u00e9 \\n tab\\t\"}", "{\"utf8\": \"é€😀\"}",
            "{\"n\": 0, \"m\": -0.5, \"big\": 1234567890123456}");
    private static final List<String> REJECTED = List.of(
            "", " {}", "\n{}", "[]", "\"x\"", "1", "{} ", "{}\n", "{}{}", "{\"a\"}", "{\"a\":}", "{a:1}", "{\"a\":1,}", "{\"a\":01}",
            "{\"a\":1.}", "{\"a\":\"raw\ncontrol\"}", "{\"a\":\"\\x\"}", "{\"a\":\"\\ud800\"}", "{\"a\":tru}",
            "{\"a\":12345678901234567}", "{" + " ".repeat(2) + "}", "{\n" + " ".repeat(21) + "}", "{\n\n}");

    @Test
    void acceptsObjectsAndRejectsEverythingElse() {
        for (String text : ACCEPTED) {
            assertThat(GrammarMatcherTest.matches(JsonGrammar.object(), text)).as("accepts %s", text).isTrue();
        }
        for (String text : REJECTED) {
            assertThat(GrammarMatcherTest.matches(JsonGrammar.object(), text)).as("rejects %s", text).isFalse();
        }
    }

    @Test
    void nothingCanFollowTheClosingBrace() {
        GrammarMatcher matcher = new GrammarMatcher(JsonGrammar.object());
        assertThat(matcher.advance("{\"a\": [1]}")).isTrue();
        assertThat(matcher.isComplete()).isTrue();
        assertThat(matcher.canContinue()).isFalse();
    }
}
