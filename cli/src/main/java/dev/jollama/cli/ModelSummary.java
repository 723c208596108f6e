package dev.jollama.cli;

import dev.jollama.client.ShowResponse;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * What {@code show} prints by default: the model's architecture and sizes, its capabilities, parameters, system
 * message and license, as sections of two-column tables the way ollama lays them out.
 */
final class ModelSummary {
    /** Arrays in the metadata are cut to about this many characters, as ollama does. */
    private static final int ARRAY_WIDTH = 10;

    private ModelSummary() {
    }

    /** @param verbose also every GGUF metadata entry (needs a show response asked for with verbose) */
    static String of(ShowResponse show, boolean verbose) {
        StringBuilder text = new StringBuilder();
        section(text, "Model", () -> modelRows(show));
        if (show.capabilities() != null && !show.capabilities().isEmpty()) {
            section(text, "Capabilities", () -> show.capabilities().stream().map(c -> List.of("", c)).toList());
        }
        if (show.parameters() != null && !show.parameters().isBlank()) {
            // One row per line, split at blanks as ollama does: name, then the value's words.
            section(text, "Parameters", () -> show.parameters().lines().filter(l -> !l.isBlank())
                    .map(l -> Stream.concat(Stream.of(""), Arrays.stream(l.strip().split("\\s+"))).toList())
                    .toList());
        }
        if (verbose && show.modelInfo() != null) {
            section(text, "Metadata", () -> new TreeMap<>(show.modelInfo()).entrySet().stream()
                    .map(e -> List.of("", e.getKey(), metadataValue(e.getValue()))).toList());
        }
        if (show.system() != null && !show.system().isEmpty()) {
            section(text, "System", () -> firstLines(show.system(), 2));
        }
        if (show.license() != null && !show.license().isEmpty()) {
            section(text, "License", () -> firstLines(show.license(), 2));
        }
        return text.toString();
    }

    private static void section(StringBuilder text, String header, Supplier<List<List<String>>> rows) {
        text.append("  ").append(header).append('\n');
        text.append(TableFormat.render(List.of(), rows.get())).append('\n');
    }

    private static List<List<String>> modelRows(ShowResponse show) {
        List<List<String>> rows = new ArrayList<>();
        Map<String, Object> info = show.modelInfo();
        String parameterSize = show.details() == null ? "" : orEmpty(show.details().parameterSize());
        if (info != null && !info.isEmpty()) {
            String architecture = info.get("general.architecture") instanceof String a ? a : "";
            if (!architecture.isEmpty()) {
                rows.add(List.of("", "architecture", architecture));
            }
            String parameters = !parameterSize.isEmpty() ? parameterSize
                    : info.get("general.parameter_count") instanceof Number n ? HumanUnits.number(n.longValue()) : "";
            if (!parameters.isEmpty()) {
                rows.add(List.of("", "parameters", parameters));
            }
            if (info.get(architecture + ".context_length") instanceof Number n) {
                rows.add(List.of("", "context length", plain(n)));
            }
            if (info.get(architecture + ".embedding_length") instanceof Number n) {
                rows.add(List.of("", "embedding length", plain(n)));
            }
        } else {
            rows.add(List.of("", "architecture", show.details() == null ? "" : orEmpty(show.details().family())));
            rows.add(List.of("", "parameters", parameterSize));
        }
        rows.add(List.of("", "quantization", show.details() == null ? "" : orEmpty(show.details().quantizationLevel())));
        return rows;
    }

    /** The first non-blank lines of a text, then "..." when there are more. */
    private static List<List<String>> firstLines(String text, int count) {
        List<String> lines = text.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        List<List<String>> rows = new ArrayList<>();
        lines.stream().limit(count).forEach(l -> rows.add(List.of("", l)));
        if (lines.size() > count) {
            rows.add(List.of("", "..."));
        }
        return rows;
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    private static String plain(Number n) {
        return new BigDecimal(n.toString()).stripTrailingZeros().toPlainString();
    }

    /** A metadata value as ollama prints it: numbers in Go's %g, arrays cut short with a count of the rest. */
    private static String metadataValue(Object value) {
        return switch (value) {
            case null -> "<nil>";
            case Number n -> goG(n);
            case List<?> list -> shortArray(list);
            default -> value.toString();
        };
    }

    private static String shortArray(List<?> list) {
        int shown = 0;
        int width = 1;
        for (Object item : list) {
            int itemWidth = String.valueOf(item).length() + (shown > 0 ? 2 : 0);
            if (width + itemWidth > ARRAY_WIDTH && shown > 0) {
                break;
            }
            width += itemWidth;
            shown++;
        }
        StringBuilder text = new StringBuilder("[");
        for (int i = 0; i < shown; i++) {
            text.append(i > 0 ? " " : "").append(list.get(i) instanceof Number n ? goG(n) : list.get(i));
        }
        return shown < list.size() ? text + " ...+" + (list.size() - shown) + " more]" : text + "]";
    }

    /** Go's %g for a float64: the shortest digits, in exponent form below 1e-4 or from 1e6 up. */
    static String goG(Number n) {
        BigDecimal d = new BigDecimal(Double.toString(n.doubleValue())).stripTrailingZeros();
        if (d.signum() == 0) {
            return "0";
        }
        String digits = d.unscaledValue().abs().toString();
        int exponent = digits.length() - 1 - d.scale();
        if (exponent < -4 || exponent >= 6) {
            String mantissa = digits.length() > 1 ? digits.charAt(0) + "." + digits.substring(1) : digits;
            return (d.signum() < 0 ? "-" : "") + mantissa + "e" + (exponent < 0 ? "-" : "+")
                    + String.format(Locale.ROOT, "%02d", Math.abs(exponent));
        }
        return d.toPlainString();
    }
}
