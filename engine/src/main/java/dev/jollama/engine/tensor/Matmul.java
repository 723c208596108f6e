package dev.jollama.engine.tensor;

/**
 * Multiplies weight matrices by a {@link MatmulInput} on a {@link WorkerPool}: one reusable job per user (a
 * sequence), so the per-token loop allocates nothing. Each worker keeps its own scratch tile.
 */
public final class Matmul implements WorkerPool.Task {
    /** Below this many multiply-adds a product is not worth waking the other workers for. */
    private static final long PARALLEL_THRESHOLD = 1 << 18;

    private final WorkerPool pool;
    private final float[][] scratch;
    private FloatTensor weights;
    private MatmulInput input;
    private float[] out;
    private int rows;

    public Matmul(WorkerPool pool) {
        this.pool = pool;
        this.scratch = new float[pool.threads()][0];
    }

    public WorkerPool pool() {
        return pool;
    }

    /**
     * {@code out[t·rows + r] = row r of weights · input vector t}, for a weight matrix of {@code rows} rows of
     * {@code input.width()} values and every vector of the input.
     */
    public void multiply(FloatTensor matrix, MatmulInput input, float[] out, int rows) {
        FloatTensor weights = matrix.forProducts(input.count());
        // What the kernels read besides the values is made here, once, rather than raced for by the workers.
        MatmulInput in = weights.inputFor(input);
        weights.prepareInput(in);
        this.weights = weights;
        this.input = in;
        this.out = out;
        this.rows = rows;
        try {
            if ((long) rows * in.width() * in.count() < PARALLEL_THRESHOLD) {
                run(0, 0, rows);
            } else {
                pool.run(rows, weights.rowGrain(in.count()), this);
            }
        } finally {
            this.weights = null;
            this.input = null;
            this.out = null;
        }
    }

    @Override
    public void run(int worker, int from, int to) {
        int needed = FloatTensor.scratchFloats(input.width());
        if (scratch[worker].length < needed) {
            scratch[worker] = new float[needed];
        }
        weights.multiplyRows(input, out, rows, from, to, scratch[worker]);
    }
}
