package dev.jollama.engine.model;

import dev.jollama.engine.tensor.FloatKernels;
import dev.jollama.engine.tensor.FloatTensor;
import dev.jollama.engine.tensor.Matmul;
import dev.jollama.engine.tensor.MatmulInput;

/**
 * Attention both ways over a pass's whole input as matrix products, head by head: every query against every key in
 * one product, the softmax of each row, then the weighted values in a second product. An image encoder attends over
 * thousands of positions, where the KV cache's attention, one query at a time, ran at a third of the products' rate
 * and took three quarters of the time. The keys and values are the pass's own (its one sequence starts at 0 and is
 * fed whole), so the cache is written but not read.
 */
final class ProductAttention {
    private final ModelConfig c;
    private final Matmul matmul;
    private final float scale;
    /** One head's keys, a row per position; its values transposed, a row per value dimension. */
    private float[] keys = new float[0];
    private float[] values = new float[0];
    private MatmulInput queries;
    /** The scores of each query row, then their softmax: the input of the second product. */
    private MatmulInput weights;
    private float[] out = new float[0];

    ProductAttention(ModelConfig c, Matmul matmul, float scale) {
        this.c = c;
        this.matmul = matmul;
        this.scale = scale;
    }

    /**
     * Writes each of the pass's rows' attention output to {@code attentionOut}: its query (rows compacted to the
     * front) over the keys and values of the pass's first {@code positions} rows.
     */
    void run(ForwardPass p, int positions) {
        int d = c.headDim(), kvDim = c.kvDim(), queryDim = c.queryDim(), rows = p.rows;
        int group = c.headCount() / c.headCountKv();
        ensureCapacity(positions, p.capacity);
        float[] q = queries.values(), w = weights.values(), attentionOut = p.attentionOut.values();
        for (int h = 0; h < c.headCount(); h++) {
            int kv = (h / group) * d;
            for (int j = 0; j < positions; j++) {
                System.arraycopy(p.key, j * kvDim + kv, keys, j * d, d);
                for (int i = 0; i < d; i++) {
                    values[i * positions + j] = p.value[j * kvDim + kv + i];
                }
            }
            for (int t = 0; t < rows; t++) {
                for (int i = 0; i < d; i++) {
                    q[t * d + i] = p.query[t * queryDim + h * d + i] * scale;
                }
            }
            queries.count(rows);
            matmul.multiply(FloatTensor.ofFloats(keys), queries, w, positions);
            for (int t = 0; t < rows; t++) {
                FloatKernels.softmax(w, t * positions, (t + 1) * positions);
            }
            weights.count(rows);
            matmul.multiply(FloatTensor.ofFloats(values), weights, out, d);
            for (int t = 0; t < rows; t++) {
                System.arraycopy(out, t * d, attentionOut, t * queryDim + h * d, d);
            }
        }
    }

    /** Buffers for this many positions (the products' widths are fixed by them) and up to {@code rows} query rows. */
    private void ensureCapacity(int positions, int rows) {
        int d = c.headDim();
        if (keys.length != positions * d || weights.capacity() < rows) {
            keys = new float[positions * d];
            values = new float[positions * d];
            queries = new MatmulInput(d, rows);
            weights = new MatmulInput(positions, rows);
            out = new float[rows * d];
        }
    }
}
