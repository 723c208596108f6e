package dev.jollama.server.template;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Go's string literal rules (strconv Quote/Unquote) and Go's view of strings as UTF-8 bytes, which is what
 * {@code len}, {@code index}, {@code slice} and the error column numbers count.
 */
final class GoStrings {
    private static final String HEX = "0123456789abcdef";

    private GoStrings() {
    }

    /** Go's strconv.Quote: double-quoted, with non-printable characters escaped. */
    static String quote(String s) {
        return quote(s, false);
    }

    /** Go's strconv.QuoteToASCII: like {@link #quote} but every non-ASCII character is escaped too. */
    static String quoteToAscii(String s) {
        return quote(s, true);
    }

    private static String quote(String s, boolean asciiOnly) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        s.codePoints().forEach(cp -> appendQuotedRune(sb, cp, '"', asciiOnly));
        return sb.append('"').toString();
    }

    /** Go's strconv.QuoteRune, as used by {@code %q} on an integer. */
    static String quoteRune(int cp) {
        StringBuilder sb = new StringBuilder().append('\'');
        appendQuotedRune(sb, Character.isValidCodePoint(cp) && !isSurrogate(cp) ? cp : 0xFFFD, '\'', false);
        return sb.append('\'').toString();
    }

    private static void appendQuotedRune(StringBuilder sb, int cp, char quote, boolean asciiOnly) {
        if (isSurrogate(cp)) {
            cp = 0xFFFD; // a lone surrogate is Go's invalid UTF-8, which decodes as the replacement character
        }
        if (cp == quote || cp == '\\') {
            sb.append('\\').appendCodePoint(cp);
            return;
        }
        if (asciiOnly ? cp < 0x80 && isPrint(cp) : isPrint(cp)) {
            sb.appendCodePoint(cp);
            return;
        }
        switch (cp) {
            case 0x07 -> sb.append("\\a");
            case '\b' -> sb.append("\\b");
            case '\f' -> sb.append("\\f");
            case '\n' -> sb.append("\\n");
            case '\r' -> sb.append("\\r");
            case '\t' -> sb.append("\\t");
            case 0x0B -> sb.append("\\v");
            default -> {
                if (cp < ' ' || cp == 0x7F) {
                    sb.append("\\x").append(HEX.charAt(cp >> 4)).append(HEX.charAt(cp & 0xF));
                } else if (cp < 0x10000) {
                    sb.append("\\u").append(hex(cp, 4));
                } else {
                    sb.append("\\U").append(hex(cp, 8));
                }
            }
        }
    }

    private static String hex(int value, int digits) {
        String h = Integer.toHexString(value);
        return "0".repeat(Math.max(0, digits - h.length())) + h;
    }

    private static boolean isSurrogate(int cp) {
        return cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE;
    }

    /** Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
    static boolean isPrint(int cp) {
        if (cp == ' ') {
            return true;
        }
        return switch (Character.getType(cp)) {
            case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
                 Character.MODIFIER_LETTER, Character.OTHER_LETTER,
                 Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK,
                 Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER,
                 Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                 Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                 Character.OTHER_PUNCTUATION,
                 Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL, Character.MODIFIER_SYMBOL,
                 Character.OTHER_SYMBOL -> true;
            default -> false;
        };
    }

    /**
     * Go's strconv.Unquote for a double-quoted, back-quoted or single-quoted literal. Escapes such as {@code \xc3}
     * denote bytes, so the value is assembled as UTF-8 and decoded at the end, as Go would print it.
     *
     * @throws IllegalArgumentException with Go's message "invalid syntax"
     */
    static String unquote(String literal) {
        if (literal.length() < 2) {
            throw invalidSyntax();
        }
        char quote = literal.charAt(0);
        if (literal.charAt(literal.length() - 1) != quote) {
            throw invalidSyntax();
        }
        String body = literal.substring(1, literal.length() - 1);
        if (quote == '`') {
            if (body.indexOf('`') >= 0) {
                throw invalidSyntax();
            }
            return body.replace("\r", ""); // Go drops carriage returns from raw strings
        }
        if (quote != '"' && quote != '\'') {
            throw invalidSyntax();
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int runes = 0;
        int i = 0;
        while (i < body.length()) {
            char c = body.charAt(i);
            if (c == quote || c == '\n') {
                throw invalidSyntax();
            }
            if (c != '\\') {
                int cp = body.codePointAt(i);
                bytes.writeBytes(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
                i += Character.charCount(cp);
            } else {
                i = unescape(body, i + 1, quote, bytes);
            }
            runes++;
        }
        if (quote == '\'' && runes != 1) {
            throw invalidSyntax();
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** Decodes the escape starting after the backslash at {@code i}; returns the index after it. */
    private static int unescape(String s, int i, char quote, ByteArrayOutputStream out) {
        if (i >= s.length()) {
            throw invalidSyntax();
        }
        char c = s.charAt(i);
        switch (c) {
            case 'a' -> out.write(0x07);
            case 'b' -> out.write('\b');
            case 'f' -> out.write('\f');
            case 'n' -> out.write('\n');
            case 'r' -> out.write('\r');
            case 't' -> out.write('\t');
            case 'v' -> out.write(0x0B);
            case '\\' -> out.write('\\');
            case '\'', '"' -> {
                if (c != quote) {
                    throw invalidSyntax();
                }
                out.write(c);
            }
            case 'x' -> {
                out.write(parseDigits(s, i + 1, 2, 16));
                return i + 3;
            }
            case 'u', 'U' -> {
                int digits = c == 'u' ? 4 : 8;
                int cp = parseDigits(s, i + 1, digits, 16);
                if (!Character.isValidCodePoint(cp) || isSurrogate(cp)) {
                    throw invalidSyntax();
                }
                out.writeBytes(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
                return i + 1 + digits;
            }
            case '0', '1', '2', '3', '4', '5', '6', '7' -> {
                int value = parseDigits(s, i, 3, 8);
                if (value > 255) {
                    throw invalidSyntax();
                }
                out.write(value);
                return i + 3;
            }
            default -> throw invalidSyntax();
        }
        return i + 1;
    }

    private static int parseDigits(String s, int from, int count, int radix) {
        if (from + count > s.length()) {
            throw invalidSyntax();
        }
        int value = 0;
        for (int k = from; k < from + count; k++) {
            int d = Character.digit(s.charAt(k), radix);
            if (d < 0) {
                throw invalidSyntax();
            }
            value = value * radix + d;
        }
        return value;
    }

    private static IllegalArgumentException invalidSyntax() {
        return new IllegalArgumentException("invalid syntax");
    }

    /** The number of bytes of the string in UTF-8, which is Go's len. */
    static int utf8Length(CharSequence s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }

    /** Go's {@code %.Nq}-style truncation: the first {@code max} characters (code points) of a string. */
    static String firstRunes(String s, int max) {
        if (s.codePointCount(0, s.length()) <= max) {
            return s;
        }
        return s.substring(0, s.offsetByCodePoints(0, max));
    }
}
