package dev.jollama.engine.model;

import dev.jollama.engine.tensor.FloatKernels;
import dev.jollama.engine.tensor.FloatTensor;
import dev.jollama.engine.tensor.Matmul;
import dev.jollama.engine.tensor.MatmulInput;
import dev.jollama.engine.tensor.WorkerPool;

import java.util.Arrays;

/**
 * One forward pass over a {@link Batch}, and the activations it works in: the residual stream and each stage's
 * output, a row per batch row. An {@link Architecture} composes the blocks offered here ({@link #normalize},
 * {@link #attention}, {@link #feedForward}, ...). In the last layer, once every row's key and value is cached, only
 * the rows that ask for an output go on. Buffers are sized once, so passes allocate nothing.
 */
final class ForwardPass {
    private final ModelConfig c;
    private final Architecture architecture;
    final int capacity;
    final Matmul matmul;
    private final AttentionJob attentionJob;
    /** The KV cache's layers: a block's keys and values go to layer (block mod this). */
    private final int cacheLayers;

    /** Rows still computed: all of the batch, then in the last layer those that ask for an output. */
    int rows;
    final Sequence[] rowSequence;
    final int[] rowPosition;
    /** The position after the last one each row attends to. */
    final int[] rowAttentionEnd;
    /** The batch row each row came from. */
    private final int[] rowOrigin;
    /** Runs of consecutive rows of one sequence: first row and row count. */
    int runCount;
    final int[] runFirstRow;
    final int[] runRows;
    private Batch batch;
    private int layer;
    private boolean dropRowsInLastLayer;

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
    /**
     * The mixture-of-experts block's buffers (null in dense families): router scores per row, each row's chosen
     * experts and weights, the same (row, weight) pairs grouped by expert from {@code expertStart[e]}, the rows of
     * one expert gathered as its input, and its output.
     */
    private final float[] routerScores;
    private final int[] chosenExperts;
    private final float[] chosenWeights;
    private final int[] expertStart;
    private final int[] expertRows;
    private final float[] expertRowWeights;
    private final MatmulInput expertInput;
    private final float[] expertOut;
    private float[] batchLogits = new float[0];

    ForwardPass(ModelConfig c, Architecture architecture, WorkerPool pool, int capacity) {
        this.c = c;
        this.architecture = architecture;
        this.capacity = capacity;
        this.matmul = new Matmul(pool);
        this.cacheLayers = architecture.cacheLayers();
        this.attentionJob = new AttentionJob(c, pool, capacity, architecture.attentionScale(), architecture.attentionLogitCap());
        rowSequence = new Sequence[capacity];
        rowPosition = new int[capacity];
        rowAttentionEnd = new int[capacity];
        rowOrigin = new int[capacity];
        runFirstRow = new int[capacity];
        runRows = new int[capacity];
        x = new float[capacity * c.embeddingLength()];
        normed = new MatmulInput(c.embeddingLength(), capacity);
        query = new float[capacity * c.queryDim()];
        key = new float[capacity * c.kvDim()];
        value = new float[capacity * c.kvDim()];
        attentionOut = new MatmulInput(c.queryDim(), capacity);
        projected = new float[capacity * c.embeddingLength()];
        // A mixture-of-experts family has no dense feed-forward: the gate, up and product buffers hold one expert's.
        boolean experts = c.expertCount() > 0;
        int hidden = experts ? c.expertFeedForwardLength() : c.feedForwardLength();
        gate = new float[capacity * hidden];
        up = new float[capacity * hidden];
        ffnProduct = new MatmulInput(hidden, capacity);
        int choices = capacity * c.expertUsedCount();
        routerScores = experts ? new float[capacity * c.expertCount()] : null;
        chosenExperts = experts ? new int[choices] : null;
        chosenWeights = experts ? new float[choices] : null;
        expertStart = experts ? new int[c.expertCount() + 1] : null;
        expertRows = experts ? new int[choices] : null;
        expertRowWeights = experts ? new float[choices] : null;
        expertInput = experts ? new MatmulInput(c.embeddingLength(), capacity) : null;
        expertOut = experts ? new float[capacity * c.embeddingLength()] : null;
    }

    /** Runs the batch: caches every row's key and value in its sequence, and writes the outputs rows ask for. */
    void run(Batch batch) {
        int size = batch.size();
        if (size < 1 || size > capacity) {
            throw new IllegalArgumentException("a pass holds 1.." + capacity + " rows, not " + size);
        }
        this.batch = batch;
        rows = size;
        boolean anyOutput = false, allOutput = true;
        for (int r = 0; r < size; r++) {
            rowSequence[r] = batch.sequences[r];
            rowPosition[r] = batch.positions[r];
            rowOrigin[r] = r;
            boolean output = batch.outputs[r] != Batch.Output.NONE;
            anyOutput |= output;
            allOutput &= output;
        }
        dropRowsInLastLayer = !allOutput;
        findRuns();
        for (int run = 0; run < runCount; run++) {
            int first = runFirstRow[run];
            Sequence s = rowSequence[first];
            if (rowPosition[first] != s.length()) {
                throw new IllegalStateException("row " + first + " feeds position " + rowPosition[first]
                        + " of a sequence holding " + s.length() + " tokens");
            }
            if (architecture.attendsBothWays() && s.length() != 0) {
                throw new IllegalArgumentException("an embedding model takes each input whole, in one pass");
            }
            int runEnd = rowPosition[first] + runRows[run];
            for (int r = first; r < first + runRows[run]; r++) {
                rowAttentionEnd[r] = architecture.attendsBothWays() ? runEnd : rowPosition[r] + 1 + batch.seesAhead[r];
                if (rowAttentionEnd[r] > runEnd) {
                    throw new IllegalArgumentException("row " + r + " attends to positions up to " + rowAttentionEnd[r]
                            + ", past the last its sequence is fed in this pass (" + runEnd + "): an image goes in one pass");
                }
            }
        }
        for (int r = 0; r < size; r++) {
            if (batch.outputs[r] == Batch.Output.LOGITS && !(architecture instanceof Decoder)) {
                throw new IllegalArgumentException("an embedding model computes no logits");
            }
        }
        for (int run = 0; run < runCount; run++) {
            rowSequence[runFirstRow[run]].cache.prepareAppend(runRows[run]);
        }
        architecture.embed(this);
        for (layer = 0; layer < c.blockCount(); layer++) {
            architecture.layer(this, layer);
        }
        if (anyOutput) {
            outputs();
        }
        for (int r = 0, end; r < size; r = end) {
            end = r + 1;
            while (end < size && batch.sequences[end] == batch.sequences[r]) {
                end++;
            }
            batch.sequences[r].cache.commit(batch.tokens, r, end - r);
        }
        Arrays.fill(rowSequence, 0, size, null);
        this.batch = null;
    }

    /** Groups the rows into runs of one sequence's consecutive positions. */
    private void findRuns() {
        runCount = 0;
        for (int r = 0; r < rows; r++) {
            if (r > 0 && rowSequence[r] == rowSequence[r - 1] && rowPosition[r] == rowPosition[r - 1] + 1) {
                runRows[runCount - 1]++;
            } else {
                runFirstRow[runCount] = r;
                runRows[runCount++] = 1;
            }
        }
    }

    /** Each row's input into the residual stream: its token's row of {@code embedding}, or its vector. */
    void embedRows(FloatTensor embedding) {
        int dim = c.embeddingLength();
        for (int t = 0; t < rows; t++) {
            if (batch.vectors[t] != null) {
                System.arraycopy(batch.vectors[t], batch.vectorOffsets[t], x, t * dim, dim);
            } else {
                embedding.copyTo((long) batch.tokens[t] * dim, x, t * dim, dim);
            }
        }
    }

    /** Adds v to every row of the residual stream (BERT's token type embedding). */
    void addToRows(float[] v) {
        for (int t = 0; t < rows; t++) {
            for (int i = 0; i < v.length; i++) {
                x[t * v.length + i] += v[i];
            }
        }
    }

    /** Adds each row's position embedding, row {@code position} of {@code positions}, to the residual stream. */
    void addPositionEmbeddings(FloatTensor positions) {
        int dim = c.embeddingLength();
        float[] row = projected; // free until the first block writes it
        for (int t = 0; t < rows; t++) {
            positions.copyTo((long) rowPosition[t] * dim, row, 0, dim);
            for (int i = 0; i < dim; i++) {
                x[t * dim + i] += row[i];
            }
        }
    }

    /** Layer-normalises the residual stream in place (post-norm families). */
    void layerNormResidual(LayerNorm norm) {
        for (int t = 0; t < rows; t++) {
            norm.apply(x, t * c.embeddingLength());
        }
    }

    /** The layer-normalised residual stream into the input of the next block (pre-norm encoders). */
    void layerNormalize(LayerNorm norm) {
        if (rows == 0) {
            return; // the last layer of a pass without outputs
        }
        for (int t = 0; t < rows; t++) {
            norm.apply(x, t * c.embeddingLength(), normed.values(), t * c.embeddingLength());
        }
        normed.count(rows);
    }

    /** The residual stream itself as the input of the next block, or as the final hidden states (post-norm families). */
    void inputFromResidual() {
        System.arraycopy(x, 0, normed.values(), 0, rows * c.embeddingLength());
        normed.count(rows);
    }

    /** Multiplies the token rows' embeddings by a factor (vector rows enter as they are). */
    void scaleTokenRows(float factor) {
        int dim = c.embeddingLength();
        for (int t = 0; t < rows; t++) {
            if (batch.vectors[rowOrigin[t]] == null) {
                for (int i = t * dim; i < (t + 1) * dim; i++) {
                    x[i] *= factor;
                }
            }
        }
    }

    /** The RMS-normalised residual stream, times {@code weight}, into the input of the next block. */
    void normalize(float[] weight) {
        if (rows == 0) {
            return; // the last layer of a pass without outputs
        }
        for (int t = 0; t < rows; t++) {
            RmsNorm.apply(normed.values(), t * weight.length, x, t * weight.length, weight, c.rmsNormEps());
        }
        normed.count(rows);
    }

    /** The residual stream as it is into the input of the next block (OLMo 2 normalises outputs only). */
    void useResidual() {
        if (rows == 0) {
            return; // the last layer of a pass without outputs
        }
        System.arraycopy(x, 0, normed.values(), 0, rows * c.embeddingLength());
        normed.count(rows);
    }

    /** The RMS-normalised output of the last block, times {@code weight}, in place (Gemma's post-norms). */
    void normalizeOutput(float[] weight) {
        for (int t = 0; t < rows; t++) {
            RmsNorm.apply(projected, t * weight.length, projected, t * weight.length, weight, c.rmsNormEps());
        }
    }

    /** Adds the last block's output, times the family's residual scale, to the residual stream. */
    void addOutput() {
        float scale = architecture.residualScale();
        for (int i = 0; i < rows * c.embeddingLength(); i++) {
            x[i] += scale * projected[i];
        }
    }

    /**
     * Self-attention of the normalised rows: projections, optional biases and query/key norms, RoPE at each row's
     * position (none where {@code rope} is null: layers without position encoding), the keys and values into each
     * row's sequence, attention over its cache (at most {@code window} positions back; 0: all), and the output
     * projection.
     */
    void attention(AttentionWeights w, Rope rope, int window) {
        int kvDim = c.kvDim(), queryDim = c.queryDim();
        matmul.multiply(w.query(), normed, query, queryDim);
        matmul.multiply(w.key(), normed, key, kvDim);
        matmul.multiply(w.value(), normed, value, kvDim);
        for (int t = 0; t < rows; t++) {
            int q0 = t * queryDim, kv0 = t * kvDim;
            if (w.queryBias() != null) {
                add(query, q0, w.queryBias());
                add(key, kv0, w.keyBias());
                add(value, kv0, w.valueBias());
            }
            if (w.queryNorm() != null) {
                for (int i = 0; i < queryDim; i += w.queryNorm().length) {
                    RmsNorm.apply(query, q0 + i, query, q0 + i, w.queryNorm(), c.rmsNormEps());
                }
                for (int i = 0; i < kvDim; i += w.keyNorm().length) {
                    RmsNorm.apply(key, kv0 + i, key, kv0 + i, w.keyNorm(), c.rmsNormEps());
                }
            }
            if (rope != null) {
                rope.rotate(query, q0, c.headCount(), rowPosition[t]);
                rope.rotate(key, kv0, c.headCountKv(), rowPosition[t]);
            }
            rowSequence[t].cache.write(layer % cacheLayers, rowPosition[t], key, kv0, value, kv0);
        }
        if (layer == c.blockCount() - 1 && dropRowsInLastLayer) {
            keepOutputRows();
            if (rows == 0) {
                return;
            }
        }
        attentionJob.run(this, layer % cacheLayers, window, w.sinks());
        attentionOut.count(rows);
        matmul.multiply(w.output(), attentionOut, projected, c.embeddingLength());
        if (w.outputBias() != null) {
            addToEachRow(projected, w.outputBias());
        }
    }

    /** The feed-forward block of the normalised rows: gated, or plain with biases when it has no gate. */
    void feedForward(FeedForwardWeights w, Activation activation) {
        if (rows == 0) {
            return;
        }
        int hidden = c.feedForwardLength();
        float[] product = ffnProduct.values();
        matmul.multiply(w.up(), normed, up, hidden);
        if (w.gate() != null) {
            matmul.multiply(w.gate(), normed, gate, hidden);
            activation.gatedProduct(gate, up, product, rows * hidden);
        } else {
            addToEachRow(up, w.upBias());
            for (int i = 0; i < rows * hidden; i++) {
                product[i] = activation.apply(up[i]);
            }
        }
        ffnProduct.count(rows);
        matmul.multiply(w.down(), ffnProduct, projected, c.embeddingLength());
        if (w.downBias() != null) {
            addToEachRow(projected, w.downBias());
        }
    }

    /**
     * The mixture-of-experts block of the normalised rows: the router chooses each row's experts and their weights
     * ({@code routing}), then each expert that any row chose runs once for all of them, its weights read once per
     * step however many rows chose it (a decode step reads only its rows' chosen experts): their rows gathered into
     * one input, the gated product with {@code activation}, and the weighted results added to those rows' output.
     */
    void mixtureOfExperts(ExpertWeights w, Routing routing, Activation activation) {
        if (rows == 0) {
            return;
        }
        int dim = c.embeddingLength(), experts = c.expertCount(), used = c.expertUsedCount();
        int hidden = c.expertFeedForwardLength();
        matmul.multiply(w.router(), normed, routerScores, experts);
        for (int t = 0; t < rows; t++) {
            if (w.routerBias() != null) {
                add(routerScores, t * experts, w.routerBias());
            }
            routing.choose(routerScores, t * experts, experts, used, chosenExperts, chosenWeights, t * used);
        }
        groupByExpert(rows * used);
        Arrays.fill(projected, 0, rows * dim, 0f);
        float[] product = ffnProduct.values();
        for (int e = 0; e < experts; e++) {
            int from = expertStart[e], n = expertStart[e + 1] - from;
            if (n == 0) {
                continue;
            }
            // Rows are grouped in row order, so an expert every row chose has them all, as they are.
            MatmulInput input = n == rows ? normed : gatherRows(from, n);
            matmul.multiply(w.gate()[e], input, gate, hidden);
            matmul.multiply(w.up()[e], input, up, hidden);
            if (w.gateBias() != null) {
                for (int j = 0; j < n; j++) {
                    add(gate, j * hidden, w.gateBias()[e]);
                    add(up, j * hidden, w.upBias()[e]);
                }
            }
            activation.gatedProduct(gate, up, product, n * hidden);
            ffnProduct.count(n);
            matmul.multiply(w.down()[e], ffnProduct, expertOut, dim);
            for (int j = 0; j < n; j++) {
                if (w.downBias() != null) {
                    add(expertOut, j * dim, w.downBias()[e]);
                }
                int row = expertRows[from + j];
                float weight = expertRowWeights[from + j];
                for (int i = 0; i < dim; i++) {
                    projected[row * dim + i] += weight * expertOut[j * dim + i];
                }
            }
        }
    }

    /**
     * Sorts the first {@code choices} (row, weight) choices by expert, keeping row order within each: expert e's
     * from {@code expertStart[e]} to {@code expertStart[e + 1]} of {@link #expertRows} and {@link #expertRowWeights}.
     */
    private void groupByExpert(int choices) {
        int experts = c.expertCount(), used = c.expertUsedCount();
        Arrays.fill(expertStart, 0);
        for (int i = 0; i < choices; i++) {
            expertStart[chosenExperts[i] + 1]++;
        }
        for (int e = 0; e < experts; e++) {
            expertStart[e + 1] += expertStart[e];
        }
        // Each choice goes to its expert's next free place; that moves expertStart[e] to e's end, e + 1's start.
        for (int i = 0; i < choices; i++) {
            int at = expertStart[chosenExperts[i]]++;
            expertRows[at] = i / used;
            expertRowWeights[at] = chosenWeights[i];
        }
        System.arraycopy(expertStart, 0, expertStart, 1, experts);
        expertStart[0] = 0;
    }

    /** The normalised rows {@code expertRows[from..from + n)} into {@link #expertInput}. */
    private MatmulInput gatherRows(int from, int n) {
        int dim = c.embeddingLength();
        for (int j = 0; j < n; j++) {
            System.arraycopy(normed.values(), expertRows[from + j] * dim, expertInput.values(), j * dim, dim);
        }
        expertInput.count(n);
        return expertInput;
    }

    /** Adds v to each of the first rows rows of m (v.length wide). */
    private void addToEachRow(float[] m, float[] v) {
        for (int t = 0; t < rows; t++) {
            add(m, t * v.length, v);
        }
    }

    /** From here on only the rows that ask for an output: their queries and residual stream move to the front. */
    private void keepOutputRows() {
        Batch.Output[] outputs = batch.outputs;
        int kept = 0, dim = c.embeddingLength(), queryDim = c.queryDim();
        for (int t = 0; t < rows; t++) {
            if (outputs[rowOrigin[t]] == Batch.Output.NONE) {
                continue;
            }
            if (kept != t) {
                System.arraycopy(query, t * queryDim, query, kept * queryDim, queryDim);
                System.arraycopy(x, t * dim, x, kept * dim, dim);
                rowSequence[kept] = rowSequence[t];
                rowPosition[kept] = rowPosition[t];
                rowAttentionEnd[kept] = rowAttentionEnd[t];
                rowOrigin[kept] = rowOrigin[t];
            }
            kept++;
        }
        rows = kept;
        findRuns();
    }

    /** The final hidden states, then logits for the rows that ask for them, and hidden states for the others. */
    private void outputs() {
        architecture.finalHiddenStates(this);
        float[] values = normed.values();
        int dim = c.embeddingLength(), vocabulary = c.vocabularySize();
        int hiddenRows = 0, logitRows = 0;
        for (int t = 0; t < rows; t++) {
            if (batch.outputs[rowOrigin[t]] == Batch.Output.HIDDEN_STATE) {
                hiddenRows++;
            }
        }
        if (batch.hiddenStates.length < hiddenRows * dim) {
            batch.hiddenStates = new float[hiddenRows * dim];
        }
        for (int t = 0; t < rows; t++) {
            int origin = rowOrigin[t];
            if (batch.outputs[origin] == Batch.Output.HIDDEN_STATE) {
                System.arraycopy(values, t * dim, batch.hiddenStates, batch.hiddenStateCount * dim, dim);
                batch.hiddenStateRows[batch.hiddenStateCount++] = origin;
            } else {
                System.arraycopy(values, t * dim, values, logitRows * dim, dim);
                rowOrigin[logitRows++] = origin;
            }
        }
        if (logitRows == 0) {
            return;
        }
        normed.count(logitRows);
        FloatTensor output = ((Decoder) architecture).output;
        if (logitRows == 1) {
            float[] logits = batch.sequences[rowOrigin[0]].logits();
            matmul.multiply(output, normed, logits, vocabulary);
            scaleAndCap(logits, vocabulary);
            return;
        }
        if (batchLogits.length < logitRows * vocabulary) {
            batchLogits = new float[logitRows * vocabulary];
        }
        matmul.multiply(output, normed, batchLogits, vocabulary);
        scaleAndCap(batchLogits, logitRows * vocabulary);
        for (int t = 0; t < logitRows; t++) {
            System.arraycopy(batchLogits, t * vocabulary, batch.sequences[rowOrigin[t]].logits(), 0, vocabulary);
        }
    }

    /** The family's multiplier and soft-cap of the first n output logits (Granite, Gemma 2). */
    private void scaleAndCap(float[] logits, int n) {
        Decoder decoder = (Decoder) architecture;
        float scale = decoder.logitScale(), cap = decoder.logitCap();
        if (scale != 1f) {
            for (int i = 0; i < n; i++) {
                logits[i] *= scale;
            }
        }
        if (cap > 0) {
            FloatKernels.softCap(logits, 0, n, cap);
        }
    }

    private static void add(float[] x, int offset, float[] y) {
        for (int i = 0; i < y.length; i++) {
            x[offset + i] += y[i];
        }
    }
}
