package dev.jollama.engine.grammar;

import static dev.jollama.engine.grammar.Expression.chars;
import static dev.jollama.engine.grammar.Expression.choice;
import static dev.jollama.engine.grammar.Expression.literal;
import static dev.jollama.engine.grammar.Expression.optional;
import static dev.jollama.engine.grammar.Expression.repeat;
import static dev.jollama.engine.grammar.Expression.sequence;

/**
 * The string formats the schema compiler enforces, as the content of a JSON string. Dates are real calendar dates
 * (leap years included) of years 1000 to 9999; times are RFC 3339 full-time with seconds up to 59 (no leap
 * seconds) and a required offset of at most 18 hours.
 */
final class StringFormats {
    private static final Expression DIGIT = JsonSyntax.DIGIT;
    private static final Expression HEX = chars(CharClass.range('0', '9').union(CharClass.range('a', 'f'), CharClass.range('A', 'F')));

    private static final Expression YEAR = sequence(chars('1', '9'), repeat(DIGIT, 3, 3));
    private static final Expression LEAP_YEAR = choice(
            sequence(chars('1', '9'), DIGIT, multipleOfFourUpTo96(false)),
            sequence(multipleOfFourUpTo96(true), literal("00")));
    private static final Expression MONTH_DAY = choice(
            sequence(choice(sequence(literal("0"), chars('1', '9')), sequence(literal("1"), chars('0', '2'))),
                    literal("-"), choice(sequence(literal("0"), chars('1', '9')), sequence(literal("1"), DIGIT),
                            sequence(literal("2"), chars('0', '8')))),
            sequence(choice(sequence(literal("0"), chars(CharClass.anyOf("13456789"))), sequence(literal("1"), chars('0', '2'))),
                    literal("-"), choice(literal("29"), literal("30"))),
            sequence(choice(sequence(literal("0"), chars(CharClass.anyOf("13578"))), sequence(literal("1"), chars(CharClass.anyOf("02")))),
                    literal("-31")));
    static final Expression DATE = choice(sequence(YEAR, literal("-"), MONTH_DAY), sequence(LEAP_YEAR, literal("-02-29")));

    private static final Expression HOUR = choice(sequence(chars('0', '1'), DIGIT), sequence(literal("2"), chars('0', '3')));
    private static final Expression MINUTE = sequence(chars('0', '5'), DIGIT);
    /** Up to 18:00, the range of Java's ZoneOffset, which validators parse offsets with (RFC 3339 allows 23:59). */
    private static final Expression OFFSET = choice(sequence(choice(sequence(literal("0"), DIGIT), sequence(literal("1"), chars('0', '7'))),
            literal(":"), MINUTE), literal("18:00"));
    static final Expression TIME = sequence(HOUR, literal(":"), MINUTE, literal(":"), MINUTE,
            optional(sequence(literal("."), repeat(DIGIT, 1, 9))),
            choice(literal("Z"), sequence(chars(CharClass.anyOf("+-")), OFFSET)));
    static final Expression DATE_TIME = sequence(DATE, literal("T"), TIME);

    static final Expression UUID = sequence(repeat(HEX, 8, 8), literal("-"), repeat(HEX, 4, 4), literal("-"),
            repeat(HEX, 4, 4), literal("-"), repeat(HEX, 4, 4), literal("-"), repeat(HEX, 12, 12));

    private StringFormats() {
    }

    /** The content for a format, or null for formats that are not enforced (they are annotations by default). */
    static Expression of(String format) {
        return switch (format) {
            case "date" -> DATE;
            case "time" -> TIME;
            case "date-time" -> DATE_TIME;
            case "uuid" -> UUID;
            default -> null;
        };
    }

    /** Two digits divisible by 4: 04..96, or with {@code nonZeroTens} 12..96 (the century digits of a leap year). */
    private static Expression multipleOfFourUpTo96(boolean nonZeroTens) {
        Expression evenTens = sequence(chars(CharClass.anyOf("2468")), chars(CharClass.anyOf("048")));
        Expression oddTens = sequence(chars(CharClass.anyOf("13579")), chars(CharClass.anyOf("26")));
        return nonZeroTens ? choice(evenTens, oddTens) : choice(sequence(literal("0"), chars(CharClass.anyOf("48"))), evenTens, oddTens);
    }
}
