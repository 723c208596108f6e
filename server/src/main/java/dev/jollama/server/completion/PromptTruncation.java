package dev.jollama.server.completion;

/** Fits an over-long prompt into the context the way Ollama does: keep the head, drop the middle, keep the tail. */
final class PromptTruncation {
    private PromptTruncation() {
    }

    /**
     * Keeps the first {@code keep} tokens and as many of the last ones as make the prompt
     * {@code contextLength - (contextLength - keep) / 2} tokens long, leaving half the free window for the answer.
     */
    static int[] keepHeadAndTail(int[] tokens, int keep, int contextLength) {
        int head = Math.max(0, Math.min(keep, contextLength / 2));
        int target = contextLength - (contextLength - head) / 2;
        int tail = Math.max(1, target - head);
        int[] kept = new int[head + tail];
        System.arraycopy(tokens, 0, kept, 0, head);
        System.arraycopy(tokens, tokens.length - tail, kept, head, tail);
        return kept;
    }
}
