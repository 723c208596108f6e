package dev.jollama.engine.kvcache;

import dev.jollama.engine.tensor.FloatKernels;

import java.util.Arrays;

/**
 * Queries that attend together over one sequence's cache and one key head ({@link BlockTable#attend}): the query
 * heads sharing that key head, for a few consecutive rows. Each block of keys and values is read (and widened to
 * floats) once for all of them, and each vector of it loaded serves four queries ({@link
 * FloatKernels#columnDotsFour}, {@link FloatKernels#weightedSumFour}). One query at a time, a 128-token prompt after
 * 8192 cached tokens read the cache 128 times per query head and ran at 0.41 of llama.cpp's speed, whose flash
 * attention reads it once per tile of rows and heads. Holds its own scratch: one per worker thread.
 */
public final class QueryTile {
    private final int n;
    private final int capacity;
    /** Each query scaled, n values apiece. */
    private final float[] queries;
    private final int[] first;
    private final int[] end;
    private final float[] sinks;
    private int count;
    /** A block's keys (transposed, see {@link CacheStorage#readKeys}) and values as floats. */
    final float[] keys;
    final float[] values;
    /** Each query's attention output, n values apiece. */
    final float[] out;
    /** Each query's scores over the positions attended, then their softmax: the weights of the values. */
    private float[] scores = new float[0];

    /**
     * @param n        values per query (the head dimension)
     * @param capacity the most queries the tile holds
     */
    public QueryTile(int n, int capacity) {
        this.n = n;
        this.capacity = capacity;
        this.queries = new float[capacity * n];
        this.first = new int[capacity];
        this.end = new int[capacity];
        this.sinks = new float[capacity];
        this.keys = new float[n * KvCache.BLOCK_SIZE];
        this.values = new float[KvCache.BLOCK_SIZE * n];
        this.out = new float[capacity * n];
    }

    public void clear() {
        count = 0;
    }

    /**
     * Adds a query, {@code query[offset..+n)} times {@code scale}, that sees positions {@code first} to {@code end}
     * (exclusive), with {@code sink} as one more logit without a value (-∞: none; see {@link
     * FloatKernels#softmax(float[], int, int, float)}).
     */
    public void add(float[] query, int offset, float scale, int first, int end, float sink) {
        if (count == capacity) {
            throw new IllegalStateException("the tile holds " + capacity + " queries");
        }
        for (int d = 0; d < n; d++) {
            queries[count * n + d] = query[offset + d] * scale;
        }
        this.first[count] = first;
        this.end[count] = end;
        this.sinks[count] = sink;
        count++;
    }

    /** Copies the attention output of the {@code m}-th query added to {@code dst[dstOffset..+n)}. */
    public void output(int m, float[] dst, int dstOffset) {
        System.arraycopy(out, m * n, dst, dstOffset, n);
    }

    int n() {
        return n;
    }

    int count() {
        return count;
    }

    /** The first position any query sees. */
    int lowest() {
        int lowest = Integer.MAX_VALUE;
        for (int m = 0; m < count; m++) {
            lowest = Math.min(lowest, first[m]);
        }
        return lowest;
    }

    /** The position after the last any query sees. */
    int highest() {
        int highest = 0;
        for (int m = 0; m < count; m++) {
            highest = Math.max(highest, end[m]);
        }
        return highest;
    }

    /** Starts an attention: room for every query's scores over {@code width} positions, and outputs of zeros. */
    void start(int width) {
        if (scores.length < count * width) {
            scores = new float[Math.max(count * width, 2 * scores.length)];
        }
        Arrays.fill(out, 0, count * n, 0f);
    }

    /**
     * Every query's scores against the block of {@link #keys} (all its positions) into scores {@code at} to {@code at
     * + BLOCK_SIZE} of its row of {@code width}.
     */
    void scoreBlock(int at, int width) {
        int block = KvCache.BLOCK_SIZE, m = 0;
        for (; m + 4 <= count; m += 4) {
            FloatKernels.columnDotsFour(queries, m * n, n, n, keys, block, scores, m * width + at, width);
        }
        for (; m < count; m++) {
            FloatKernels.columnDots(queries, m * n, n, keys, block, scores, m * width + at);
        }
    }

    /**
     * Turns each query's scores (its row of {@code width} from position {@code base}) into softmax weights over the
     * positions it sees, soft-capped first when {@code logitCap} is above 0, and zero elsewhere in the row.
     */
    void weigh(int base, int width, float logitCap) {
        for (int m = 0; m < count; m++) {
            int row = m * width, from = row + first[m] - base, to = row + end[m] - base;
            if (logitCap > 0) {
                FloatKernels.softCap(scores, from, to, logitCap);
            }
            FloatKernels.softmax(scores, from, to, sinks[m]);
            Arrays.fill(scores, row, from, 0f);
            Arrays.fill(scores, to, row + width, 0f);
        }
    }

    /**
     * Adds each query's weighted sum of the block's {@link #values} at in-block positions {@code from} to {@code to}
     * to its output; the weights of position {@code from} are at {@code at} of each query's row of {@code width}.
     */
    void addBlockValues(int at, int width, int from, int to) {
        int m = 0, positions = to - from;
        for (; m + 4 <= count; m += 4) {
            FloatKernels.weightedSumFour(scores, m * width + at, width, positions, values, from * n, n, out, m * n, n);
        }
        for (; m < count; m++) {
            int w = m * width + at;
            FloatKernels.weightedSum(scores, w, w + positions, values, from * n, n, out, m * n, n);
        }
    }
}
