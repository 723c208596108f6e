package dev.jollama.engine.model;

import dev.jollama.engine.tensor.FloatKernels;
import dev.jollama.engine.tensor.WorkerPool;

import java.util.Arrays;

/**
 * Causal attention of a batch of new positions over the KV cache, one work item per query head, so heads run on
 * all workers. Reused for every layer and token of a sequence; each worker has its own score buffer.
 */
final class AttentionJob implements WorkerPool.Task {
    /** Below this many multiply-adds (scores and weighted values) the other workers are not woken. */
    private static final long PARALLEL_THRESHOLD = 1 << 16;

    private final ModelConfig c;
    private final WorkerPool pool;
    private final int contextLength;
    private final float[][] scores;
    private final float scale;
    private float[] query;
    private float[] keys;
    private float[] values;
    private float[] out;
    private int firstRow;
    private int firstPosition;
    private int count;
    private int window;

    AttentionJob(ModelConfig c, WorkerPool pool, int contextLength) {
        this.c = c;
        this.pool = pool;
        this.contextLength = contextLength;
        this.scores = new float[pool.threads()][contextLength];
        this.scale = (float) (1.0 / Math.sqrt(c.headDim()));
    }

    /**
     * For each of {@code count} queries (query t sits at position firstPosition + t, in row firstRow + t of
     * {@code query}, rows queryDim apart), writes to the same row of {@code out} the softmax-weighted sum of the
     * values at the positions it may see: itself and those before it, at most {@code window} of them (0: no limit).
     * {@code keys} is transposed (see {@link Sequence#keyCache}).
     */
    void run(float[] query, int firstRow, float[] keys, float[] values, float[] out, int firstPosition, int count, int window) {
        this.query = query;
        this.firstRow = firstRow;
        this.keys = keys;
        this.values = values;
        this.out = out;
        this.firstPosition = firstPosition;
        this.count = count;
        this.window = window;
        long work = 2L * c.headCount() * count * (firstPosition + count) * c.headDim();
        if (work < PARALLEL_THRESHOLD) {
            run(0, 0, c.headCount());
        } else {
            pool.run(c.headCount(), 1, this);
        }
    }

    @Override
    public void run(int worker, int fromHead, int toHead) {
        float[] s = scores[worker];
        int headDim = c.headDim();
        int kvDim = c.kvDim();
        int queryDim = c.queryDim();
        int groupSize = c.headCount() / c.headCountKv();
        for (int h = fromHead; h < toHead; h++) {
            int kvOffset = (h / groupSize) * headDim;
            for (int t = 0; t < count; t++) {
                int position = firstPosition + t;
                int first = window > 0 ? Math.max(0, position - window + 1) : 0;
                int qOffset = (firstRow + t) * queryDim + h * headDim;
                FloatKernels.columnDots(query, qOffset, headDim, keys, kvOffset * contextLength, contextLength, first, position + 1, scale, s, 0);
                FloatKernels.softmax(s, first, position + 1);
                Arrays.fill(out, qOffset, qOffset + headDim, 0f);
                FloatKernels.weightedSum(s, first, position + 1, values, first * kvDim + kvOffset, kvDim, out, qOffset, headDim);
            }
        }
    }
}
