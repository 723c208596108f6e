package dev.jollama.engine.model;

/**
 * The rows of one forward pass: each feeds a token, or a vector in place of a token's embedding (an image's
 * embeddings, an image encoder's patches), to a sequence at its next position. One batch may hold prompt
 * chunks of some sequences and single decode tokens of others; a sequence's rows are consecutive. A row may ask for
 * the logits of the token after it (written to its sequence's {@link Sequence#logits()}) or for its final hidden
 * state (embeddings; {@link #hiddenState}); the output projection and the last layer's attention and feed-forward
 * run only on rows that ask for something. A vector row is keyed by an int that stands for it in the KV cache's
 * prefix index (a negative one in a text model, so it never equals a token), and may see some positions after its
 * own (the rows of one image that attend to each other both ways).
 */
public final class Batch {
    /** What a row wants out of the pass. */
    public enum Output { NONE, LOGITS, HIDDEN_STATE }

    private final int capacity;
    private int size;
    final Sequence[] sequences;
    /** Token ids, and the keys of vector rows. */
    final int[] tokens;
    /** Null for token rows. */
    final float[][] vectors;
    final int[] vectorOffsets;
    /** Positions after its own a row also attends to (0: causal). */
    final int[] seesAhead;
    final int[] positions;
    final Output[] outputs;
    /** Of rows asking for hidden states, in row order, after the pass: embeddingLength floats each. */
    float[] hiddenStates = new float[0];
    final int[] hiddenStateRows;
    int hiddenStateCount;

    public Batch(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("a batch holds at least one row, not " + capacity);
        }
        this.capacity = capacity;
        sequences = new Sequence[capacity];
        tokens = new int[capacity];
        vectors = new float[capacity][];
        vectorOffsets = new int[capacity];
        seesAhead = new int[capacity];
        positions = new int[capacity];
        outputs = new Output[capacity];
        hiddenStateRows = new int[capacity];
    }

    public int capacity() {
        return capacity;
    }

    public int size() {
        return size;
    }

    public boolean isFull() {
        return size == capacity;
    }

    /** Empties the batch for the next pass. */
    public void clear() {
        java.util.Arrays.fill(sequences, 0, size, null);
        java.util.Arrays.fill(vectors, 0, size, null);
        size = 0;
        hiddenStateCount = 0;
    }

    /**
     * Adds a row feeding {@code token} to {@code sequence} at the position after its cached ones and its earlier rows
     * in this batch.
     */
    public void add(Sequence sequence, int token, Output output) {
        add(sequence, token, null, 0, 0, output);
    }

    /**
     * Adds a row feeding {@code vector[offset..offset + width)} in place of a token's embedding, keyed by {@code key}
     * in the cache's prefix index, that also attends to the next {@code seesAhead} positions (which must be fed in
     * the same pass).
     */
    public void addVector(Sequence sequence, int key, float[] vector, int offset, int seesAhead, Output output) {
        add(sequence, key, java.util.Objects.requireNonNull(vector), offset, seesAhead, output);
    }

    private void add(Sequence sequence, int token, float[] vector, int offset, int ahead, Output output) {
        if (size == capacity) {
            throw new IllegalStateException("the batch is full (" + capacity + " rows)");
        }
        int position = sequence.length();
        if (size > 0 && sequences[size - 1] == sequence) {
            position = positions[size - 1] + 1;
        } else {
            for (int i = 0; i < size; i++) {
                if (sequences[i] == sequence) {
                    throw new IllegalArgumentException("a sequence's rows must be consecutive in a batch");
                }
            }
        }
        sequences[size] = sequence;
        tokens[size] = token;
        vectors[size] = vector;
        vectorOffsets[size] = offset;
        seesAhead[size] = ahead;
        positions[size] = position;
        outputs[size] = output;
        size++;
    }

    /** The final hidden state (after the output norm) of the i-th row that asked for one, valid until the next pass. */
    public float[] hiddenState(int i, float[] out) {
        System.arraycopy(hiddenStates, i * out.length, out, 0, out.length);
        return out;
    }

    /** The row of the i-th hidden state. */
    public int hiddenStateRow(int i) {
        return hiddenStateRows[i];
    }

    public int hiddenStateCount() {
        return hiddenStateCount;
    }

    /** Whether a row feeds a vector rather than a token. */
    public boolean isVector(int row) {
        return vectors[row] != null;
    }

    public Sequence sequence(int row) {
        return sequences[row];
    }
}
