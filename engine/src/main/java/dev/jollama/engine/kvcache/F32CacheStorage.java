package dev.jollama.engine.kvcache;

import dev.jollama.engine.tensor.FloatKernels;

/** Keys and values as floats. */
final class F32CacheStorage extends CacheStorage {

    F32CacheStorage(int layers, int kvDim) {
        super(layers, kvDim);
    }

    @Override
    Object newPage() {
        return new float[PAGE_BLOCKS * blockValues];
    }

    @Override
    long bytesPerPosition() {
        return 4L * 2 * layers * kvDim;
    }

    @Override
    void write(int layer, int block, int slot, float[] key, int keyOffset, float[] value, int valueOffset) {
        float[] k = (float[]) keys[index(layer, block)];
        for (int d = 0, at = base(block) + slot; d < kvDim; d++, at += BLOCK) {
            k[at] = key[keyOffset + d];
        }
        System.arraycopy(value, valueOffset, values[index(layer, block)], base(block) + slot * kvDim, kvDim);
    }

    @Override
    void scores(int layer, int block, float[] q, int qOffset, int n, int kvOffset, int from, int to, float scale,
                float[] out, int outOffset) {
        FloatKernels.columnDots(q, qOffset, n, (float[]) keys[index(layer, block)], base(block) + kvOffset * BLOCK, BLOCK,
                from, to, scale, out, outOffset);
    }

    @Override
    void addWeightedValues(int layer, int block, float[] weights, int weightsFrom, int from, int to, int kvOffset,
                           float[] out, int outOffset, int n) {
        FloatKernels.weightedSum(weights, weightsFrom, weightsFrom + to - from, (float[]) values[index(layer, block)],
                base(block) + from * kvDim + kvOffset, kvDim, out, outOffset, n);
    }
}
