package dev.jollama.engine.grammar;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

import static dev.jollama.engine.grammar.Expression.chars;
import static dev.jollama.engine.grammar.Expression.choice;
import static dev.jollama.engine.grammar.Expression.empty;
import static dev.jollama.engine.grammar.Expression.intersection;
import static dev.jollama.engine.grammar.Expression.literal;
import static dev.jollama.engine.grammar.Expression.nothing;
import static dev.jollama.engine.grammar.Expression.oneOrMore;
import static dev.jollama.engine.grammar.Expression.optional;
import static dev.jollama.engine.grammar.Expression.repeat;
import static dev.jollama.engine.grammar.Expression.sequence;
import static dev.jollama.engine.grammar.Expression.zeroOrMore;
import static dev.jollama.engine.grammar.JsonSyntax.DIGIT;

/**
 * Exactly the JSON numbers within bounds, as digit automata: integers by comparing digit strings of each length,
 * decimals by splitting at the integer part and comparing fractions digit by digit. Bounded numbers are written
 * without exponent, with at most 16 fraction digits; numbers never start with "-0".
 */
final class NumberRanges {
    /** A bound; {@code inclusive} false for exclusiveMinimum/exclusiveMaximum. */
    record Bound(BigDecimal value, boolean inclusive) {
    }

    /** Integer digits when there is no upper bound (more if the lower bound needs them). */
    private static final int UNBOUNDED_DIGITS = 16;
    private static final Expression FRACTION_LIMIT = optional(sequence(literal("."), repeat(DIGIT, 1, 16)));

    private NumberRanges() {
    }

    /** Integers between the bounds (either may be null); the empty language when none is. */
    static Expression integers(Bound lower, Bound upper) {
        BigInteger lo = lower == null ? null : lower.value().setScale(0, RoundingMode.CEILING).toBigInteger();
        if (lo != null && !lower.inclusive() && new BigDecimal(lo).compareTo(lower.value()) == 0) {
            lo = lo.add(BigInteger.ONE);
        }
        BigInteger hi = upper == null ? null : upper.value().setScale(0, RoundingMode.FLOOR).toBigInteger();
        if (hi != null && !upper.inclusive() && new BigDecimal(hi).compareTo(upper.value()) == 0) {
            hi = hi.subtract(BigInteger.ONE);
        }
        List<Expression> parts = new ArrayList<>();
        if (lo == null || lo.signum() < 0) {
            // Negative x: "-" and |x| in [max(1, -hi), -lo].
            BigInteger negLo = hi == null || hi.signum() >= 0 ? BigInteger.ONE : hi.negate();
            BigInteger negHi = lo == null ? null : lo.negate();
            parts.add(sequence(literal("-"), naturals(negLo, negHi)));
        }
        if (hi == null || hi.signum() >= 0) {
            parts.add(naturals(lo == null || lo.signum() < 0 ? BigInteger.ZERO : lo, hi));
        }
        return choice(parts);
    }

    /** Decimal numbers between the bounds (either may be null). */
    static Expression decimals(Bound lower, Bound upper) {
        Bound zeroIncluded = new Bound(BigDecimal.ZERO, true);
        Bound zeroExcluded = new Bound(BigDecimal.ZERO, false);
        List<Expression> parts = new ArrayList<>();
        if (lower == null || lower.value().signum() < 0) {
            // Negative x = -y with y in (or at) [-upper, -lower], and y > 0 so that "-0" never appears.
            Bound yLower = upper != null && upper.value().signum() < 0 ? new Bound(upper.value().negate(), upper.inclusive()) : zeroExcluded;
            Bound yUpper = lower == null ? null : new Bound(lower.value().negate(), lower.inclusive());
            parts.add(sequence(literal("-"), nonNegative(yLower, yUpper)));
        }
        if (upper == null || upper.value().signum() >= 0) {
            parts.add(nonNegative(lower == null || lower.value().signum() < 0 ? zeroIncluded : lower, upper));
        }
        return choice(parts);
    }

    /** Canonical decimal digit strings (no leading zeros) of the integers in [lo, hi]; hi null for no limit. */
    private static Expression naturals(BigInteger lo, BigInteger hi) {
        if (hi != null && lo.compareTo(hi) > 0) {
            return nothing();
        }
        String low = lo.toString();
        int maxLength = hi == null ? Math.max(UNBOUNDED_DIGITS, low.length()) : hi.toString().length();
        List<Expression> byLength = new ArrayList<>();
        for (int length = low.length(); length <= maxLength; length++) {
            String first = length == low.length() ? low : "1" + "0".repeat(length - 1);
            String last = hi != null && length == maxLength ? hi.toString() : "9".repeat(length);
            byLength.add(sameLength(first, last));
        }
        return choice(byLength);
    }

    /** Digit strings of one length between two of that length (inclusive), digit by digit. */
    private static Expression sameLength(String first, String last) {
        if (first.isEmpty()) {
            return empty();
        }
        char a = first.charAt(0);
        char b = last.charAt(0);
        String restFirst = first.substring(1);
        String restLast = last.substring(1);
        if (a == b) {
            return sequence(literal(String.valueOf(a)), sameLength(restFirst, restLast));
        }
        String lowest = "0".repeat(restFirst.length());
        String highest = "9".repeat(restFirst.length());
        if (restFirst.equals(lowest) && restLast.equals(highest)) {
            return sequence(chars(a, b), repeat(DIGIT, restFirst.length(), restFirst.length()));
        }
        List<Expression> parts = new ArrayList<>();
        parts.add(sequence(literal(String.valueOf(a)), sameLength(restFirst, highest)));
        if (b - a > 1) {
            parts.add(sequence(chars(a + 1, b - 1), repeat(DIGIT, restFirst.length(), restFirst.length())));
        }
        parts.add(sequence(literal(String.valueOf(b)), sameLength(lowest, restLast)));
        return choice(parts);
    }

    /** Non-negative decimals between a lower bound (at least zero) and an upper bound (null for none). */
    private static Expression nonNegative(Bound lower, Bound upper) {
        if (upper != null) {
            int order = lower.value().compareTo(upper.value());
            if (order > 0 || (order == 0 && !(lower.inclusive() && upper.inclusive()))) {
                return nothing();
            }
        }
        BigInteger lowInt = lower.value().toBigInteger();
        String lowFraction = fractionDigits(lower.value());
        Expression atLowInt = sequence(naturals(lowInt, lowInt), fractionAtLeast(lowFraction, lower.inclusive()));
        Expression anyFraction = optional(sequence(literal("."), oneOrMore(DIGIT)));
        Expression number;
        if (upper == null) {
            number = choice(atLowInt, sequence(naturals(lowInt.add(BigInteger.ONE), null), anyFraction));
        } else {
            BigInteger highInt = upper.value().toBigInteger();
            String highFraction = fractionDigits(upper.value());
            Expression atHighFraction = fractionAtMost(highFraction, upper.inclusive());
            if (lowInt.equals(highInt)) {
                number = sequence(naturals(lowInt, lowInt),
                        intersection(fractionAtLeast(lowFraction, lower.inclusive()), atHighFraction));
            } else {
                number = choice(atLowInt,
                        sequence(naturals(lowInt.add(BigInteger.ONE), highInt.subtract(BigInteger.ONE)), anyFraction),
                        sequence(naturals(highInt, highInt), atHighFraction));
            }
        }
        return limitFraction(number);
    }

    /** Keeps at most 16 fraction digits, as unbounded numbers have. */
    private static Expression limitFraction(Expression number) {
        return intersection(number, sequence(oneOrMore(DIGIT), FRACTION_LIMIT));
    }

    /** The fraction digits of a non-negative value without trailing zeros ("" for an integer). */
    private static String fractionDigits(BigDecimal value) {
        BigDecimal fraction = value.subtract(new BigDecimal(value.toBigInteger())).stripTrailingZeros();
        return fraction.signum() == 0 ? "" : fraction.toPlainString().substring(2);
    }

    /** An optional ".digits" whose value 0.digits is at least (or above) 0.{@code d}. */
    private static Expression fractionAtLeast(String d, boolean inclusive) {
        if (d.isEmpty()) {
            return inclusive
                    ? optional(sequence(literal("."), oneOrMore(DIGIT)))
                    : sequence(literal("."), zeroOrMore(DIGIT), chars('1', '9'), zeroOrMore(DIGIT));
        }
        return sequence(literal("."), digitsAtLeast(d, inclusive));
    }

    /** Digit strings s (at least one digit) with 0.s at least (or above) 0.d, d non-empty without trailing zeros. */
    private static Expression digitsAtLeast(String d, boolean inclusive) {
        char first = d.charAt(0);
        String rest = d.substring(1);
        List<Expression> parts = new ArrayList<>();
        if (first < '9') {
            parts.add(sequence(chars(first + 1, '9'), zeroOrMore(DIGIT)));
        }
        Expression tail;
        if (rest.isEmpty()) {
            tail = inclusive ? zeroOrMore(DIGIT) : sequence(zeroOrMore(DIGIT), chars('1', '9'), zeroOrMore(DIGIT));
        } else {
            tail = digitsAtLeast(rest, inclusive);
        }
        parts.add(sequence(literal(String.valueOf(first)), tail));
        return choice(parts);
    }

    /** An optional ".digits" whose value 0.digits is at most (or below) 0.{@code d}. */
    private static Expression fractionAtMost(String d, boolean inclusive) {
        if (d.isEmpty()) {
            return inclusive ? optional(sequence(literal("."), oneOrMore(literal("0")))) : nothing();
        }
        return optional(sequence(literal("."), digitsAtMost(d, inclusive)));
    }

    /** Digit strings s (at least one digit) with 0.s at most (or below) 0.d, d non-empty without trailing zeros. */
    private static Expression digitsAtMost(String d, boolean inclusive) {
        char first = d.charAt(0);
        String rest = d.substring(1);
        List<Expression> parts = new ArrayList<>();
        if (first > '0') {
            parts.add(sequence(chars('0', first - 1), zeroOrMore(DIGIT)));
        }
        if (rest.isEmpty()) {
            if (inclusive) {
                parts.add(sequence(literal(String.valueOf(first)), zeroOrMore(literal("0"))));
            }
        } else {
            parts.add(sequence(literal(String.valueOf(first)), optional(digitsAtMost(rest, inclusive))));
        }
        return choice(parts);
    }
}
