package dev.jollama.engine.kvcache;

import dev.jollama.engine.tensor.FloatKernels;

import java.util.Arrays;

/**
 * One sequence's positions in a {@link KvCache}: the blocks holding them, in order, and how many are filled. Used by
 * one thread at a time; the cache's bookkeeping goes through the cache.
 */
public final class BlockTable implements AutoCloseable {
    private final KvCache cache;
    private final int maxLength;
    private KvCache.Block[] blocks = new KvCache.Block[4];
    private int blockCount;
    int length;

    BlockTable(KvCache cache, int maxLength) {
        this.cache = cache;
        this.maxLength = maxLength;
    }

    public KvCache cache() {
        return cache;
    }

    /** Positions whose keys and values are cached. */
    public int length() {
        return length;
    }

    public int maxLength() {
        return maxLength;
    }

    /** The token at a cached position. */
    public int token(int position) {
        return blocks[position / KvCache.BLOCK_SIZE].tokens[position % KvCache.BLOCK_SIZE];
    }

    /**
     * For an empty table: takes over the cached keys and values of the longest run of {@code tokens[0..limit)}
     * that any sequence has had, and returns its length.
     */
    public int adoptPrefix(int[] tokens, int limit) {
        if (length != 0 || blockCount != 0) {
            throw new IllegalStateException("a prefix is adopted by an empty sequence, this one holds " + length + " positions");
        }
        return cache.adoptPrefix(this, tokens, Math.min(limit, maxLength));
    }

    /** Makes room to write positions length() to length() + count (see {@link KvCache#prepareAppend}). */
    public void prepareAppend(int count) {
        if (length + count > maxLength) {
            throw new IllegalStateException("the sequence is full (" + maxLength + " tokens)");
        }
        cache.prepareAppend(this, count);
    }

    /** Records the tokens whose keys and values were just written at positions length() on. */
    public void commit(int[] tokens, int offset, int count) {
        cache.commit(this, tokens, offset, count);
    }

    /** Forgets every position from {@code newLength} on. */
    public void truncate(int newLength) {
        if (newLength < 0 || newLength > length) {
            throw new IllegalArgumentException("cannot truncate a sequence of " + length + " tokens to " + newLength);
        }
        length = newLength;
        cache.truncate(this, newLength);
    }

    /** Stores a layer's key and value for a prepared position. */
    public void write(int layer, int position, float[] key, int keyOffset, float[] value, int valueOffset) {
        cache.storage().write(layer, blocks[position / KvCache.BLOCK_SIZE].id, position % KvCache.BLOCK_SIZE,
                key, keyOffset, value, valueOffset);
    }

    /**
     * Attention of a tile's queries over a layer's cached positions, each over the positions it sees: the softmax of
     * its scores against the keys, then the weighted sum of the values into the tile's output. Soft-capped first
     * when {@code logitCap} is above 0 ({@link FloatKernels#softCap}). The key head's keys and values are the tile's
     * n values from {@code kvOffset}. Each block is read once for all the queries: its keys to score them all, then,
     * once every score is known, its values.
     */
    public void attend(int layer, int kvOffset, QueryTile tile, float logitCap) {
        CacheStorage storage = cache.storage();
        int size = KvCache.BLOCK_SIZE, n = tile.n();
        int lowest = tile.lowest(), highest = tile.highest();
        int base = lowest / size * size, width = (highest - base + size - 1) / size * size;
        tile.start(width);
        for (int start = base; start < highest; start += size) {
            int from = Math.max(lowest, start) - start, to = Math.min(highest, start + size) - start;
            storage.readKeys(layer, blocks[start / size].id, kvOffset, n, from, to, tile.keys);
            tile.scoreBlock(start - base, width);
        }
        tile.weigh(base, width, logitCap);
        for (int start = base; start < highest; start += size) {
            int from = Math.max(lowest, start) - start, to = Math.min(highest, start + size) - start;
            storage.readValues(layer, blocks[start / size].id, kvOffset, n, from, to, tile.values);
            tile.addBlockValues(start - base + from, width, from, to);
        }
    }

    /** Gives the blocks back to the cache, where the prefix index keeps them for later sequences. */
    @Override
    public void close() {
        length = 0;
        cache.release(this);
    }

    int blockCount() {
        return blockCount;
    }

    KvCache.Block block(int index) {
        return blocks[index];
    }

    void add(KvCache.Block block) {
        if (blockCount == blocks.length) {
            blocks = Arrays.copyOf(blocks, blockCount * 2);
        }
        blocks[blockCount++] = block;
    }

    void set(int index, KvCache.Block block) {
        blocks[index] = block;
    }

    KvCache.Block removeLast() {
        KvCache.Block last = blocks[--blockCount];
        blocks[blockCount] = null;
        return last;
    }
}
