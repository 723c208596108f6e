package dev.jollama.client;

import java.util.ArrayList;
import java.util.List;

/** Joins the pieces of streamed chunks the way the server does for a non-streamed reply; absent stays absent. */
final class Concat {
    private Concat() {
    }

    static String strings(String first, String second) {
        if (first == null) {
            return second;
        }
        return second == null ? first : first + second;
    }

    static <T> List<T> lists(List<T> first, List<T> second) {
        if (first == null) {
            return second;
        }
        if (second == null) {
            return first;
        }
        List<T> joined = new ArrayList<>(first);
        joined.addAll(second);
        return List.copyOf(joined);
    }
}
