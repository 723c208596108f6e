package dev.jollama.cli;

import dev.jollama.client.ChatResponse;
import dev.jollama.client.GenerateResponse;

import java.time.Duration;
import java.util.Locale;

/** The figures {@code run --verbose} prints after an answer, worded and aligned as ollama prints them. */
final class TimingSummary {
    private TimingSummary() {
    }

    static String of(GenerateResponse r) {
        return of(r.totalDuration(), r.loadDuration(), r.promptEvalCount(), r.promptEvalDuration(), r.evalCount(),
                r.evalDuration());
    }

    static String of(ChatResponse r) {
        return of(r.totalDuration(), r.loadDuration(), r.promptEvalCount(), r.promptEvalDuration(), r.evalCount(),
                r.evalDuration());
    }

    /** Durations in nanoseconds; a figure the server left out (0) is not printed. */
    static String of(long totalDuration, long loadDuration, int promptEvalCount, long promptEvalDuration,
            int evalCount, long evalDuration) {
        StringBuilder text = new StringBuilder();
        if (totalDuration > 0) {
            text.append("total duration:       ").append(duration(totalDuration)).append('\n');
        }
        if (loadDuration > 0) {
            text.append("load duration:        ").append(duration(loadDuration)).append('\n');
        }
        if (promptEvalCount > 0) {
            text.append("prompt eval count:    ").append(promptEvalCount).append(" token(s)\n");
        }
        if (promptEvalDuration > 0) {
            text.append("prompt eval duration: ").append(duration(promptEvalDuration)).append('\n');
            text.append("prompt eval rate:     ").append(rate(promptEvalCount, promptEvalDuration)).append('\n');
        }
        if (evalCount > 0) {
            text.append("eval count:           ").append(evalCount).append(" token(s)\n");
        }
        if (evalDuration > 0) {
            text.append("eval duration:        ").append(duration(evalDuration)).append('\n');
            text.append("eval rate:            ").append(rate(evalCount, evalDuration)).append('\n');
        }
        return text.toString();
    }

    private static String duration(long nanos) {
        return HumanUnits.goDuration(Duration.ofNanos(nanos));
    }

    private static String rate(int count, long nanos) {
        return String.format(Locale.ROOT, "%.2f tokens/s", count * 1e9 / nanos);
    }
}
