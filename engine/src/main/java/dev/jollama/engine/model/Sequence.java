package dev.jollama.engine.model;

import dev.jollama.engine.tensor.Matmul;
import dev.jollama.engine.tensor.MatmulInput;
import dev.jollama.engine.tensor.WorkerPool;

/**
 * One generation's state: the KV cache, sized by the context length this sequence asked for (not the model's
 * training context), and the scratch buffers of the forward pass. Used by one thread at a time.
 */
public final class Sequence {
    private final int contextLength;
    private int length;
    private int[] tokens;

    final float[][] keyCache;
    final float[][] valueCache;

    final float[] x;
    final Matmul matmul;
    final MatmulInput normed;
    final float[] query;
    final float[] key;
    final float[] value;
    final MatmulInput attentionOut;
    final float[] projected;
    final float[] gate;
    final float[] up;
    final MatmulInput ffnProduct;
    final float[] scores;
    final float[] logits;

    Sequence(ModelConfig c, int contextLength, WorkerPool pool) {
        this.contextLength = contextLength;
        this.tokens = new int[contextLength];
        int kvDim = c.kvDim();
        keyCache = new float[c.blockCount()][Math.multiplyExact(contextLength, kvDim)];
        valueCache = new float[c.blockCount()][Math.multiplyExact(contextLength, kvDim)];
        x = new float[c.embeddingLength()];
        matmul = new Matmul(pool);
        normed = new MatmulInput(c.embeddingLength(), 1);
        query = new float[c.queryDim()];
        key = new float[kvDim];
        value = new float[kvDim];
        attentionOut = new MatmulInput(c.queryDim(), 1);
        projected = new float[c.embeddingLength()];
        gate = new float[c.feedForwardLength()];
        up = new float[c.feedForwardLength()];
        ffnProduct = new MatmulInput(c.feedForwardLength(), 1);
        scores = new float[contextLength];
        logits = new float[c.vocabularySize()];
    }

    public int contextLength() {
        return contextLength;
    }

    /** Tokens held in the cache; the next token fed goes to this position. */
    public int length() {
        return length;
    }

    /** Forgets every position from {@code newLength} on, so a shared prefix can be kept and the rest re-fed. */
    public void truncate(int newLength) {
        if (newLength < 0 || newLength > length) {
            throw new IllegalArgumentException("cannot truncate a sequence of " + length + " tokens to " + newLength);
        }
        length = newLength;
    }

    /** How many of the first {@code limit} tokens of {@code prompt} this sequence already holds. */
    public int commonPrefixLength(int[] prompt, int limit) {
        int n = Math.min(Math.min(limit, length), prompt.length);
        int i = 0;
        while (i < n && tokens[i] == prompt[i]) {
            i++;
        }
        return i;
    }

    /** A copy of the tokens held at positions from (inclusive) to to (exclusive). */
    public int[] tokens(int from, int to) {
        return java.util.Arrays.copyOfRange(tokens, from, to);
    }

    void append(int token) {
        tokens[length++] = token;
    }
}
