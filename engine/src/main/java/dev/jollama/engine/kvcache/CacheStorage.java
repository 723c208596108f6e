package dev.jollama.engine.kvcache;

import java.util.Arrays;

/**
 * The keys and values of every block, per layer, in pages of {@link #PAGE_BLOCKS} blocks that are allocated as the
 * cache first uses them (a cache sized for many long sequences costs memory only once they exist). Within a block
 * the keys are transposed, value d of the key at in-block position p at {@code d·BLOCK + p}, so attention scores a
 * run of positions in vector lanes; the values are by position, {@code p·kvDim + i}.
 */
abstract sealed class CacheStorage permits FloatCacheStorage, Q8CacheStorage {
    static final int PAGE_BLOCKS = 16;
    static final int BLOCK = KvCache.BLOCK_SIZE;

    final int layers;
    final int kvDim;
    /** Floats (or halves) of one block of one layer: its keys, or its values. */
    final int blockValues;
    /** Per page and layer ({@code page·layers + layer}), an array of the element type: keys, values. */
    Object[] keys = new Object[0];
    Object[] values = new Object[0];
    private int pages;

    CacheStorage(int layers, int kvDim) {
        this.layers = layers;
        this.kvDim = kvDim;
        this.blockValues = Math.multiplyExact(kvDim, BLOCK);
    }

    static CacheStorage of(KvCacheType type, int layers, int kvDim) {
        return switch (type) {
            case F32 -> new FloatCacheStorage(layers, kvDim, false);
            case F16 -> new FloatCacheStorage(layers, kvDim, true);
            case Q8_0 -> new Q8CacheStorage(layers, kvDim);
        };
    }

    /** A page's array of keys or values: {@code PAGE_BLOCKS · blockValues} elements of the storage's type. */
    abstract Object newPage();

    /** Makes room for blocks 0 to {@code blocks} - 1. */
    void grow(int blocks) {
        int needed = (blocks + PAGE_BLOCKS - 1) / PAGE_BLOCKS;
        if (needed <= pages) {
            return;
        }
        keys = Arrays.copyOf(keys, needed * layers);
        values = Arrays.copyOf(values, needed * layers);
        for (int i = pages * layers; i < needed * layers; i++) {
            keys[i] = newPage();
            values[i] = newPage();
        }
        pages = needed;
    }

    /** Copies the first {@code positions} keys and values of block {@code from} into block {@code to}, all layers. */
    void copy(int from, int to, int positions) {
        for (int layer = 0; layer < layers; layer++) {
            Object src = keys[index(layer, from)], dst = keys[index(layer, to)];
            for (int d = 0; d < kvDim; d++) {
                System.arraycopy(src, base(from) + d * BLOCK, dst, base(to) + d * BLOCK, positions);
            }
            System.arraycopy(values[index(layer, from)], base(from), values[index(layer, to)], base(to), positions * kvDim);
        }
    }

    /** Where the page of a block of a layer is in {@link #keys} and {@link #values}. */
    final int index(int layer, int block) {
        return block / PAGE_BLOCKS * layers + layer;
    }

    /** Stores the key and value of in-block position {@code slot} of {@code block} for {@code layer}. */
    abstract void write(int layer, int block, int slot, float[] key, int keyOffset, float[] value, int valueOffset);

    /**
     * Writes the keys of in-block positions {@code from} to {@code to} (exclusive) of a block as floats, transposed:
     * value d of position p to {@code keys[d·BLOCK + p]}, over the {@code n} values from {@code kvOffset} (one key
     * head). Other positions of {@code keys} may be written too (the float storages widen whole rows).
     */
    abstract void readKeys(int layer, int block, int kvOffset, int n, int from, int to, float[] keys);

    /**
     * Writes the values of in-block positions {@code from} to {@code to} (exclusive) of a block as floats, by
     * position: value i of position p to {@code values[p·n + i]}, over the {@code n} values from {@code kvOffset}.
     */
    abstract void readValues(int layer, int block, int kvOffset, int n, int from, int to, float[] values);

    /** Bytes one position takes, keys and values of all layers. */
    abstract long bytesPerPosition();

    /** Where a block starts within its page. */
    final int base(int block) {
        return (block % PAGE_BLOCKS) * blockValues;
    }
}
