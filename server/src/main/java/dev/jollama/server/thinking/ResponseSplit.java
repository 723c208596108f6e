package dev.jollama.server.thinking;

/** A piece of model output divided into its thinking and its answer; either may be empty. */
public record ResponseSplit(String thinking, String content) {
    public static final ResponseSplit EMPTY = new ResponseSplit("", "");

    public boolean isEmpty() {
        return thinking.isEmpty() && content.isEmpty();
    }
}
