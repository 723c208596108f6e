package dev.jollama.server.jinja;

import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

import java.beans.FeatureDescriptor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * Python's str methods that chat templates call ({@code content.startswith('<think>')},
 * {@code content.split('</think>')[-1].lstrip('\n')}, ...), which Jinja has because its strings are Python's and
 * jinjava lacks because its strings are Java's. Resolves only method calls on strings; everything else falls through
 * to jinjava's own resolver.
 */
final class PythonStrings extends ELResolver {

    @Override
    public Object invoke(ELContext context, Object base, Object method, Class<?>[] types, Object[] params) {
        if (!(base instanceof String s) || method == null) {
            return null;
        }
        Object[] args = params == null ? new Object[0] : params;
        Object result = call(s, method.toString(), args);
        if (result != null) {
            context.setPropertyResolved(true);
        }
        return result;
    }

    /** The method's result, or null for a method Python's str does not have here (jinjava then tries Java's). */
    static Object call(String s, String method, Object[] args) {
        return switch (method) {
            case "startswith" -> anyOf(args[0], s::startsWith);
            case "endswith" -> anyOf(args[0], s::endsWith);
            case "strip" -> stripEnd(stripStart(s, chars(args)), chars(args));
            case "lstrip" -> stripStart(s, chars(args));
            case "rstrip" -> stripEnd(s, chars(args));
            case "split" -> split(s, args);
            case "upper" -> s.toUpperCase(Locale.ROOT);
            case "lower" -> s.toLowerCase(Locale.ROOT);
            case "title" -> title(s);
            case "capitalize" -> s.isEmpty() ? s : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1).toLowerCase(Locale.ROOT);
            case "find" -> (long) s.indexOf(String.valueOf(args[0]));
            case "count" -> (long) count(s, String.valueOf(args[0]));
            case "join" -> join(s, args[0]);
            case "removeprefix" -> s.startsWith(String.valueOf(args[0])) ? s.substring(String.valueOf(args[0]).length()) : s;
            case "removesuffix" -> s.endsWith(String.valueOf(args[0])) ? s.substring(0, s.length() - String.valueOf(args[0]).length()) : s;
            default -> null;
        };
    }

    /** str.startswith/endswith take one prefix or a tuple of them. */
    private static boolean anyOf(Object candidates, java.util.function.Predicate<String> test) {
        if (candidates instanceof Iterable<?> many) {
            for (Object c : many) {
                if (test.test(String.valueOf(c))) {
                    return true;
                }
            }
            return false;
        }
        return test.test(String.valueOf(candidates));
    }

    /** The characters to strip: the argument's, or null for whitespace. */
    private static String chars(Object[] args) {
        return args.length == 0 || args[0] == null ? null : String.valueOf(args[0]);
    }

    private static boolean strips(char c, String chars) {
        return chars == null ? Character.isWhitespace(c) : chars.indexOf(c) >= 0;
    }

    private static String stripStart(String s, String chars) {
        int start = 0;
        while (start < s.length() && strips(s.charAt(start), chars)) {
            start++;
        }
        return s.substring(start);
    }

    private static String stripEnd(String s, String chars) {
        int end = s.length();
        while (end > 0 && strips(s.charAt(end - 1), chars)) {
            end--;
        }
        return s.substring(0, end);
    }

    /** str.split: on a literal separator (not a regex, unlike Java's), or on runs of whitespace without one. */
    private static List<String> split(String s, Object[] args) {
        String separator = chars(args);
        int maxSplit = args.length > 1 && args[1] instanceof Number n ? n.intValue() : -1;
        if (separator == null) {
            String trimmed = s.strip();
            return trimmed.isEmpty() ? List.of() : Arrays.asList(trimmed.split("\\s+", maxSplit < 0 ? 0 : maxSplit + 1));
        }
        List<String> parts = new ArrayList<>();
        int from = 0;
        for (int at = s.indexOf(separator); at >= 0 && (maxSplit < 0 || parts.size() < maxSplit); at = s.indexOf(separator, from)) {
            parts.add(s.substring(from, at));
            from = at + separator.length();
        }
        parts.add(s.substring(from));
        return parts;
    }

    private static String title(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        boolean wordStart = true;
        for (char c : s.toCharArray()) {
            sb.append(wordStart ? Character.toUpperCase(c) : Character.toLowerCase(c));
            wordStart = !Character.isLetter(c);
        }
        return sb.toString();
    }

    private static int count(String s, String part) {
        if (part.isEmpty()) {
            return s.length() + 1;
        }
        int n = 0;
        for (int at = s.indexOf(part); at >= 0; at = s.indexOf(part, at + part.length())) {
            n++;
        }
        return n;
    }

    private static String join(String separator, Object items) {
        List<String> parts = new ArrayList<>();
        if (items instanceof Iterable<?> iterable) {
            iterable.forEach(item -> parts.add(String.valueOf(item)));
        }
        return String.join(separator, parts);
    }

    // ---- properties are not this resolver's business

    @Override
    public Object getValue(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public Class<?> getType(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public void setValue(ELContext context, Object base, Object property, Object value) {
        // read-only: chat templates never assign to a string's attributes
    }

    @Override
    public boolean isReadOnly(ELContext context, Object base, Object property) {
        return true;
    }

    @Override
    public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
        return null;
    }

    @Override
    public Class<?> getCommonPropertyType(ELContext context, Object base) {
        return null;
    }
}
