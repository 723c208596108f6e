package dev.jollama.engine.grammar;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static dev.jollama.engine.grammar.Expression.chars;
import static dev.jollama.engine.grammar.Expression.choice;
import static dev.jollama.engine.grammar.Expression.intersection;
import static dev.jollama.engine.grammar.Expression.literal;
import static dev.jollama.engine.grammar.Expression.oneOrMore;
import static dev.jollama.engine.grammar.Expression.optional;
import static dev.jollama.engine.grammar.Expression.ref;
import static dev.jollama.engine.grammar.Expression.repeat;
import static dev.jollama.engine.grammar.Expression.sequence;
import static dev.jollama.engine.grammar.Expression.zeroOrMore;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The matcher on hand-built grammars: whole-input matches, prefixes, byte-split characters, recursion. */
class GrammarMatcherTest {

    private record Case(String name, Grammar grammar, List<String> matches, List<String> rejects) {}

    private static final Map<String, Expression> NESTED = Map.of(
            "list", sequence(literal("("), zeroOrMore(ref("item")), literal(")")),
            "item", choice(literal("x"), ref("list")));

    private static final List<Case> CASES = List.of(
            new Case("literal", Grammar.of(literal("abc")), List.of("abc"), List.of("", "ab", "abcd", "abd")),
            new Case("choice", Grammar.of(choice(literal("cat"), literal("car"), literal("c"))),
                    List.of("cat", "car", "c"), List.of("ca", "cart", "d")),
            new Case("bounded repeat", Grammar.of(repeat(literal("ab"), 2, 3)),
                    List.of("abab", "ababab"), List.of("", "ab", "abababab", "aba")),
            new Case("unbounded repeat", Grammar.of(sequence(literal("<"), oneOrMore(chars('0', '9')), literal(">"))),
                    List.of("<0>", "<0123456789>"), List.of("<>", "<a>", "<1")),
            new Case("nullable loop body", Grammar.of(zeroOrMore(optional(literal("a")))),
                    List.of("", "a", "aaaa"), List.of("b")),
            new Case("utf-8 classes", Grammar.of(oneOrMore(chars(0x80, 0x10FFFF))),
                    List.of("é", "€", "😀", "é€😀"), List.of("e", "é!")),
            new Case("recursion", Grammar.of(ref("list"), NESTED),
                    List.of("()", "(x)", "((x)x(()))"), List.of("(", "(()", "())", "x")),
            new Case("dead ends are trimmed", Grammar.of(choice(sequence(literal("a"), Expression.nothing()),
                    intersection(sequence(literal("b"), choice(literal("x"), literal("y")), literal("1")), sequence(literal("b"), literal("y"), zeroOrMore(chars('0', '9')))))),
                    List.of("by1"), List.of("a", "bx")),
            new Case("intersection", Grammar.of(intersection(repeat(chars('a', 'z'), 2, 3), sequence(literal("a"), zeroOrMore(chars('a', 'z'))))),
                    List.of("ab", "abc"), List.of("a", "ba", "abcd")));

    @Test
    void matchesAndRejectsWholeInputs() {
        for (Case c : CASES) {
            for (String text : c.matches()) {
                assertThat(matches(c.grammar(), text)).as("%s accepts %s", c.name(), text).isTrue();
            }
            for (String text : c.rejects()) {
                assertThat(matches(c.grammar(), text)).as("%s rejects %s", c.name(), text).isFalse();
            }
        }
    }

    @Test
    void everyPrefixOfAMatchIsAccepted() {
        for (Case c : CASES) {
            for (String text : c.matches()) {
                byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
                GrammarMatcher matcher = new GrammarMatcher(c.grammar());
                for (byte b : bytes) {
                    assertThat(matcher.advance(new byte[] {b})).as("%s byte by byte through %s", c.name(), text).isTrue();
                }
                assertThat(matcher.isComplete()).isTrue();
            }
        }
    }

    @Test
    void aRejectedAdvanceLeavesTheMatcherWhereItWas() {
        GrammarMatcher matcher = new GrammarMatcher(Grammar.of(literal("abc")));
        assertThat(matcher.advance("ab")).isTrue();
        assertThat(matcher.advance("x")).isFalse();
        assertThat(matcher.advance("c")).isTrue();
        assertThat(matcher.isComplete()).isTrue();
        assertThat(matcher.canContinue()).isFalse();
    }

    @Test
    void copiesAdvanceIndependently() {
        GrammarMatcher matcher = new GrammarMatcher(Grammar.of(choice(literal("ab"), literal("ac"))));
        matcher.advance("a");
        GrammarMatcher copy = matcher.copy();
        assertThat(copy.advance("b")).isTrue();
        assertThat(matcher.accepts("c".getBytes(StandardCharsets.UTF_8))).isTrue();
        assertThat(matcher.isComplete()).isFalse();
        assertThat(copy.isComplete()).isTrue();
    }

    @Test
    void leftRecursionAndMissingRulesAreRejected() {
        assertThatThrownBy(() -> Grammar.of(ref("a"), Map.of("a", choice(literal("x"), sequence(ref("a"), literal("y"))))))
                .hasMessageContaining("rule 'a' can call itself without reading input");
        assertThatThrownBy(() -> Grammar.of(ref("a"), Map.of("a", sequence(optional(literal("x")), ref("b")), "b", ref("a"))))
                .hasMessageContaining("can call itself without reading input");
        assertThatThrownBy(() -> Grammar.of(ref("missing"))).hasMessageContaining("no rule named 'missing'");
    }

    static boolean matches(Grammar grammar, String text) {
        GrammarMatcher matcher = new GrammarMatcher(grammar);
        return matcher.advance(text) && matcher.isComplete();
    }
}
