package dev.jollama.cli;

import dev.jollama.client.PullProgress;

import java.io.PrintStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Shows the status lines of a pull. On a terminal: a line per status and a progress bar per layer (percent, size,
 * speed, time left), redrawn in place. Otherwise plain lines, each status once and each layer once with its size,
 * so a log stays readable.
 */
final class PullProgressView implements Consumer<PullProgress> {
    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintStream out;
    private final boolean terminal;
    private final int width;
    private final LongSupplier nanoTime;
    /** Status texts and layer digests in the order first seen; a layer's entry is its bar. */
    private final Map<String, Bar> lines = new LinkedHashMap<>();
    private String lastStatus;
    private int linesDrawn;
    private long lastDraw;

    /**
     * @param width    of the terminal in columns
     * @param nanoTime the clock for speeds and redraws ({@link System#nanoTime} but in tests)
     */
    PullProgressView(PrintStream out, boolean terminal, int width, LongSupplier nanoTime) {
        this.out = out;
        this.terminal = terminal;
        this.width = width;
        this.nanoTime = nanoTime;
    }

    /** The terminal's width from COLUMNS, which shells export; 80 when unknown. */
    static int terminalWidth() {
        try {
            return Integer.parseInt(System.getenv().getOrDefault("COLUMNS", "80").strip());
        } catch (NumberFormatException e) {
            return 80;
        }
    }

    @Override
    public void accept(PullProgress progress) {
        long now = nanoTime.getAsLong();
        String digest = progress.digest();
        if (digest != null && !digest.isEmpty()) {
            // The server announces each layer with nothing done before downloading it; a bar at 0% for every
            // layer up front would say they all download at once, so a layer appears when it starts.
            if (progress.completed() == 0 && !lines.containsKey(digest)) {
                return;
            }
            Bar bar = lines.computeIfAbsent(digest, d -> {
                Bar b = new Bar("pulling " + HumanUnits.shortDigest(d), progress.total(), progress.completed(), now);
                if (!terminal) {
                    out.println(b.label + ": " + HumanUnits.bytes(b.total));
                }
                return b;
            });
            bar.set(progress.completed(), now);
        } else if (!progress.status().equals(lastStatus)) {
            lastStatus = progress.status();
            lines.putIfAbsent(lastStatus, null);
            if (!terminal) {
                out.println(lastStatus);
            }
        }
        if (terminal && (linesDrawn == 0 || now - lastDraw >= REDRAW_NANOS)) {
            draw(now);
        }
    }

    /** Draws the final state; call when the pull has ended, well or not. */
    void finish() {
        if (terminal) {
            draw(nanoTime.getAsLong());
        }
    }

    private void draw(long now) {
        lastDraw = now;
        StringBuilder screen = new StringBuilder();
        if (linesDrawn > 0) {
            screen.append("\033[").append(linesDrawn).append('A'); // back to the first line drawn
        }
        List<Map.Entry<String, Bar>> entries = List.copyOf(lines.entrySet());
        for (Map.Entry<String, Bar> line : entries) {
            screen.append("\r\033[2K").append(line.getValue() == null ? line.getKey() : line.getValue().render(width, now))
                    .append('\n');
        }
        linesDrawn = entries.size();
        out.print(screen);
        out.flush();
    }

    /** One layer's download. */
    private static final class Bar {
        final String label;
        final long total;
        final long initial;
        final long started;
        long completed;
        long stopped = -1;

        Bar(String label, long total, long completed, long now) {
            this.label = label;
            this.total = total;
            this.initial = completed;
            this.completed = completed;
            this.started = now;
            if (completed >= total) {
                stopped = now;
            }
        }

        void set(long value, long now) {
            completed = Math.min(value, total);
            if (completed >= total && stopped < 0) {
                stopped = now;
            }
        }

        /** {@code pulling 0123456789ab:  45% ▕████      ▏ 120 MB/266 MB  4.2 MB/s     32s}, fitted to the width. */
        String render(int width, long now) {
            double percent = total > 0 ? completed * 100.0 / total : 0;
            String prefix = label + ": " + String.format(Locale.ROOT, "%3.0f%%", percent);
            boolean done = stopped >= 0;
            double seconds = (now - started) / 1e9;
            double rate = seconds > 0 ? (completed - initial) / seconds : 0;
            StringBuilder suffix = new StringBuilder();
            if (done) {
                suffix.append(padLeft(HumanUnits.bytes(total), 6)).append(" ".repeat(7 + 10 + 8));
            } else {
                suffix.append(padLeft(HumanUnits.bytes(completed), 6)).append('/')
                        .append(padLeft(HumanUnits.bytes(total), 6));
                if (rate > 0) {
                    long secondsLeft = (long) ((total - completed) / rate);
                    suffix.append("  ").append(padLeft(HumanUnits.bytes((long) rate), 6)).append("/s")
                            .append("  ").append(padLeft(HumanUnits.remaining(Duration.ofSeconds(secondsLeft)), 6));
                } else {
                    suffix.append(" ".repeat(10 + 8));
                }
            }
            int barWidth = Math.max(0, width - prefix.length() - suffix.length() - 5);
            int filled = (int) (barWidth * percent / 100);
            return prefix + " ▕" + "█".repeat(filled) + " ".repeat(barWidth - filled) + "▏ " + suffix.toString().stripTrailing();
        }

        private static String padLeft(String s, int width) {
            return " ".repeat(Math.max(0, width - s.length())) + s;
        }
    }
}
