package dev.jollama.client;

import com.fasterxml.jackson.annotation.JsonValue;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code keep_alive} request field: how long the server keeps the model loaded after the request. Zero unloads
 * it at once; a negative duration keeps it loaded forever.
 *
 * <p>Sent as a number of seconds (fractional when needed), a form every Ollama version reads the same way.
 */
public record KeepAlive(Duration duration) {
    public static final KeepAlive FOREVER = new KeepAlive(Duration.ofSeconds(-1));
    public static final KeepAlive UNLOAD = new KeepAlive(Duration.ZERO);

    private static final Pattern NUMBER = Pattern.compile("[-+]?(\\d+\\.?\\d*|\\.\\d+)");
    // One "<number><unit>" element of a Go duration; longer units first so "ms" is not read as "m".
    private static final Pattern ELEMENT = Pattern.compile("(\\d+\\.?\\d*|\\.\\d+)(ns|us|µs|μs|ms|s|m|h)");
    private static final Map<String, Long> NANOS_PER_UNIT = Map.of(
            "ns", 1L, "us", 1_000L, "µs", 1_000L, "μs", 1_000L, "ms", 1_000_000L,
            "s", 1_000_000_000L, "m", 60_000_000_000L, "h", 3_600_000_000_000L);

    public KeepAlive {
        if (duration == null) {
            throw new IllegalArgumentException("keep_alive duration must not be null");
        }
    }

    public static KeepAlive of(Duration duration) {
        return new KeepAlive(duration);
    }

    public static KeepAlive ofSeconds(double seconds) {
        return ofSeconds(BigDecimal.valueOf(seconds));
    }

    private static KeepAlive ofSeconds(BigDecimal seconds) {
        return new KeepAlive(nanosOf(seconds.multiply(BigDecimal.valueOf(1_000_000_000L))));
    }

    /**
     * A Go duration string ({@code "5m"}, {@code "1h30m"}, {@code "500ms"}, {@code "-1s"}, {@code "0"}) or a plain
     * number of seconds ({@code "300"}, {@code "-1"}), like {@code OLLAMA_KEEP_ALIVE}.
     *
     * @throws IllegalArgumentException for anything else, with Go's wording
     */
    public static KeepAlive parse(String text) {
        String s = text.strip();
        if (NUMBER.matcher(s).matches()) {
            return ofSeconds(new BigDecimal(s));
        }
        return new KeepAlive(parseGoDuration(s));
    }

    public boolean isForever() {
        return duration.isNegative();
    }

    /** Whole seconds as an integer, otherwise a decimal; -1 for forever. */
    @JsonValue
    public Number seconds() {
        if (isForever()) {
            return -1;
        }
        if (duration.getNano() == 0) {
            return duration.getSeconds();
        }
        return BigDecimal.valueOf(duration.getSeconds()).add(BigDecimal.valueOf(duration.getNano(), 9))
                .stripTrailingZeros();
    }

    private static Duration parseGoDuration(String s) {
        String rest = s.startsWith("-") || s.startsWith("+") ? s.substring(1) : s;
        if (rest.isEmpty()) {
            throw new IllegalArgumentException("time: invalid duration \"" + s + "\"");
        }
        Matcher m = ELEMENT.matcher(rest);
        BigDecimal nanos = BigDecimal.ZERO;
        int position = 0;
        while (position < rest.length()) {
            if (!m.region(position, rest.length()).lookingAt()) {
                boolean onlyNumberLeft = NUMBER.matcher(rest.substring(position)).matches();
                throw new IllegalArgumentException((onlyNumberLeft ? "time: missing unit in duration \""
                        : "time: invalid duration \"") + s + "\"");
            }
            nanos = nanos.add(new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(NANOS_PER_UNIT.get(m.group(2)))));
            position = m.end();
        }
        return nanosOf(s.startsWith("-") ? nanos.negate() : nanos);
    }

    private static Duration nanosOf(BigDecimal nanos) {
        BigDecimal[] secondsAndNanos = nanos.divideAndRemainder(BigDecimal.valueOf(1_000_000_000L));
        return Duration.ofSeconds(secondsAndNanos[0].longValue(), secondsAndNanos[1].longValue());
    }
}
