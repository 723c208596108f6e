package dev.jollama.engine.grammar;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A piece of grammar over bytes: the language of one rule body. Built with the static factories; nodes may be shared
 * (a node used twice with the same continuation is compiled once), so a grammar can be a DAG rather than a tree.
 */
public sealed interface Expression {

    /** One byte in {@code lo..hi} (0..255). */
    record ByteRange(int lo, int hi) implements Expression {
        public ByteRange {
            if (lo < 0 || hi > 255 || lo > hi) {
                throw new IllegalArgumentException("bad byte range " + lo + ".." + hi);
            }
        }
    }

    /** Each item in turn; no items is the empty string. */
    record Sequence(List<Expression> items) implements Expression {
        public Sequence {
            items = List.copyOf(items);
        }
    }

    /** Any one of the alternatives; no alternatives is the empty language (nothing matches). */
    record Choice(List<Expression> alternatives) implements Expression {
        public Choice {
            alternatives = List.copyOf(alternatives);
        }
    }

    /** {@code body} between {@code min} and {@code max} times; {@code max} {@link #UNBOUNDED} has no limit. */
    record Repeat(Expression body, int min, int max) implements Expression {
        public static final int UNBOUNDED = -1;

        public Repeat {
            if (min < 0 || (max != UNBOUNDED && max < min)) {
                throw new IllegalArgumentException("bad repetition bounds {" + min + "," + max + "}");
            }
        }
    }

    /** The body of the named rule of the grammar; rules may be recursive (but not left-recursive). */
    record RuleRef(String name) implements Expression {
    }

    /** What both match. Neither side may refer to rules: the intersection is built as a product of automata. */
    record Intersection(Expression left, Expression right) implements Expression {
    }

    static Expression empty() {
        return new Sequence(List.of());
    }

    static Expression nothing() {
        return new Choice(List.of());
    }

    static Expression literal(String text) {
        return bytes(text.getBytes(StandardCharsets.UTF_8));
    }

    static Expression bytes(byte[] bytes) {
        List<Expression> items = new ArrayList<>(bytes.length);
        for (byte b : bytes) {
            items.add(new ByteRange(b & 0xFF, b & 0xFF));
        }
        return items.size() == 1 ? items.getFirst() : new Sequence(items);
    }

    /** One character of the class, UTF-8 encoded. */
    static Expression chars(CharClass chars) {
        return Utf8Ranges.of(chars);
    }

    static Expression chars(int lo, int hi) {
        return chars(CharClass.range(lo, hi));
    }

    static Expression sequence(Expression... items) {
        return items.length == 1 ? items[0] : new Sequence(List.of(items));
    }

    static Expression sequence(List<Expression> items) {
        return items.size() == 1 ? items.getFirst() : new Sequence(items);
    }

    static Expression choice(Expression... alternatives) {
        return alternatives.length == 1 ? alternatives[0] : new Choice(List.of(alternatives));
    }

    static Expression choice(List<Expression> alternatives) {
        return alternatives.size() == 1 ? alternatives.getFirst() : new Choice(alternatives);
    }

    static Expression optional(Expression body) {
        return new Repeat(body, 0, 1);
    }

    static Expression zeroOrMore(Expression body) {
        return new Repeat(body, 0, Repeat.UNBOUNDED);
    }

    static Expression oneOrMore(Expression body) {
        return new Repeat(body, 1, Repeat.UNBOUNDED);
    }

    static Expression repeat(Expression body, int min, int max) {
        return new Repeat(body, min, max);
    }

    static Expression ref(String rule) {
        return new RuleRef(rule);
    }

    static Expression intersection(Expression left, Expression right) {
        return new Intersection(left, right);
    }
}
