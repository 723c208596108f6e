package dev.jollama.engine.model;

import dev.jollama.engine.tensor.WorkerPool;

/**
 * Attention of a pass's rows over their sequences' KV caches, one work item per run of a sequence's rows and query
 * head, so heads (and the sequences of a decode step) run on all workers. Each worker has its own score buffer.
 */
final class AttentionJob implements WorkerPool.Task {
    /** Below this many multiply-adds (scores and weighted values) the other workers are not woken. */
    private static final long PARALLEL_THRESHOLD = 1 << 16;

    private final ModelConfig c;
    private final WorkerPool pool;
    private final float[][] scores;
    private final float scale;
    private final float logitCap;
    private ForwardPass pass;
    private int layer;
    private int window;
    private float[] sinks;

    /**
     * @param scale    multiplies each query·key product
     * @param logitCap soft-caps the products before the softmax (0: not capped)
     */
    AttentionJob(ModelConfig c, WorkerPool pool, float scale, float logitCap) {
        this.c = c;
        this.pool = pool;
        this.scores = new float[pool.threads()][0];
        this.scale = scale;
        this.logitCap = logitCap;
    }

    /**
     * For each active row of the pass, writes to its row of {@code pass.attentionOut} the softmax-weighted sum of the
     * values at the positions its query may see: itself and those before it in its sequence, at most {@code window}
     * of them (0: no limit), and those after it the pass lets it see ({@link ForwardPass#rowAttentionEnd}: an
     * encoder's whole input, the rest of an image). The window counts back from the row's own position. Each head's
     * entry of {@code sinks} (null: none) joins its softmax as a logit without a value (gpt-oss).
     */
    void run(ForwardPass pass, int layer, int window, float[] sinks) {
        this.pass = pass;
        this.sinks = sinks;
        this.layer = layer;
        this.window = window;
        long work = 0;
        for (int r = 0; r < pass.runCount; r++) {
            work += (long) pass.runRows[r] * (pass.rowPosition[pass.runFirstRow[r]] + pass.runRows[r]);
        }
        work *= 2L * c.headCount() * c.headDim();
        int items = pass.runCount * c.headCount();
        if (work < PARALLEL_THRESHOLD) {
            run(0, 0, items);
        } else {
            pool.run(items, 1, this);
        }
        this.pass = null;
        this.sinks = null;
    }

    @Override
    public void run(int worker, int fromItem, int toItem) {
        int headDim = c.headDim();
        int queryDim = c.queryDim();
        int groupSize = c.headCount() / c.headCountKv();
        float[] out = pass.attentionOut.values();
        for (int item = fromItem; item < toItem; item++) {
            int run = item / c.headCount(), h = item % c.headCount();
            int kvOffset = (h / groupSize) * headDim;
            int firstRow = pass.runFirstRow[run];
            Sequence sequence = pass.rowSequence[firstRow];
            float sink = sinks == null ? Float.NEGATIVE_INFINITY : sinks[h];
            for (int row = firstRow; row < firstRow + pass.runRows[run]; row++) {
                int position = pass.rowPosition[row];
                int first = window > 0 ? Math.max(0, position - window + 1) : 0;
                int end = pass.rowAttentionEnd[row];
                int qOffset = row * queryDim + h * headDim;
                sequence.cache.attend(layer, pass.query, qOffset, kvOffset, headDim, first, end, scale, logitCap, sink,
                        scoreBuffer(worker, end), out, qOffset);
            }
        }
    }

    private float[] scoreBuffer(int worker, int length) {
        if (scores[worker].length < length) {
            scores[worker] = new float[Math.max(length, 2 * scores[worker].length)];
        }
        return scores[worker];
    }
}
