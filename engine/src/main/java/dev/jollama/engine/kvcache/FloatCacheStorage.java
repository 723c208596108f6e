package dev.jollama.engine.kvcache;

import dev.jollama.engine.tensor.F16Kernels;
import dev.jollama.engine.tensor.FloatKernels;

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
    void scores(int layer, int block, float[] q, int qOffset, int n, int kvOffset, int from, int to, float scale,
                float[] out, int outOffset) {
        Object k = keys[index(layer, block)];
        int first = base(block) + kvOffset * BLOCK;
        if (halves) {
            F16Kernels.columnDots(q, qOffset, n, (short[]) k, first, BLOCK, from, to, scale, out, outOffset);
        } else {
            FloatKernels.columnDots(q, qOffset, n, (float[]) k, first, BLOCK, from, to, scale, out, outOffset);
        }
    }

    @Override
    void addWeightedValues(int layer, int block, float[] weights, int weightsFrom, int from, int to, int kvOffset,
                           float[] out, int outOffset, int n) {
        Object v = values[index(layer, block)];
        int first = base(block) + from * kvDim + kvOffset, weightsTo = weightsFrom + to - from;
        if (halves) {
            F16Kernels.weightedSum(weights, weightsFrom, weightsTo, (short[]) v, first, kvDim, out, outOffset, n);
        } else {
            FloatKernels.weightedSum(weights, weightsFrom, weightsTo, (float[]) v, first, kvDim, out, outOffset, n);
        }
    }
}
