package dev.jollama.server.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Go's time.ParseDuration syntax ("300ms", "1h30m", "-1s", "0"), with Go's error texts. */
public final class GoDuration {
    private static final Pattern UNIT = Pattern.compile("(\\d*\\.?\\d*)(ns|us|µs|μs|ms|s|m|h)");

    private GoDuration() {
    }

    /** Parses a Go duration; throws IllegalArgumentException with Go's message (e.g. {@code time: invalid duration "abc"}). */
    public static Duration parse(String text) {
        String s = text;
        boolean negative = false;
        if (s.startsWith("-") || s.startsWith("+")) {
            negative = s.startsWith("-");
            s = s.substring(1);
        }
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        if (s.isEmpty()) {
            throw invalid(text);
        }
        double nanos = 0;
        int at = 0;
        Matcher m = UNIT.matcher(s);
        while (at < s.length()) {
            if (!m.find(at) || m.start() != at || m.group(1).isEmpty() || m.group(1).equals(".")) {
                if (s.substring(at).matches("\\d*\\.?\\d+")) {
                    throw new IllegalArgumentException("time: missing unit in duration \"" + text + "\"");
                }
                throw invalid(text);
            }
            nanos += Double.parseDouble(m.group(1)) * nanosPer(m.group(2));
            at = m.end();
        }
        long n = (long) nanos;
        return Duration.ofNanos(negative ? -n : n);
    }

    private static long nanosPer(String unit) {
        return switch (unit) {
            case "ns" -> 1L;
            case "us", "µs", "μs" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            default -> 3_600_000_000_000L;
        };
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException("time: invalid duration \"" + text + "\"");
    }

    /** Formats as Go's Duration.String does for whole seconds and above ("5m0s", "1h0m0s", "30s"). */
    public static String format(Duration d) {
        long seconds = d.getSeconds();
        long nanos = d.getNano();
        if (seconds == 0 && nanos == 0) {
            return "0s";
        }
        StringBuilder sb = new StringBuilder();
        long h = seconds / 3600, m = (seconds % 3600) / 60, s = seconds % 60;
        if (h > 0) {
            sb.append(h).append('h');
        }
        if (h > 0 || m > 0) {
            sb.append(m).append('m');
        }
        sb.append(s);
        if (nanos > 0) {
            sb.append('.').append(String.format("%09d", nanos).replaceAll("0+$", ""));
        }
        return sb.append('s').toString();
    }
}
