package dev.jollama.engine.kvcache;

import dev.jollama.engine.tensor.F16Kernels;

/**
 * Keys and values as floats, or as IEEE half floats (binary16): half the memory, rounded as llama.cpp's f16 cache but
 * for magnitudes below 2^-14, which stay normal ({@link F16Kernels#half}). One class serves both widths: they differ
 * only in their pages' element type and in the kernels that read them.
 */
final class FloatCacheStorage extends CacheStorage {
    /** Whether the pages are short arrays of halves, not float arrays. */
    private final boolean halves;

    FloatCacheStorage(int layers, int kvDim, boolean halves) {
        super(layers, kvDim);
        this.halves = halves;
    }

    @Override
    Object newPage() {
        int elements = PAGE_BLOCKS * blockValues;
        return halves ? new short[elements] : new float[elements];
    }

    @Override
    long bytesPerPosition() {
        return (halves ? 2L : 4L) * 2 * layers * kvDim;
    }

    @Override
    void write(int layer, int block, int slot, float[] key, int keyOffset, float[] value, int valueOffset) {
        Object k = keys[index(layer, block)], v = values[index(layer, block)];
        int keyAt = base(block) + slot, valueAt = base(block) + slot * kvDim;
        if (halves) {
            for (int d = 0; d < kvDim; d++) {
                ((short[]) k)[keyAt + d * BLOCK] = F16Kernels.half(key[keyOffset + d]);
            }
            F16Kernels.toHalf(value, valueOffset, (short[]) v, valueAt, kvDim);
        } else {
            for (int d = 0; d < kvDim; d++) {
                ((float[]) k)[keyAt + d * BLOCK] = key[keyOffset + d];
            }
            System.arraycopy(value, valueOffset, v, valueAt, kvDim);
        }
    }

    @Override
    void readKeys(int layer, int block, int kvOffset, int n, int from, int to, float[] keys) {
        Object k = this.keys[index(layer, block)];
        int first = base(block) + kvOffset * BLOCK;
        if (halves) {
            F16Kernels.toFloats((short[]) k, first, keys, 0, n * BLOCK);
        } else {
            System.arraycopy(k, first, keys, 0, n * BLOCK);
        }
    }

    @Override
    void readValues(int layer, int block, int kvOffset, int n, int from, int to, float[] values) {
        Object v = this.values[index(layer, block)];
        int at = base(block) + from * kvDim + kvOffset;
        if (halves) {
            for (int p = from; p < to; p++, at += kvDim) {
                F16Kernels.toFloats((short[]) v, at, values, p * n, n);
            }
        } else {
            for (int p = from; p < to; p++, at += kvDim) {
                System.arraycopy(v, at, values, p * n, n);
            }
        }
    }
}
