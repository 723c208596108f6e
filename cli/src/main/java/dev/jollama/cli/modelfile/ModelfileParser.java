package dev.jollama.cli.modelfile;

import dev.jollama.client.Message;
import dev.jollama.server.api.Options;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads Modelfile text as the ollama command does: one instruction per line (names in any case), {@code #} comments,
 * values plain to the end of the line, in {@code "..."} or {@code '...'}, or in {@code """..."""} across lines.
 * Unlike Ollama it stops at the first problem with its line number, and it checks PARAMETER values here rather than
 * on the server.
 */
public final class ModelfileParser {
    private static final Pattern INSTRUCTION = Pattern.compile("([A-Za-z]+)(?:[ \\t]+(.*))?");
    private static final Pattern NAME_AND_VALUE = Pattern.compile("([A-Za-z0-9_]+)(?:[ \\t]+(.*))?");
    private static final Pattern INT = Pattern.compile("[+-]?\\d+");
    private static final Pattern FLOAT = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
    private static final String TRIPLE_QUOTE = "\"\"\"";

    /** Parameters Ollama dropped; old Modelfiles still carry them, so they are ignored with a warning, as there. */
    private static final Set<String> DEPRECATED = Set.of("penalize_newline", "low_vram", "f16_kv", "logits_all",
            "vocab_only", "use_mlock", "mirostat", "mirostat_tau", "mirostat_eta");

    private static final Set<String> INSTRUCTIONS = Set.of("from", "template", "system", "license", "parameter",
            "message");

    /** Ollama instructions that change how a model runs in ways Jollama cannot honour: refused, not ignored. */
    private static final Set<String> UNSUPPORTED = Set.of("adapter", "draft", "renderer", "parser", "requires");

    private static final Set<String> ROLES = Set.of("system", "user", "assistant");

    private final List<String> lines;
    private String from;
    /** A second FROM: a vision model's projector file. */
    private String projector;
    private String template;
    private String system;
    private final Map<String, Object> parameters = new LinkedHashMap<>();
    private final List<Message> messages = new ArrayList<>();
    private final List<String> licenses = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();

    private ModelfileParser(String text) {
        String withoutBom = text.startsWith("\uFEFF") ? text.substring(1) : text;
        this.lines = List.of(withoutBom.split("\r\n|\r|\n", -1));
    }

    /** @throws ModelfileException for the first problem found, naming its line */
    public static Modelfile parse(String text) {
        return new ModelfileParser(text).parse();
    }

    private Modelfile parse() {
        int i = 0;
        while (i < lines.size()) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                i++;
                continue;
            }
            i = instruction(i, line) + 1;
        }
        if (from == null) {
            throw new ModelfileException(0, "no FROM line: a Modelfile needs FROM with a model name or a GGUF file");
        }
        Map<String, Object> typed = new LinkedHashMap<>();
        parameters.forEach((name, value) -> typed.put(name, value instanceof List<?> list ? List.copyOf(list) : value));
        return new Modelfile(from, projector, template, system, Collections.unmodifiableMap(typed), List.copyOf(messages),
                List.copyOf(licenses), List.copyOf(warnings));
    }

    /** Reads the instruction starting on line {@code i} and returns the index of its last line. */
    private int instruction(int i, String line) {
        int lineNumber = i + 1;
        Matcher m = INSTRUCTION.matcher(line);
        if (!m.matches()) {
            throw new ModelfileException(lineNumber, "unknown instruction \"" + line.split("[ \\t]", 2)[0] + "\"");
        }
        String name = m.group(1);
        String keyword = name.toLowerCase(Locale.ROOT);
        String rest = m.group(2) == null ? "" : m.group(2);
        if (UNSUPPORTED.contains(keyword)) {
            throw new ModelfileException(lineNumber, keyword.toUpperCase(Locale.ROOT) + " is not supported by jollama"
                    + (keyword.equals("adapter") ? " (it cannot apply LoRA adapters)" : ""));
        }
        if (rest.isBlank() && INSTRUCTIONS.contains(keyword)) {
            throw new ModelfileException(lineNumber, keyword.toUpperCase(Locale.ROOT) + " needs a value");
        }
        return switch (keyword) {
            case "from" -> {
                if (projector != null) {
                    throw new ModelfileException(lineNumber, "a third FROM: a model is made from one model file and at most one projector file");
                }
                Value v = value(i, rest);
                if (v.text().isEmpty()) {
                    throw new ModelfileException(lineNumber, "FROM needs a value");
                }
                if (from == null) {
                    from = v.text();
                } else {
                    projector = v.text();
                }
                yield v.lastLine();
            }
            case "template" -> {
                Value v = value(i, rest);
                template = v.text();
                yield v.lastLine();
            }
            case "system" -> {
                Value v = value(i, rest);
                system = v.text();
                yield v.lastLine();
            }
            case "license" -> {
                Value v = value(i, rest);
                licenses.add(v.text());
                yield v.lastLine();
            }
            case "parameter" -> parameter(i, rest);
            case "message" -> message(i, rest);
            default -> throw new ModelfileException(lineNumber, "unknown instruction \"" + name + "\"");
        };
    }

    private int parameter(int i, String rest) {
        int lineNumber = i + 1;
        Matcher m = NAME_AND_VALUE.matcher(rest.strip());
        if (!m.matches()) {
            throw new ModelfileException(lineNumber, "PARAMETER needs a name and a value, got \"" + rest.strip() + "\"");
        }
        String name = m.group(1);
        if (m.group(2) == null || m.group(2).isBlank()) {
            throw new ModelfileException(lineNumber, "PARAMETER " + name + " needs a value");
        }
        Value v = value(i, m.group(2));
        if (DEPRECATED.contains(name)) {
            warnings.add("line " + lineNumber + ": parameter " + name + " is deprecated and ignored");
            return v.lastLine();
        }
        Object value = parameterValue(lineNumber, name, List.of(v.text()));
        if (value instanceof List<?> sequences) {
            // Each stop line adds one sequence, so the list keeps the order of the lines.
            @SuppressWarnings("unchecked")
            List<String> list = (List<String>) parameters.computeIfAbsent(name, k -> new ArrayList<String>());
            sequences.forEach(sequence -> list.add((String) sequence));
        } else {
            parameters.put(name, value);
        }
        return v.lastLine();
    }

    /**
     * A parameter's value typed as its option is (Long, Double, Boolean, or a list of strings for {@code stop}), as
     * {@code /set parameter} in a chat also takes it. Only {@code stop} takes more than one value.
     *
     * @throws ModelfileException for an unknown name or a value of the wrong type (without a line number)
     */
    public static Object parameterValue(String name, List<String> values) {
        return parameterValue(0, name, values);
    }

    private static Object parameterValue(int lineNumber, String name, List<String> values) {
        Options.Kind kind = Options.kindOf(name)
                .orElseThrow(() -> new ModelfileException(lineNumber, "unknown parameter '" + name + "'"));
        String first = values.getFirst();
        return switch (kind) {
            case STRINGS -> List.copyOf(values);
            case INT -> integer(first).orElseThrow(() -> invalid(lineNumber, "int", first, name));
            case FLOAT -> decimal(first).orElseThrow(() -> invalid(lineNumber, "float", first, name));
            case BOOL -> bool(first).orElseThrow(() -> invalid(lineNumber, "bool", first, name));
        };
    }

    /** Go's strconv.ParseInt in base 10: digits only, within 64 bits. */
    private static Optional<Long> integer(String text) {
        if (!INT.matcher(text).matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Long.parseLong(text));
        } catch (NumberFormatException tooLarge) {
            return Optional.empty();
        }
    }

    /** A decimal number, with an exponent or not; not Java's extras such as a trailing {@code f} or hex. */
    private static Optional<Double> decimal(String text) {
        return FLOAT.matcher(text).matches() ? Optional.of(Double.parseDouble(text)) : Optional.empty();
    }

    /** Go's strconv.ParseBool, which Ollama uses for these values. */
    private static Optional<Boolean> bool(String text) {
        return switch (text) {
            case "1", "t", "T", "TRUE", "true", "True" -> Optional.of(true);
            case "0", "f", "F", "FALSE", "false", "False" -> Optional.of(false);
            default -> Optional.empty();
        };
    }

    private static ModelfileException invalid(int lineNumber, String type, String text, String name) {
        return new ModelfileException(lineNumber, "invalid " + type + " value \"" + text + "\" for parameter " + name);
    }

    private int message(int i, String rest) {
        int lineNumber = i + 1;
        Matcher m = NAME_AND_VALUE.matcher(rest.strip());
        String role = m.matches() ? m.group(1) : rest.strip().split("[ \\t]", 2)[0];
        if (!m.matches() || !ROLES.contains(role)) {
            throw new ModelfileException(lineNumber,
                    "message role must be one of \"system\", \"user\", or \"assistant\", got \"" + role + "\"");
        }
        if (m.group(2) == null || m.group(2).isBlank()) {
            throw new ModelfileException(lineNumber, "MESSAGE " + role + " needs a text");
        }
        Value v = value(i, m.group(2));
        messages.add(new Message(role, v.text(), null, null, null, null));
        return v.lastLine();
    }

    /** A value and the index of the line it ends on. */
    private record Value(String text, int lastLine) {
    }

    /**
     * The value that starts with {@code rest} on line {@code i}: in triple quotes (across lines, kept verbatim), in
     * double quotes (also across lines, as Ollama allows), in single quotes, or plain to the end of the line.
     */
    private Value value(int i, String rest) {
        String start = rest.stripLeading();
        String trimmed = start.strip();
        if (trimmed.startsWith(TRIPLE_QUOTE)) {
            return quoted(i, start.substring(3), TRIPLE_QUOTE);
        }
        if (trimmed.startsWith("\"")) {
            if (trimmed.length() >= 2 && trimmed.endsWith("\"")) {
                return new Value(trimmed.substring(1, trimmed.length() - 1), i);
            }
            return quoted(i, start.substring(1), "\"");
        }
        if (trimmed.startsWith("'")) {
            if (trimmed.length() >= 2 && trimmed.endsWith("'")) {
                return new Value(trimmed.substring(1, trimmed.length() - 1), i);
            }
            throw new ModelfileException(i + 1, "missing closing ' in " + trimmed);
        }
        return new Value(trimmed, i);
    }

    /**
     * A quoted value whose text begins with {@code first} (after the opening quote) on line {@code i}. A triple
     * quote closes at its first repetition; a single double quote at the last quote of a line, as Ollama reads it.
     */
    private Value quoted(int i, String first, String quote) {
        StringBuilder text = new StringBuilder();
        String line = first;
        for (int j = i; j < lines.size(); j++) {
            if (j > i) {
                text.append('\n');
                line = lines.get(j);
            }
            int close = quote.equals(TRIPLE_QUOTE) ? line.indexOf(TRIPLE_QUOTE) : closingQuote(line);
            if (close >= 0) {
                String after = line.substring(close + quote.length());
                if (!after.isBlank()) {
                    throw new ModelfileException(j + 1, "unexpected text after the closing " + quote + ": "
                            + after.strip());
                }
                text.append(line, 0, close);
                return new Value(text.toString(), j);
            }
            text.append(line);
        }
        throw new ModelfileException(i + 1, "missing closing " + quote + " for the value opened here");
    }

    /** The index of a double quote that ends a line (before trailing blanks), or -1. */
    private static int closingQuote(String line) {
        String end = line.stripTrailing();
        return end.endsWith("\"") ? end.length() - 1 : -1;
    }
}
