package dev.jollama.engine.grammar;

import java.util.ArrayList;
import java.util.List;

import static dev.jollama.engine.grammar.Expression.choice;
import static dev.jollama.engine.grammar.Expression.repeat;
import static dev.jollama.engine.grammar.Expression.sequence;
import static dev.jollama.engine.grammar.Expression.zeroOrMore;

/**
 * Translates a JSON Schema {@code pattern} (an ECMA-262 regular expression) into an expression over the content of a
 * JSON string: characters of the pattern appear raw or in their JSON escape. Like a validator, the pattern matches
 * anywhere unless anchored, so an unanchored side may have any characters around the match.
 *
 * <p>Supported: literals, {@code .}, classes with ranges and negation, {@code \d \w \s \D \W \S}, escapes
 * ({@code \t \n \r \f \v \0 \xHH \\uHHHH} and escaped punctuation), groups {@code (...)}, {@code (?:...)},
 * {@code (?<name>...)}, alternation, quantifiers {@code * + ? {n} {n,} {n,m}} (greedy or lazy, which match the same
 * strings), and {@code ^}/{@code $} at the ends of top-level alternatives. Not supported (a {@link SchemaException}):
 * lookaround, backreferences, word boundaries and anchors elsewhere. Where ECMA-262 and Java regexes differ (Unicode
 * spaces in {@code \s}, line terminators for {@code .}), only characters both agree on are generated.
 */
final class RegexPattern {
    /** Java's {@code \s} is ASCII; ECMA's also has Unicode spaces: generate the ones both match. */
    private static final CharClass SPACE = CharClass.anyOf(" \t\n\u000B\f\r");
    /** ECMA's {@code \s}; its complement is what both engines take as {@code \S}. */
    private static final CharClass ECMA_SPACE = SPACE.union(CharClass.anyOf("\u00A0\u1680\u2028\u2029\u202F\u205F\u3000\uFEFF"),
            CharClass.range(0x2000, 0x200A));
    private static final CharClass DIGITS = CharClass.range('0', '9');
    private static final CharClass WORD = DIGITS.union(CharClass.range('a', 'z'), CharClass.range('A', 'Z'), CharClass.of('_'));
    /** Line terminators of either engine, which {@code .} does not match. */
    private static final CharClass DOT = CharClass.anyOf("\n\r\u0085\u2028\u2029").complement();
    private static final int MAX_REPEAT = 1000;

    private final int[] pattern;
    private final String pointer;
    private int position;

    private RegexPattern(String pattern, String pointer) {
        this.pattern = pattern.codePoints().toArray();
        this.pointer = pointer;
    }

    /** The content of a JSON string (no quotes) that matches the pattern somewhere. */
    static Expression compile(String pattern, String pointer) {
        return new RegexPattern(pattern, pointer).topLevel();
    }

    private Expression topLevel() {
        List<Expression> alternatives = new ArrayList<>();
        do {
            boolean anchoredStart = take('^');
            Expression body = sequenceUntilAlternation();
            boolean anchoredEnd = take('$');
            if (position < pattern.length && peek() != '|') {
                throw error(peek() == ')' ? "unmatched \")\"" : "\"$\" is supported only at the end of the pattern");
            }
            Expression anything = zeroOrMore(JsonSyntax.STRING_CHAR);
            alternatives.add(sequence(anchoredStart ? Expression.empty() : anything, body,
                    anchoredEnd ? Expression.empty() : anything));
        } while (take('|'));
        return choice(alternatives);
    }

    /** Inside a group, where anchors are not supported. */
    private Expression alternation() {
        List<Expression> alternatives = new ArrayList<>();
        do {
            alternatives.add(sequenceUntilAlternation());
            if (peek() == '$') {
                throw unsupported("\"$\" is supported only at the end of the pattern");
            }
        } while (take('|'));
        return choice(alternatives);
    }

    private Expression sequenceUntilAlternation() {
        List<Expression> items = new ArrayList<>();
        // A "$" ends the sequence: the callers accept it only at the end of a top-level alternative.
        while (position < pattern.length && peek() != '|' && peek() != ')' && peek() != '$') {
            items.add(quantified(atom()));
        }
        return sequence(items);
    }

    private Expression atom() {
        int c = next();
        return switch (c) {
            case '(' -> group();
            case '[' -> JsonSyntax.escapedChar(characterClass());
            case '.' -> JsonSyntax.escapedChar(DOT);
            case '\\' -> JsonSyntax.escapedChar(escape(false));
            case '^' -> throw unsupported("\"^\" is supported only at the start of the pattern");
            case '*', '+', '?' -> throw error("nothing to repeat before \"" + Character.toString(c) + "\"");
            default -> JsonSyntax.escapedChar(CharClass.of(c));
        };
    }

    private Expression group() {
        if (take('?')) {
            boolean lookbehind = peek() == '<' && position + 1 < pattern.length && (pattern[position + 1] == '=' || pattern[position + 1] == '!');
            if (peek() == '=' || peek() == '!' || lookbehind) {
                throw unsupported("lookaround assertions are not supported");
            }
            if (take('<')) {
                while (next() != '>') {
                    // skip the group's name
                }
            } else if (!take(':')) {
                throw unsupported("group modifiers are not supported");
            }
        }
        Expression inner = alternation();
        if (!take(')')) {
            throw error("unclosed group");
        }
        return inner;
    }

    private Expression quantified(Expression atom) {
        if (position >= pattern.length) {
            return atom;
        }
        int min;
        int max;
        int start = position;
        switch (peek()) {
            case '*' -> { position++; min = 0; max = Expression.Repeat.UNBOUNDED; }
            case '+' -> { position++; min = 1; max = Expression.Repeat.UNBOUNDED; }
            case '?' -> { position++; min = 0; max = 1; }
            case '{' -> {
                position++;
                int[] bounds = braceBounds();
                if (bounds == null) {
                    position = start; // a literal "{", as ECMA-262 allows outside unicode mode
                    return atom;
                }
                min = bounds[0];
                max = bounds[1];
            }
            default -> { return atom; }
        }
        take('?'); // lazy quantifiers match the same strings
        if (min > MAX_REPEAT || max > MAX_REPEAT) {
            throw unsupported("repetition counts above " + MAX_REPEAT + " are not supported");
        }
        if (max != Expression.Repeat.UNBOUNDED && max < min) {
            throw error("numbers out of order in {} quantifier");
        }
        return repeat(atom, min, max);
    }

    /** After "{": "n}", "n,}" or "n,m}"; null (position unspecified) when it is not a quantifier. */
    private int[] braceBounds() {
        Integer min = number();
        if (min == null) {
            return null;
        }
        int max = min;
        if (take(',')) {
            Integer upper = number();
            max = upper == null ? Expression.Repeat.UNBOUNDED : upper;
        }
        return take('}') ? new int[] {min, max} : null;
    }

    private Integer number() {
        int start = position;
        long value = 0;
        while (position < pattern.length && peek() >= '0' && peek() <= '9') {
            value = Math.min(value * 10 + (next() - '0'), Integer.MAX_VALUE);
        }
        return position == start ? null : (int) value;
    }

    private CharClass characterClass() {
        boolean negated = take('^');
        CharClass members = CharClass.NONE;
        while (!take(']')) {
            if (position >= pattern.length) {
                throw error("unclosed character class");
            }
            CharClass low = classAtom();
            if (peek() == '-' && position + 1 < pattern.length && pattern[position + 1] != ']') {
                position++;
                CharClass high = classAtom();
                if (low.rangeCount() != 1 || low.lo(0) != low.hi(0) || high.rangeCount() != 1 || high.lo(0) != high.hi(0)) {
                    throw error("a class escape cannot bound a range");
                }
                if (low.lo(0) > high.lo(0)) {
                    throw error("range out of order in character class");
                }
                members = members.union(CharClass.range(low.lo(0), high.lo(0)));
            } else {
                members = members.union(low);
            }
        }
        return negated ? members.complement() : members;
    }

    private CharClass classAtom() {
        int c = next();
        return c == '\\' ? escape(true) : CharClass.of(c);
    }

    /** After a backslash. {@code \b} is a backspace inside classes and a word boundary (unsupported) outside. */
    private CharClass escape(boolean inClass) {
        if (position >= pattern.length) {
            throw error("\\ at end of pattern");
        }
        int c = next();
        return switch (c) {
            case 'd' -> DIGITS;
            case 'D' -> DIGITS.complement();
            case 'w' -> WORD;
            case 'W' -> WORD.complement();
            case 's' -> SPACE;
            case 'S' -> ECMA_SPACE.complement();
            case 't' -> CharClass.of('\t');
            case 'n' -> CharClass.of('\n');
            case 'r' -> CharClass.of('\r');
            case 'f' -> CharClass.of('\f');
            case 'v' -> CharClass.of(0x0B);
            case '0' -> CharClass.of(0);
            case 'x' -> CharClass.of(hex(2));
            case 'u' -> CharClass.of(hex(4));
            case 'b' -> {
                if (inClass) {
                    yield CharClass.of('\b');
                }
                throw unsupported("word boundaries (\\b) are not supported");
            }
            case 'B' -> throw unsupported("word boundaries (\\B) are not supported");
            case 'k' -> throw unsupported("backreferences are not supported");
            case 'p', 'P' -> throw unsupported("Unicode property escapes are not supported");
            case 'c' -> CharClass.of(next() % 32);
            default -> {
                if (c >= '1' && c <= '9') {
                    throw unsupported("backreferences are not supported");
                }
                if (Character.isLetterOrDigit(c)) {
                    throw error("unknown escape \\" + Character.toString(c));
                }
                yield CharClass.of(c);
            }
        };
    }

    private int hex(int digits) {
        int value = 0;
        for (int i = 0; i < digits; i++) {
            int digit = position < pattern.length ? Character.digit(next(), 16) : -1;
            if (digit < 0) {
                throw error("bad hexadecimal escape");
            }
            value = value * 16 + digit;
        }
        if (value >= 0xD800 && value <= 0xDFFF) {
            throw unsupported("surrogate code units are not supported");
        }
        return value;
    }

    private int peek() {
        return position < pattern.length ? pattern[position] : -1;
    }

    private int next() {
        if (position >= pattern.length) {
            throw error("unexpected end of pattern");
        }
        return pattern[position++];
    }

    private boolean take(int c) {
        if (peek() == c) {
            position++;
            return true;
        }
        return false;
    }

    /** A valid ECMA-262 pattern using a feature the grammar cannot express. */
    private SchemaException unsupported(String problem) {
        return SchemaException.unsupported("pattern", pointer, problem + " in /" + new String(pattern, 0, pattern.length) + "/");
    }

    private SchemaException error(String problem) {
        return SchemaException.invalid("pattern", pointer, problem + " in /" + new String(pattern, 0, pattern.length) + "/");
    }
}
