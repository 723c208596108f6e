package dev.jollama.server.template;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The functions a template may call: Go's builtins ({@code and or not len index slice eq ne lt le gt ge print
 * printf println html js urlquery call}) and, in {@link #ollama()}, the ones Ollama registers ({@code json},
 * {@code currentDate}, {@code yesterdayDate}, {@code toTypeScriptType}). {@code and} and {@code or} are listed here
 * for the parser but evaluated by the executor, because they must not evaluate arguments past the deciding one.
 */
public final class TemplateFunctions {

    /**
     * A function with its arity: at least {@code minArgs}, at most {@code maxArgs} (-1 for any number). The body is
     * null for {@code and} and {@code or}, which only the executor can evaluate.
     */
    record Definition(int minArgs, int maxArgs, TemplateFunction body) {
        boolean variadic() {
            return maxArgs < 0;
        }

        boolean isShortCircuit() {
            return body == null;
        }
    }

    private static final DateTimeFormatter GO_DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd");

    private final Map<String, Definition> definitions;

    private TemplateFunctions(Map<String, Definition> definitions) {
        this.definitions = Map.copyOf(definitions);
    }

    /** Go's builtin functions only. */
    public static TemplateFunctions builtins() {
        return new TemplateFunctions(builtinDefinitions());
    }

    /** Go's builtins plus Ollama's functions, with dates from the system clock. */
    public static TemplateFunctions ollama() {
        return ollama(Clock.systemDefaultZone());
    }

    /** Go's builtins plus Ollama's functions, with dates from the given clock (in its zone, as Go's time.Now). */
    public static TemplateFunctions ollama(Clock clock) {
        Map<String, Definition> all = builtinDefinitions();
        all.put("json", new Definition(1, 1, args -> {
            try {
                return GoJson.marshal(args.getFirst());
            } catch (IllegalArgumentException e) {
                return ""; // Ollama ignores the marshalling error and returns the empty result
            }
        }));
        // Ollama accepts a format argument for both date functions but ignores it.
        all.put("currentDate", new Definition(0, -1, args -> {
            requireStrings(args);
            return LocalDate.now(clock).format(GO_DATE);
        }));
        all.put("yesterdayDate", new Definition(0, -1, args -> {
            requireStrings(args);
            return LocalDate.now(clock).minusDays(1).format(GO_DATE);
        }));
        all.put("toTypeScriptType", new Definition(1, 1,
                args -> args.getFirst() instanceof ToolProperty property ? property.toTypeScriptType() : "any"));
        return new TemplateFunctions(all);
    }

    boolean contains(String name) {
        return definitions.containsKey(name);
    }

    Definition get(String name) {
        return definitions.get(name);
    }

    private static Map<String, Definition> builtinDefinitions() {
        Map<String, Definition> d = new HashMap<>();
        // no body: the executor evaluates these lazily, see isShortCircuit
        d.put("and", new Definition(1, -1, null));
        d.put("or", new Definition(1, -1, null));
        d.put("not", new Definition(1, 1, args -> !GoValues.isTrue(args.getFirst())));
        d.put("len", new Definition(1, 1, args -> (long) length(args.getFirst())));
        d.put("index", new Definition(1, -1, args -> index(args.getFirst(), args.subList(1, args.size()))));
        d.put("slice", new Definition(1, -1, args -> slice(args.getFirst(), args.subList(1, args.size()))));
        d.put("print", new Definition(0, -1, GoFmt::sprint));
        d.put("println", new Definition(0, -1, GoFmt::sprintln));
        d.put("printf", new Definition(1, -1, args -> {
            if (!(args.getFirst() instanceof String format)) {
                throw new IllegalArgumentException("wrong type for value; expected string; got "
                        + GoValues.typeName(args.getFirst()));
            }
            return GoFmt.sprintf(format, args.subList(1, args.size()));
        }));
        d.put("html", new Definition(0, -1, args -> htmlEscape(argsAsString(args))));
        d.put("js", new Definition(0, -1, args -> jsEscape(argsAsString(args))));
        d.put("urlquery", new Definition(0, -1, args -> queryEscape(argsAsString(args))));
        d.put("eq", new Definition(1, -1, args -> {
            if (args.size() < 2) {
                throw new IllegalArgumentException("missing argument for comparison");
            }
            for (Object other : args.subList(1, args.size())) {
                if (GoValues.equal(args.getFirst(), other)) {
                    return true;
                }
            }
            return false;
        }));
        d.put("ne", new Definition(2, 2, args -> !GoValues.equal(args.get(0), args.get(1))));
        d.put("lt", new Definition(2, 2, args -> GoValues.less(args.get(0), args.get(1))));
        d.put("le", new Definition(2, 2, args -> lessOrEqual(args.get(0), args.get(1))));
        d.put("gt", new Definition(2, 2, args -> !lessOrEqual(args.get(0), args.get(1))));
        d.put("ge", new Definition(2, 2, args -> !GoValues.less(args.get(0), args.get(1))));
        d.put("call", new Definition(1, -1, args -> {
            Object fn = args.getFirst();
            if (fn == null) {
                throw new IllegalArgumentException("call of nil");
            }
            if (!(fn instanceof TemplateFunction function)) {
                throw new IllegalArgumentException("non-function of type " + GoValues.typeName(fn));
            }
            return function.call(args.subList(1, args.size()));
        }));
        return d;
    }

    private static boolean lessOrEqual(Object a, Object b) {
        return GoValues.less(a, b) || GoValues.equal(a, b);
    }

    private static void requireStrings(List<Object> args) {
        for (Object arg : args) {
            if (!(arg instanceof String)) {
                throw new IllegalArgumentException("wrong type for value; expected string; got " + GoValues.typeName(arg));
            }
        }
    }

    // ---- len, index, slice

    private static int length(Object v) {
        return switch (v) {
            case null -> throw new IllegalArgumentException("reflect: call of reflect.Value.Type on zero Value");
            case GoNil n when n == GoNil.POINTER -> throw new IllegalArgumentException("len of nil pointer");
            case GoNil n -> 0;
            case String s -> GoStrings.utf8Length(s);
            case Map<?, ?> m -> m.size();
            default -> {
                if (!GoValues.isSlice(v)) {
                    throw new IllegalArgumentException("len of type " + GoValues.typeName(v));
                }
                yield GoValues.sliceElements(v).size();
            }
        };
    }

    /** Go's index: each index selects from the result of the previous one; a missing map key gives nil. */
    private static Object index(Object item, List<Object> indexes) {
        if (item == null) {
            throw new IllegalArgumentException("index of untyped nil");
        }
        for (Object index : indexes) {
            if (item == null || item == GoNil.POINTER) {
                throw new IllegalArgumentException("index of nil pointer");
            }
            if (item instanceof String s) {
                byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
                int x = indexArg(index, bytes.length);
                if (x == bytes.length) {
                    throw new IllegalArgumentException("reflect: string index out of range");
                }
                item = (long) (bytes[x] & 0xFF);
            } else if (GoValues.isSlice(item)) {
                List<Object> elements = GoValues.sliceElements(item);
                int x = indexArg(index, elements.size());
                if (x == elements.size()) {
                    throw new IllegalArgumentException("reflect: slice index out of range");
                }
                item = elements.get(x);
            } else if (item instanceof Map<?, ?> || item == GoNil.MAP) {
                if (!(index instanceof String key)) {
                    throw new IllegalArgumentException(index == null ? "value is nil; should be of type string"
                            : "value has type " + GoValues.typeName(index) + "; should be string");
                }
                item = item instanceof Map<?, ?> map ? map.get(key) : null;
            } else {
                throw new IllegalArgumentException("can't index item of type " + GoValues.typeName(item));
            }
        }
        return item;
    }

    private static int indexArg(Object index, int cap) {
        if (index == null) {
            throw new IllegalArgumentException("cannot index slice/array with nil");
        }
        if (!GoValues.isInt(index)) {
            throw new IllegalArgumentException("cannot index slice/array with type " + GoValues.typeName(index));
        }
        long x = ((Number) index).longValue();
        if (x < 0 || x > cap) {
            throw new IllegalArgumentException("index out of range: " + x);
        }
        return (int) x;
    }

    /** Go's slice: {@code slice x 1 2} is x[1:2]; strings are sliced by bytes. */
    private static Object slice(Object item, List<Object> indexes) {
        if (item == null) {
            throw new IllegalArgumentException("slice of untyped nil");
        }
        if (indexes.size() > 3) {
            throw new IllegalArgumentException("too many slice indexes: " + indexes.size());
        }
        int cap;
        byte[] bytes = null;
        List<Object> elements = null;
        if (item instanceof String s) {
            if (indexes.size() == 3) {
                throw new IllegalArgumentException("cannot 3-index slice a string");
            }
            bytes = s.getBytes(StandardCharsets.UTF_8);
            cap = bytes.length;
        } else if (GoValues.isSlice(item)) {
            elements = GoValues.sliceElements(item);
            cap = elements.size();
        } else {
            throw new IllegalArgumentException("can't slice item of type " + GoValues.typeName(item));
        }
        int[] idx = {0, cap, cap};
        for (int i = 0; i < indexes.size(); i++) {
            idx[i] = indexArg(indexes.get(i), cap);
        }
        if (idx[0] > idx[1]) {
            throw new IllegalArgumentException("invalid slice index: " + idx[0] + " > " + idx[1]);
        }
        if (indexes.size() == 3 && idx[1] > idx[2]) {
            throw new IllegalArgumentException("invalid slice index: " + idx[1] + " > " + idx[2]);
        }
        if (bytes != null) {
            return new String(bytes, idx[0], idx[1] - idx[0], StandardCharsets.UTF_8);
        }
        return new ArrayList<>(elements.subList(idx[0], idx[1]));
    }

    // ---- escaping functions

    /** The text the escaping functions work on: a lone string as is, anything else as fmt.Sprint prints it. */
    private static String argsAsString(List<Object> args) {
        if (args.size() == 1 && args.getFirst() instanceof String s) {
            return s;
        }
        List<Object> printable = new ArrayList<>(args.size());
        for (Object arg : args) {
            printable.add(arg == null ? "<no value>" : arg);
        }
        return GoFmt.sprint(printable);
    }

    private static String htmlEscape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("&#34;");
                case '\'' -> out.append("&#39;");
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '\0' -> out.append('\uFFFD');
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    private static String jsEscape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        s.codePoints().forEach(cp -> {
            switch (cp) {
                case '\\' -> out.append("\\\\");
                case '\'' -> out.append("\\'");
                case '"' -> out.append("\\\"");
                case '<' -> out.append("\\u003C");
                case '>' -> out.append("\\u003E");
                case '&' -> out.append("\\u0026");
                case '=' -> out.append("\\u003D");
                default -> {
                    if (cp < ' ') {
                        out.append(String.format("\\u%04X", cp));
                    } else if (cp < 0x80 || GoStrings.isPrint(cp)) {
                        out.appendCodePoint(cp);
                    } else {
                        out.append(String.format("\\u%04X", cp));
                    }
                }
            }
        });
        return out.toString();
    }

    /** Go's url.QueryEscape. */
    private static String queryEscape(String s) {
        StringBuilder out = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xFF;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.' || c == '~') {
                out.append((char) c);
            } else if (c == ' ') {
                out.append('+');
            } else {
                out.append('%').append(String.format("%02X", c));
            }
        }
        return out.toString();
    }
}
