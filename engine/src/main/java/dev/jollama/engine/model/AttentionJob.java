package dev.jollama.engine.model;

import dev.jollama.engine.kvcache.QueryTile;
import dev.jollama.engine.tensor.WorkerPool;

/**
 * Attention of a pass's rows over their sequences' KV caches, one work item per tile of a run's rows and key head
 * (the query heads sharing the key head, for up to {@link #tileRows} consecutive rows: see {@link QueryTile}), so
 * heads (and the sequences of a decode step) run on all workers. Each worker has its own tile.
 */
final class AttentionJob implements WorkerPool.Task {
    /** Below this many multiply-adds (scores and weighted values) the other workers are not woken. */
    private static final long PARALLEL_THRESHOLD = 1 << 16;
    /**
     * About this many queries per tile: enough that reading a block of keys and values is a small part of the
     * multiply-adds it feeds, few enough that the tile's scores over a long cache stay in the core's cache.
     */
    private static final int TILE_QUERIES = 16;

    private final ModelConfig c;
    private final WorkerPool pool;
    private final QueryTile[] tiles;
    private final int group;
    private final int tileRows;
    private final float scale;
    private final float logitCap;
    /** This layer's tiles: first row and row count. */
    private final int[] tileFirstRow;
    private final int[] tileRowCount;
    private int tileCount;
    private ForwardPass pass;
    private int layer;
    private int window;
    private float[] sinks;

    /**
     * @param rows     the most rows a pass holds
     * @param scale    multiplies each query·key product
     * @param logitCap soft-caps the products before the softmax (0: not capped)
     */
    AttentionJob(ModelConfig c, WorkerPool pool, int rows, float scale, float logitCap) {
        this.c = c;
        this.pool = pool;
        this.group = c.headCount() / c.headCountKv();
        this.tileRows = tileRows(group);
        this.tiles = new QueryTile[pool.threads()];
        for (int w = 0; w < tiles.length; w++) {
            tiles[w] = new QueryTile(c.headDim(), group * tileRows);
        }
        this.tileFirstRow = new int[rows];
        this.tileRowCount = new int[rows];
        this.scale = scale;
        this.logitCap = logitCap;
    }

    /**
     * Rows per tile: about {@link #TILE_QUERIES} queries, a multiple of four where a row count up to that gives one
     * (the tile's kernels take four queries at a time, the rest one by one).
     */
    private static int tileRows(int group) {
        int rows = Math.max(1, TILE_QUERIES / group);
        for (int r = rows; r > 0; r--) {
            if (group * r % 4 == 0) {
                return r;
            }
        }
        return rows;
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
        tileCount = 0;
        for (int r = 0; r < pass.runCount; r++) {
            work += (long) pass.runRows[r] * (pass.rowPosition[pass.runFirstRow[r]] + pass.runRows[r]);
            for (int t = 0; t < pass.runRows[r]; t += tileRows) {
                tileFirstRow[tileCount] = pass.runFirstRow[r] + t;
                tileRowCount[tileCount++] = Math.min(tileRows, pass.runRows[r] - t);
            }
        }
        work *= 2L * c.headCount() * c.headDim();
        int items = tileCount * c.headCountKv();
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
        float[] out = pass.attentionOut.values();
        QueryTile tile = tiles[worker];
        for (int item = fromItem; item < toItem; item++) {
            int t = item / c.headCountKv(), kvHead = item % c.headCountKv();
            int firstRow = tileFirstRow[t], lastRow = firstRow + tileRowCount[t];
            tile.clear();
            for (int row = firstRow; row < lastRow; row++) {
                int position = pass.rowPosition[row];
                int first = window > 0 ? Math.max(0, position - window + 1) : 0;
                for (int h = kvHead * group; h < (kvHead + 1) * group; h++) {
                    tile.add(pass.query, row * queryDim + h * headDim, scale, first, pass.rowAttentionEnd[row],
                            sinks == null ? Float.NEGATIVE_INFINITY : sinks[h]);
                }
            }
            pass.rowSequence[firstRow].cache.attend(layer, kvHead * headDim, tile, logitCap);
            int m = 0;
            for (int row = firstRow; row < lastRow; row++) {
                for (int h = kvHead * group; h < (kvHead + 1) * group; h++) {
                    tile.output(m++, out, row * queryDim + h * headDim);
                }
            }
        }
    }
}
