package dev.jollama.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/** Sizes, counts, durations, times and digests written for people, the way the ollama command writes them. */
final class HumanUnits {
    private static final long KB = 1000;
    private static final long MB = KB * 1000;
    private static final long GB = MB * 1000;
    private static final long TB = GB * 1000;
    /** Go's zero time.Time, which a Go server writes for a time it does not have. */
    private static final Instant GO_ZERO_TIME = Instant.parse("0001-01-01T00:00:00Z");

    private HumanUnits() {
    }

    /** A model or layer ID: the first 12 hex digits of its sha256 digest, as Docker and Ollama show them. */
    static String shortDigest(String digest) {
        String hex = digest == null ? "" : digest.replaceFirst("^sha256[:-]", "");
        return hex.substring(0, Math.min(12, hex.length()));
    }

    /** Decimal units, one decimal below 10: {@code 512 B}, {@code 1.5 KB}, {@code 266 MB}, {@code 4.7 GB}. */
    static String bytes(long bytes) {
        String unit;
        double value;
        if (bytes >= TB) {
            value = (double) bytes / TB;
            unit = "TB";
        } else if (bytes >= GB) {
            value = (double) bytes / GB;
            unit = "GB";
        } else if (bytes >= MB) {
            value = (double) bytes / MB;
            unit = "MB";
        } else if (bytes >= KB) {
            value = (double) bytes / KB;
            unit = "KB";
        } else {
            return bytes + " B";
        }
        if (value >= 10 || value == Math.floor(value)) {
            return (long) value + " " + unit;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, unit);
    }

    /** A count such as a model's parameters: {@code 260K}, {@code 1.24M}, {@code 8B}, {@code 3.2B}. */
    static String number(long n) {
        if (n >= 1_000_000_000L) {
            double b = n / 1e9;
            return b == Math.floor(b) ? String.format(Locale.ROOT, "%.0fB", b) : String.format(Locale.ROOT, "%.1fB", b);
        }
        if (n >= 1_000_000L) {
            double m = n / 1e6;
            return m == Math.floor(m) ? String.format(Locale.ROOT, "%.0fM", m) : String.format(Locale.ROOT, "%.2fM", m);
        }
        if (n >= 1000) {
            return String.format(Locale.ROOT, "%.0fK", n / 1e3);
        }
        return Long.toString(n);
    }

    /** Go's {@code time.Duration.String}: {@code 1.5s}, {@code 2m3.25s}, {@code 12.345ms}, {@code 850µs}, {@code 0s}. */
    static String goDuration(Duration duration) {
        long nanos = duration.toNanos();
        String sign = nanos < 0 ? "-" : "";
        long u = Math.abs(nanos);
        if (u == 0) {
            return "0s";
        }
        if (u < 1_000) {
            return sign + u + "ns";
        }
        if (u < 1_000_000) {
            return sign + decimal(u, 3) + "µs";
        }
        if (u < 1_000_000_000) {
            return sign + decimal(u, 6) + "ms";
        }
        long seconds = u / 1_000_000_000;
        String text = decimal((seconds % 60) * 1_000_000_000 + u % 1_000_000_000, 9) + "s";
        long minutes = seconds / 60;
        if (minutes > 0) {
            text = minutes % 60 + "m" + text;
            long hours = minutes / 60;
            if (hours > 0) {
                text = hours + "h" + text;
            }
        }
        return sign + text;
    }

    /** {@code value / 10^digits} with the fraction's trailing zeros left out. */
    private static String decimal(long value, int digits) {
        long scale = (long) Math.pow(10, digits);
        long fraction = value % scale;
        if (fraction == 0) {
            return Long.toString(value / scale);
        }
        String padded = String.format(Locale.ROOT, "%0" + digits + "d", fraction).replaceAll("0+$", "");
        return value / scale + "." + padded;
    }

    /** A time left, at most two units, for progress bars: {@code 0s}, {@code 45s}, {@code 3m5s}, {@code 2h10m}. */
    static String remaining(Duration duration) {
        if (duration.compareTo(Duration.ofHours(100)) >= 0) {
            return "99h+";
        }
        if (duration.compareTo(Duration.ofHours(1)) >= 0) {
            return duration.toHours() + "h" + duration.toMinutesPart() + "m";
        }
        long seconds = Math.round(duration.toMillis() / 1000.0);
        return goDuration(Duration.ofSeconds(seconds));
    }

    /**
     * How long ago or ahead a time is: {@code 2 minutes ago}, {@code 4 minutes from now}, {@code Forever} for a
     * time decades ahead (a model kept loaded for good), {@code never} when the time is absent.
     */
    static String relativeTime(Instant time, Instant now, String never) {
        if (time == null || time.equals(GO_ZERO_TIME)) {
            return never;
        }
        Duration delta = Duration.between(time, now);
        if (delta.toHours() / 24 / 365 < -20) {
            return "Forever";
        }
        if (delta.isNegative()) {
            return approximately(delta.negated()) + " from now";
        }
        return approximately(delta) + " ago";
    }

    /** Go ollama's format.humanDuration. */
    private static String approximately(Duration d) {
        long seconds = d.toSeconds();
        if (seconds < 1) {
            return "Less than a second";
        }
        if (seconds == 1) {
            return "1 second";
        }
        if (seconds < 60) {
            return seconds + " seconds";
        }
        long minutes = d.toMinutes();
        if (minutes == 1) {
            return "About a minute";
        }
        if (minutes < 60) {
            return minutes + " minutes";
        }
        long hours = Math.round(d.toMillis() / 3_600_000.0);
        if (hours == 1) {
            return "About an hour";
        }
        if (hours < 48) {
            return hours + " hours";
        }
        if (hours < 24 * 7 * 2) {
            return hours / 24 + " days";
        }
        if (hours < 24 * 30 * 2) {
            return hours / 24 / 7 + " weeks";
        }
        if (hours < 24 * 365 * 2) {
            return hours / 24 / 30 + " months";
        }
        return d.toHours() / 24 / 365 + " years";
    }
}
