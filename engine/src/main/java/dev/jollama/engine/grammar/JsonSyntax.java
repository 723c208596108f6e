package dev.jollama.engine.grammar;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.jollama.engine.grammar.Expression.chars;
import static dev.jollama.engine.grammar.Expression.choice;
import static dev.jollama.engine.grammar.Expression.literal;
import static dev.jollama.engine.grammar.Expression.optional;
import static dev.jollama.engine.grammar.Expression.ref;
import static dev.jollama.engine.grammar.Expression.repeat;
import static dev.jollama.engine.grammar.Expression.sequence;
import static dev.jollama.engine.grammar.Expression.zeroOrMore;

/** The lexical pieces of JSON as expressions, shared by the "json" format and the schema compiler. */
final class JsonSyntax {
    /**
     * Whitespace between tokens, bounded (unlike the reference's {@code ws ::= ([ \t\n] ws)?}) so a model cannot
     * spin in it: nothing, one space, or a newline with up to 20 spaces or tabs of indentation.
     */
    static final Expression WHITESPACE = optional(choice(literal(" "),
            sequence(literal("\n"), repeat(chars(CharClass.anyOf(" \t")), 0, 20))));

    /** Characters JSON allows unescaped in strings. */
    static final CharClass UNESCAPED = CharClass.ANY.minus(CharClass.range(0, 0x1F).union(CharClass.anyOf("\"\\")));

    static final Expression DIGIT = chars('0', '9');
    static final Expression NONZERO_DIGIT = chars('1', '9');

    /** Any one string character, raw or as any escape (a {@code \\u} escape never names a lone surrogate). */
    static final Expression STRING_CHAR = choice(chars(UNESCAPED), sequence(literal("\\"), choice(
            chars(CharClass.anyOf("\"\\/bfnrt")), sequence(literal("u"), nonSurrogateHex()))));

    /** Any string, quotes included. */
    static final Expression STRING = quoted(Expression.zeroOrMore(STRING_CHAR));

    /**
     * Numbers as JSON writes them, with digit counts bounded as llama.cpp bounds them (16 integral and fraction
     * digits) and short exponents, so a number stays a double a parser can read exactly enough.
     */
    static final Expression INTEGER = sequence(optional(literal("-")), integralPart());
    static final Expression NUMBER = sequence(INTEGER, optional(sequence(literal("."), repeat(DIGIT, 1, 16))),
            optional(sequence(chars(CharClass.anyOf("eE")), optional(chars(CharClass.anyOf("+-"))), repeat(DIGIT, 1, 2))));

    static final String VALUE_RULE = "json-value";
    static final String OBJECT_RULE = "json-object";
    static final String ARRAY_RULE = "json-array";

    private JsonSyntax() {
    }

    static Expression quoted(Expression content) {
        return sequence(literal("\""), content, literal("\""));
    }

    /** {@code 0} or up to 16 digits without a leading zero. */
    static Expression integralPart() {
        return choice(literal("0"), sequence(NONZERO_DIGIT, repeat(DIGIT, 0, 15)));
    }

    /** Any JSON value, through the rules of {@link #valueRules()}. */
    static Expression anyValue() {
        return ref(VALUE_RULE);
    }

    /** The recursive rules of any JSON value: value, object, array. */
    static Map<String, Expression> valueRules() {
        Map<String, Expression> rules = new LinkedHashMap<>();
        rules.put(VALUE_RULE, choice(ref(OBJECT_RULE), ref(ARRAY_RULE), STRING, NUMBER,
                literal("true"), literal("false"), literal("null")));
        Expression member = sequence(STRING, WHITESPACE, literal(":"), WHITESPACE, anyValue());
        rules.put(OBJECT_RULE, braced("{", member, 0, Expression.Repeat.UNBOUNDED, "}"));
        rules.put(ARRAY_RULE, braced("[", anyValue(), 0, Expression.Repeat.UNBOUNDED, "]"));
        return rules;
    }

    /**
     * {@code open}, between {@code min} and {@code max} comma-separated items, {@code close}, with whitespace around
     * the punctuation (never two whitespace runs in a row).
     */
    static Expression braced(String open, Expression item, int min, int max, String close) {
        return sequence(literal(open), WHITESPACE, items(item, min, max), literal(close));
    }

    /** Comma-separated items, each followed by whitespace. */
    static Expression items(Expression item, int min, int max) {
        if (max == 0) {
            return Expression.empty();
        }
        Expression first = sequence(item, WHITESPACE);
        Expression more = sequence(literal(","), WHITESPACE, item, WHITESPACE);
        Expression rest = repeat(more, Math.max(0, min - 1), max == Expression.Repeat.UNBOUNDED ? max : max - 1);
        Expression some = sequence(first, rest);
        return min == 0 ? optional(some) : some;
    }

    /**
     * Each character of the class, written raw where JSON allows it and otherwise in one fixed escape; for
     * patterns, whose characters stand for decoded string content.
     */
    static Expression escapedChar(CharClass chars) {
        List<Expression> alternatives = new ArrayList<>();
        CharClass raw = chars.intersect(UNESCAPED);
        if (!raw.isEmpty()) {
            alternatives.add(chars(raw));
        }
        CharClass escaped = chars.minus(UNESCAPED);
        for (int r = 0; r < escaped.rangeCount(); r++) {
            for (int c = escaped.lo(r); c <= escaped.hi(r); c++) {
                alternatives.add(literal(escape(c)));
            }
        }
        return choice(alternatives);
    }

    /** The JSON escape of a character that cannot appear raw in a string. */
    static String escape(int c) {
        return switch (c) {
            case '"' -> "\\\"";
            case '\\' -> "\\\\";
            case '\b' -> "\\b";
            case '\f' -> "\\f";
            case '\n' -> "\\n";
            case '\r' -> "\\r";
            case '\t' -> "\\t";
            default -> String.format("\\u%04x", c);
        };
    }

    /** Four hex digits outside D800..DFFF. */
    private static Expression nonSurrogateHex() {
        Expression hex = chars(CharClass.range('0', '9').union(CharClass.range('a', 'f'), CharClass.range('A', 'F')));
        Expression notD = chars(CharClass.range('0', '9').union(CharClass.range('a', 'c'), CharClass.range('A', 'C'),
                CharClass.anyOf("eEfF")));
        return choice(sequence(notD, hex, hex, hex), sequence(chars(CharClass.anyOf("dD")), chars('0', '7'), hex, hex));
    }
}
