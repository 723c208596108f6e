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

    /**
     * Per layer, the keys transposed: value j of position p's key at {@code j·contextLength + p}, so that attention
     * scores a run of positions in vector lanes (one key's values are in a column).
     */
    final float[][] keyCache;
    /** Per layer, the values: position p's value at {@code p·kvDim}. */
    final float[][] valueCache;
    private final int kvDim;

    /** Tokens fed per forward pass at most: a prompt goes through in chunks of this many. */
    final int batchCapacity;
    final Matmul matmul;
    final AttentionJob attention;
    /** Per token of a batch (token t at t·width): the residual stream and each stage's output. */
    final float[] x;
    final MatmulInput normed;
    final float[] query;
    final float[] key;
    final float[] value;
    final MatmulInput attentionOut;
    final float[] projected;
    final float[] gate;
    final float[] up;
    final MatmulInput ffnProduct;
    final float[] logits;
    /** The token of a single-token forward pass, as a batch of one. */
    final int[] oneToken = new int[1];
    /** A single-token step waiting in {@link DecodeSteps}: its token, whether it ran, and how it failed if it did. */
    int stepToken;
    boolean stepDone;
    Throwable stepFailure;

    Sequence(ModelConfig c, int contextLength, WorkerPool pool, int batchCapacity) {
        this.contextLength = contextLength;
        this.tokens = new int[contextLength];
        this.batchCapacity = Math.min(batchCapacity, contextLength);
        int n = this.batchCapacity;
        int kvDim = c.kvDim();
        this.kvDim = kvDim;
        keyCache = new float[c.blockCount()][Math.multiplyExact(contextLength, kvDim)];
        valueCache = new float[c.blockCount()][Math.multiplyExact(contextLength, kvDim)];
        matmul = new Matmul(pool);
        attention = new AttentionJob(c, pool, contextLength);
        x = new float[n * c.embeddingLength()];
        normed = new MatmulInput(c.embeddingLength(), n);
        query = new float[n * c.queryDim()];
        key = new float[n * kvDim];
        value = new float[n * kvDim];
        attentionOut = new MatmulInput(c.queryDim(), n);
        projected = new float[n * c.embeddingLength()];
        gate = new float[n * c.feedForwardLength()];
        up = new float[n * c.feedForwardLength()];
        ffnProduct = new MatmulInput(c.feedForwardLength(), n);
        logits = new float[c.vocabularySize()];
    }

    public int contextLength() {
        return contextLength;
    }

    /** Tokens held in the cache; the next token fed goes to this position. */
    public int length() {
        return length;
    }

    /**
     * Stores the keys and values of {@code count} new positions from {@code position} in the layer's caches, the keys
     * transposed: they are rows {@code firstRow} on of {@code keys} and {@code values} (kvDim apart; this sequence's
     * own {@link #key} and {@link #value}, or those of a batch of several sequences).
     */
    void cacheKeysAndValues(int layer, int position, int count, float[] keys, float[] values, int firstRow) {
        float[] cache = keyCache[layer];
        for (int j = 0; j < kvDim; j++) {
            for (int t = 0, at = j * contextLength + position; t < count; t++) {
                cache[at + t] = keys[(firstRow + t) * kvDim + j];
            }
        }
        System.arraycopy(values, firstRow * kvDim, valueCache[layer], position * kvDim, count * kvDim);
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
