package dev.jollama.engine.model;

import dev.jollama.engine.gguf.GgufFile;
import dev.jollama.engine.gguf.GgufFormatException;

/**
 * How an embedding is made of an input's final hidden states, per the file's {@code <arch>.pooling_type}: the mean
 * over the tokens (also for generative models, which have no such key), the first token's (CLS) or the last's.
 */
public enum Pooling {
    MEAN, CLS, LAST;

    /**
     * Whether the file says how to pool its hidden states ({@code <arch>.pooling_type}): an embedding model, which
     * Ollama does not offer for generation.
     */
    public static boolean isDeclaredBy(GgufFile file) {
        return file.metadata().containsKey(file.getString("general.architecture", "") + ".pooling_type");
    }

    static Pooling of(GgufFile file, String architecture) {
        int type = file.getInt(architecture + ".pooling_type", 1, 0);
        return switch (type) {
            case 0, 1 -> MEAN; // 0 (none) gives one vector per token, which /api/embed has no room for
            case 2 -> CLS;
            case 3 -> LAST;
            default -> throw new GgufFormatException(file.path(), architecture + ".pooling_type " + type
                    + " is not supported (0 none, 1 mean, 2 CLS and 3 last are)");
        };
    }

    /** Adds token {@code index} of {@code length} tokens' hidden state to {@code pooled} as this pooling wants. */
    void add(float[] pooled, float[] hidden, int index, int length) {
        switch (this) {
            case MEAN -> {
                for (int i = 0; i < pooled.length; i++) {
                    pooled[i] += hidden[i] / length;
                }
            }
            case CLS -> {
                if (index == 0) {
                    System.arraycopy(hidden, 0, pooled, 0, pooled.length);
                }
            }
            case LAST -> {
                if (index == length - 1) {
                    System.arraycopy(hidden, 0, pooled, 0, pooled.length);
                }
            }
        }
    }
}
