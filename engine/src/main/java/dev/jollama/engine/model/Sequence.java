package dev.jollama.engine.model;

import dev.jollama.engine.kvcache.BlockTable;

/**
 * One generation's state: its positions in the model's KV cache and the logits of its last pass. Used by one thread
 * at a time; closing it gives its cache blocks back, where later sequences with the same prefix find them.
 */
public final class Sequence implements AutoCloseable {
    final BlockTable cache;
    private final int vocabularySize;
    /** Made on the first pass that asks for them: sequences that only embed never need them. */
    private float[] logits;

    Sequence(BlockTable cache, int vocabularySize) {
        this.cache = cache;
        this.vocabularySize = vocabularySize;
    }

    /** The most tokens this sequence holds. */
    public int contextLength() {
        return cache.maxLength();
    }

    /** Tokens held in the cache; the next token fed goes to this position. */
    public int length() {
        return cache.length();
    }

    /** The next-token logits of the last row of this sequence that asked for them; overwritten by the next pass. */
    public float[] logits() {
        if (logits == null) {
            logits = new float[vocabularySize];
        }
        return logits;
    }

    /** Forgets every position from {@code newLength} on, so a shared prefix can be kept and the rest re-fed. */
    public void truncate(int newLength) {
        cache.truncate(newLength);
    }

    /**
     * Keeps the longest start of {@code prompt[0..limit)} whose keys and values are cached, by this sequence or any
     * earlier one of the model (see {@link dev.jollama.engine.kvcache.KvCache}), and returns its length; the rest of
     * this sequence is dropped.
     */
    public int reusePrefix(int[] prompt, int limit) {
        int own = commonPrefixLength(prompt, limit);
        cache.truncate(own);
        if (own == limit) {
            return own;
        }
        cache.close();
        return cache.adoptPrefix(prompt, limit);
    }

    /** How many of the first {@code limit} tokens of {@code prompt} this sequence already holds. */
    public int commonPrefixLength(int[] prompt, int limit) {
        int n = Math.min(Math.min(limit, length()), prompt.length);
        int i = 0;
        while (i < n && cache.token(i) == prompt[i]) {
            i++;
        }
        return i;
    }

    /** A copy of the tokens held at positions from (inclusive) to to (exclusive). */
    public int[] tokens(int from, int to) {
        int[] tokens = new int[to - from];
        for (int i = from; i < to; i++) {
            tokens[i - from] = cache.token(i);
        }
        return tokens;
    }

    @Override
    public void close() {
        cache.close();
    }
}
