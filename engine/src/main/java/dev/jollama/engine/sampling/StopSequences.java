package dev.jollama.engine.sampling;

import java.util.List;

/**
 * Finds stop strings in generated text as it is decoded, and decides how much of it may be sent.
 *
 * <p>A stop string may arrive split over several tokens, so any tail of the text that could still
 * become one is held back until the next piece settles it. When a stop string appears, the text is
 * cut where it starts: the stop string and everything after it are never emitted (as in Ollama, and
 * the earliest match wins when several stop strings match, as in llama-server).
 *
 * <p>Not thread-safe; one instance per generation.
 */
public final class StopSequences {
    private final List<String> stops;
    /** Text received but not yet emitted: a tail that may be the start of a stop string. */
    private String pending = "";
    private boolean stopped;

    /** Empty stop strings are ignored: they would match everywhere. */
    public StopSequences(List<String> stops) {
        this.stops = stops.stream().filter(stop -> !stop.isEmpty()).toList();
    }

    /** Takes newly decoded text and returns the part that is safe to emit now. */
    public String push(String text) {
        if (stopped) {
            return "";
        }
        String buffered = pending + text;
        int match = earliestMatch(buffered);
        if (match >= 0) {
            stopped = true;
            pending = "";
            return buffered.substring(0, match);
        }
        int emit = buffered.length() - longestStopPrefixAtEnd(buffered);
        pending = buffered.substring(emit);
        return buffered.substring(0, emit);
    }

    /** True once a stop string has matched; generation should end. */
    public boolean stopped() {
        return stopped;
    }

    /** Returns the held-back text at the end of generation (empty if a stop string matched). */
    public String flush() {
        String rest = pending;
        pending = "";
        return rest;
    }

    private int earliestMatch(String text) {
        int earliest = -1;
        for (String stop : stops) {
            int at = text.indexOf(stop);
            if (at >= 0 && (earliest < 0 || at < earliest)) {
                earliest = at;
            }
        }
        return earliest;
    }

    /** The length of the longest tail of text that is a proper prefix of some stop string. */
    private int longestStopPrefixAtEnd(String text) {
        int longest = 0;
        for (String stop : stops) {
            for (int length = Math.min(stop.length() - 1, text.length()); length > longest; length--) {
                if (text.regionMatches(text.length() - length, stop, 0, length)) {
                    longest = length;
                    break;
                }
            }
        }
        return longest;
    }
}
