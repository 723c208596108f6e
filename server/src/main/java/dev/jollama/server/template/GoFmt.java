package dev.jollama.server.template;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Go's fmt package as templates reach it: {@code %v} printing of values (what an action prints), and the
 * {@code print}, {@code println} and {@code printf} functions. Supported verbs: {@code v s q x X d b o O c U t e E
 * f F g G T} and {@code %%}, with the flags {@code + - # 0 space}, width and precision (also as {@code *}).
 * Mistakes print as Go prints them: {@code %!d(string=hi)}, {@code %!s(MISSING)}, {@code %!(EXTRA int=1)}.
 */
final class GoFmt {

    private GoFmt() {
    }

    /** Go's bound on a width or precision given as an argument (fmt's tooLarge). */
    private static final long MAX_ARGUMENT_WIDTH = 1_000_000;

    private static boolean isSmallInt(Object arg) {
        return GoValues.isInt(arg) && Math.abs(((Number) arg).longValue()) <= MAX_ARGUMENT_WIDTH;
    }

    /** A width or precision written in the format: its value (absent: -1) and where the format goes on. */
    private record WrittenNumber(int value, int next) {
    }

    /**
     * Go's parsenum: ASCII digits from start; a number that grows past 1e6 before its last digit is "crazy long",
     * absent, and takes the rest of the format (which then ends in %!(NOVERB)).
     */
    private static WrittenNumber parseNumber(String format, int start, int end) {
        long value = 0;
        int i = start;
        while (i < end && format.charAt(i) >= '0' && format.charAt(i) <= '9') {
            if (value > MAX_ARGUMENT_WIDTH) {
                return new WrittenNumber(-1, end);
            }
            value = value * 10 + (format.charAt(i) - '0');
            i++;
        }
        return new WrittenNumber(i > start ? (int) value : -1, i);
    }

    /** The flags, width and precision of one verb. */
    private static final class Spec {
        boolean plus;
        boolean plusV; // %+v: print struct field names
        boolean minus;
        boolean sharp;
        boolean space;
        boolean zero;
        int width = -1;
        int precision = -1;
    }

    private static final Spec PLAIN = new Spec();

    /** Go's {@code fmt.Sprint(v)}: the {@code %v} form of one value. */
    static String formatValue(Object v) {
        StringBuilder out = new StringBuilder();
        printValue(out, v, 'v', PLAIN, 0);
        return out.toString();
    }

    /**
     * What a template action prints: Go's template printer shows a missing value as {@code <no value>} and prints
     * the struct a pointer refers to rather than the pointer ({@link GoPointer}).
     */
    static String formatForAction(Object v) {
        if (v == null) {
            return "<no value>";
        }
        if (v instanceof Record record && !(v instanceof Stringer)) {
            StringBuilder out = new StringBuilder();
            printStruct(out, record, 'v', PLAIN, 1);
            return out.toString();
        }
        return formatValue(v);
    }

    /** Go's fmt.Sprint: operands formatted with %v, a space between two operands when neither is a string. */
    static String sprint(List<Object> args) {
        StringBuilder out = new StringBuilder();
        boolean previousString = false;
        for (int i = 0; i < args.size(); i++) {
            boolean isString = args.get(i) instanceof String;
            if (i > 0 && !isString && !previousString) {
                out.append(' ');
            }
            printValue(out, args.get(i), 'v', PLAIN, 0);
            previousString = isString;
        }
        return out.toString();
    }

    /** Go's fmt.Sprintln: operands formatted with %v, always separated by spaces, then a newline. */
    static String sprintln(List<Object> args) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < args.size(); i++) {
            if (i > 0) {
                out.append(' ');
            }
            printValue(out, args.get(i), 'v', PLAIN, 0);
        }
        return out.append('\n').toString();
    }

    /** Go's fmt.Sprintf. */
    static String sprintf(String format, List<Object> args) {
        StringBuilder out = new StringBuilder();
        int argNum = 0;
        int i = 0;
        int end = format.length();
        while (i < end) {
            int percent = format.indexOf('%', i);
            if (percent < 0) {
                out.append(format, i, end);
                break;
            }
            out.append(format, i, percent);
            i = percent + 1;
            Spec spec = new Spec();
            flags:
            while (i < end) {
                switch (format.charAt(i)) {
                    case '#' -> spec.sharp = true;
                    case '0' -> spec.zero = !spec.minus;
                    case '+' -> spec.plus = true;
                    case '-' -> {
                        spec.minus = true;
                        spec.zero = false;
                    }
                    case ' ' -> spec.space = true;
                    default -> {
                        break flags;
                    }
                }
                i++;
            }
            if (i < end && format.charAt(i) == '*') {
                i++;
                Object arg = argNum < args.size() ? args.get(argNum++) : null;
                if (!isSmallInt(arg)) {
                    out.append("%!(BADWIDTH)");
                } else {
                    spec.width = (int) ((Number) arg).longValue();
                    if (spec.width < 0) {
                        spec.minus = true;
                        spec.zero = false;
                        spec.width = -spec.width;
                    }
                }
            } else {
                WrittenNumber width = parseNumber(format, i, end);
                spec.width = width.value();
                i = width.next();
            }
            if (i < end && format.charAt(i) == '.') {
                i++;
                if (i < end && format.charAt(i) == '*') {
                    i++;
                    Object arg = argNum < args.size() ? args.get(argNum++) : null;
                    long precision = isSmallInt(arg) ? ((Number) arg).longValue() : -1;
                    if (precision < 0) { // negative precisions make no sense to Go either
                        out.append("%!(BADPREC)");
                    } else {
                        spec.precision = (int) precision;
                    }
                } else {
                    WrittenNumber precision = parseNumber(format, i, end);
                    spec.precision = Math.max(precision.value(), 0);
                    i = precision.next();
                }
            }
            if (i >= end) {
                out.append("%!(NOVERB)");
                break;
            }
            int verb = format.codePointAt(i);
            i += Character.charCount(verb);
            if (verb == '%') {
                out.append('%');
            } else if (argNum >= args.size()) {
                out.append("%!").appendCodePoint(verb).append("(MISSING)");
            } else {
                if (verb == 'v') {
                    spec.plusV = spec.plus;
                    spec.plus = false;
                }
                printArg(out, args.get(argNum++), verb, spec);
            }
        }
        if (argNum < args.size()) {
            out.append("%!(EXTRA ");
            for (int k = argNum; k < args.size(); k++) {
                if (k > argNum) {
                    out.append(", ");
                }
                Object arg = args.get(k);
                out.append(arg == null ? "<nil>" : GoValues.typeName(arg) + "=" + formatValue(arg));
            }
            out.append(')');
        }
        return out.toString();
    }

    private static void printArg(StringBuilder out, Object arg, int verb, Spec spec) {
        if (verb == 'T') {
            pad(out, GoValues.typeName(arg), spec);
            return;
        }
        if (verb > 0xFFFF) {
            badVerb(out, verb, arg);
            return;
        }
        printValue(out, arg, (char) verb, spec, 0);
    }

    private static void printValue(StringBuilder out, Object v, char verb, Spec spec, int depth) {
        if (v instanceof Stringer stringer && "vsxXq".indexOf(verb) >= 0) {
            formatString(out, stringer.asString(), verb, spec);
            return;
        }
        switch (v) {
            case null -> {
                if (verb == 'v' || depth > 0) {
                    pad(out, "<nil>", spec);
                } else {
                    badVerb(out, verb, null);
                }
            }
            case Boolean b -> {
                if (verb == 'v' || verb == 't') {
                    pad(out, b.toString(), spec);
                } else {
                    badVerb(out, verb, v);
                }
            }
            case Double d -> formatFloat(out, d, false, verb, spec);
            case Float f -> formatFloat(out, f, true, verb, spec);
            case String s -> formatString(out, s, verb, spec);
            case byte[] bytes -> formatBytes(out, bytes, verb, spec, depth);
            case GoNil n -> {
                switch (n) {
                    case SLICE -> out.append("[]");
                    case MAP -> out.append("map[]");
                    case POINTER -> pad(out, "<nil>", spec);
                }
            }
            case Map<?, ?> map -> {
                out.append("map[");
                boolean first = true;
                for (Map.Entry<Object, Object> e : GoValues.sortedEntries(map)) {
                    if (!first) {
                        out.append(' ');
                    }
                    first = false;
                    printValue(out, e.getKey(), verb, spec, depth + 1);
                    out.append(':');
                    printValue(out, e.getValue(), verb, spec, depth + 1);
                }
                out.append(']');
            }
            case Record record -> {
                if (record instanceof GoPointer) {
                    out.append('&'); // Go prints an address for a pointer below the top level; we show the struct
                }
                printStruct(out, record, verb, spec, depth + 1);
            }
            default -> {
                if (GoValues.isInt(v)) {
                    formatInteger(out, GoValues.toBigInteger(v), verb, spec);
                } else if (GoValues.isSlice(v)) {
                    out.append('[');
                    List<Object> elements = GoValues.sliceElements(v);
                    for (int i = 0; i < elements.size(); i++) {
                        if (i > 0) {
                            out.append(' ');
                        }
                        printValue(out, elements.get(i), verb, spec, depth + 1);
                    }
                    out.append(']');
                } else {
                    pad(out, String.valueOf(v), spec);
                }
            }
        }
    }

    private static void printStruct(StringBuilder out, Record record, char verb, Spec spec, int depth) {
        out.append('{');
        boolean first = true;
        for (Map.Entry<String, Object> field : GoValues.recordFields(record).entrySet()) {
            if (!first) {
                out.append(' ');
            }
            first = false;
            if (spec.plusV) {
                out.append(field.getKey()).append(':');
            }
            printValue(out, field.getValue(), verb, spec, depth);
        }
        out.append('}');
    }

    private static void badVerb(StringBuilder out, int verb, Object arg) {
        out.append("%!").appendCodePoint(verb).append('(');
        if (arg == null) {
            out.append("<nil>");
        } else {
            out.append(GoValues.typeName(arg)).append('=').append(formatValue(arg));
        }
        out.append(')');
    }

    // ---- strings

    private static void formatString(StringBuilder out, String s, char verb, Spec spec) {
        switch (verb) {
            case 'v', 's' -> pad(out, truncate(s, spec), spec);
            case 'q' -> {
                String t = truncate(s, spec);
                if (spec.sharp && canBackquote(t)) {
                    pad(out, "`" + t + "`", spec);
                } else {
                    pad(out, spec.plus ? GoStrings.quoteToAscii(t) : GoStrings.quote(t), spec);
                }
            }
            case 'x', 'X' -> pad(out, hexBytes(truncate(s, spec).getBytes(StandardCharsets.UTF_8), verb, spec), spec);
            default -> badVerb(out, verb, s);
        }
    }

    private static void formatBytes(StringBuilder out, byte[] bytes, char verb, Spec spec, int depth) {
        switch (verb) {
            case 's', 'q', 'x', 'X' -> formatString(out, new String(bytes, StandardCharsets.UTF_8), verb, spec);
            default -> {
                out.append('[');
                for (int i = 0; i < bytes.length; i++) {
                    if (i > 0) {
                        out.append(' ');
                    }
                    formatInteger(out, BigInteger.valueOf(bytes[i] & 0xFF), verb, spec);
                }
                out.append(']');
            }
        }
    }

    private static String truncate(String s, Spec spec) {
        return spec.precision >= 0 ? GoStrings.firstRunes(s, spec.precision) : s;
    }

    private static String hexBytes(byte[] bytes, char verb, Spec spec) {
        String digits = verb == 'x' ? "0123456789abcdef" : "0123456789ABCDEF";
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < bytes.length; i++) {
            if (spec.space && i > 0) {
                sb.append(' ');
            }
            if (spec.sharp && (spec.space || i == 0)) {
                sb.append(verb == 'x' ? "0x" : "0X");
            }
            sb.append(digits.charAt((bytes[i] >> 4) & 0xF)).append(digits.charAt(bytes[i] & 0xF));
        }
        return sb.toString();
    }

    /** Go's strconv.CanBackquote: no control characters other than tab, no back quote, no BOM. */
    private static boolean canBackquote(String s) {
        return s.codePoints().noneMatch(cp -> (cp < ' ' && cp != '\t') || cp == '`' || cp == 0x7F || cp == 0xFEFF
                || (cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE));
    }

    // ---- numbers

    private static void formatInteger(StringBuilder out, BigInteger value, char verb, Spec spec) {
        int base;
        String prefix = "";
        switch (verb) {
            case 'v', 'd' -> base = 10;
            case 'b' -> {
                base = 2;
                prefix = spec.sharp ? "0b" : "";
            }
            case 'o' -> {
                base = 8;
                prefix = spec.sharp ? "0" : "";
            }
            case 'O' -> {
                base = 8;
                prefix = "0o";
            }
            case 'x', 'X' -> {
                base = 16;
                prefix = spec.sharp ? (verb == 'x' ? "0x" : "0X") : "";
            }
            case 'c' -> {
                pad(out, new String(Character.toChars(validRune(value))), spec);
                return;
            }
            case 'q' -> {
                pad(out, GoStrings.quoteRune(validRune(value)), spec);
                return;
            }
            case 'U' -> {
                String hex = value.toString(16).toUpperCase();
                pad(out, "U+" + "0".repeat(Math.max(0, 4 - hex.length())) + hex, spec);
                return;
            }
            default -> {
                badVerb(out, verb, value.bitLength() < 64 ? (Object) value.longValue() : value);
                return;
            }
        }
        boolean negative = value.signum() < 0;
        String digits = value.abs().toString(base);
        if (verb == 'X') {
            digits = digits.toUpperCase();
        }
        int minDigits = 0;
        if (spec.precision >= 0) {
            minDigits = spec.precision;
            if (minDigits == 0 && value.signum() == 0) {
                pad(out, "", spec);
                return;
            }
        } else if (spec.zero && spec.width >= 0) {
            minDigits = spec.width - (negative || spec.plus || spec.space ? 1 : 0);
        }
        StringBuilder number = new StringBuilder();
        if (negative) {
            number.append('-');
        } else if (spec.plus) {
            number.append('+');
        } else if (spec.space) {
            number.append(' ');
        }
        number.append(prefix);
        number.append("0".repeat(Math.max(0, minDigits - digits.length()))).append(digits);
        padWith(out, number.toString(), spec, ' ');
    }

    private static int validRune(BigInteger value) {
        if (value.signum() < 0 || value.compareTo(BigInteger.valueOf(Character.MAX_CODE_POINT)) > 0) {
            return 0xFFFD;
        }
        int cp = value.intValue();
        return Character.isSurrogate((char) cp) && cp <= 0xFFFF ? 0xFFFD : cp;
    }

    private static void formatFloat(StringBuilder out, double value, boolean float32, char verb, Spec spec) {
        char format;
        int precision;
        switch (verb) {
            case 'v' -> {
                format = 'g';
                precision = -1;
            }
            case 'g', 'G' -> {
                format = verb;
                precision = -1;
            }
            case 'e', 'E', 'f' -> {
                format = verb;
                precision = 6;
            }
            case 'F' -> {
                format = 'f';
                precision = 6;
            }
            default -> {
                badVerb(out, verb, float32 ? (Object) (float) value : (Object) value);
                return;
            }
        }
        if (spec.precision >= 0) {
            precision = spec.precision;
        }
        String num = GoFloats.format(value, format, precision, float32);
        if (num.charAt(0) != '-' && num.charAt(0) != '+') {
            num = "+" + num;
        }
        if (spec.space && num.charAt(0) == '+' && !spec.plus) {
            num = " " + num.substring(1);
        }
        if (num.charAt(1) == 'I' || num.charAt(1) == 'N') {
            // infinities and NaN are never zero padded; NaN shows a sign only when asked
            if (num.charAt(1) == 'N' && !spec.space && !spec.plus) {
                num = num.substring(1);
            }
            padWith(out, num, spec, ' ');
            return;
        }
        if (spec.plus || num.charAt(0) != '+') {
            if (spec.zero && spec.width > num.length()) {
                out.append(num.charAt(0)).append("0".repeat(spec.width - num.length())).append(num, 1, num.length());
                return;
            }
            pad(out, num, spec);
            return;
        }
        pad(out, num.substring(1), spec);
    }

    // ---- padding

    private static void pad(StringBuilder out, String s, Spec spec) {
        padWith(out, s, spec, spec.zero ? '0' : ' ');
    }

    private static void padWith(StringBuilder out, String s, Spec spec, char fill) {
        int runes = s.codePointCount(0, s.length());
        if (spec.width < 0 || runes >= spec.width) {
            out.append(s);
            return;
        }
        String padding = String.valueOf(spec.minus ? ' ' : fill).repeat(spec.width - runes);
        if (spec.minus) {
            out.append(s).append(padding);
        } else {
            out.append(padding).append(s);
        }
    }
}
