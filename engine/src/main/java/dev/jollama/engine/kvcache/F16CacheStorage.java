package dev.jollama.engine.kvcache;

import dev.jollama.engine.tensor.F16Kernels;

/**
 * Keys and values as IEEE half floats (binary16): half the memory of floats, rounded as llama.cpp's f16 cache but for
 * magnitudes below 2^-14, which stay normal ({@link F16Kernels#half}).
 */
final class F16CacheStorage extends CacheStorage {

    F16CacheStorage(int layers, int kvDim) {
        super(layers, kvDim);
    }

    @Override
    Object newPage() {
        return new short[PAGE_BLOCKS * blockValues];
    }

    @Override
    long bytesPerPosition() {
        return 2L * 2 * layers * kvDim;
    }

    @Override
    void write(int layer, int block, int slot, float[] key, int keyOffset, float[] value, int valueOffset) {
        short[] k = (short[]) keys[index(layer, block)];
        for (int d = 0, at = base(block) + slot; d < kvDim; d++, at += BLOCK) {
            k[at] = F16Kernels.half(key[keyOffset + d]);
        }
        F16Kernels.toHalf(value, valueOffset, (short[]) values[index(layer, block)], base(block) + slot * kvDim, kvDim);
    }

    @Override
    void scores(int layer, int block, float[] q, int qOffset, int n, int kvOffset, int from, int to, float scale,
                float[] out, int outOffset) {
        F16Kernels.columnDots(q, qOffset, n, (short[]) keys[index(layer, block)], base(block) + kvOffset * BLOCK, BLOCK,
                from, to, scale, out, outOffset);
    }

    @Override
    void addWeightedValues(int layer, int block, float[] weights, int weightsFrom, int from, int to, int kvOffset,
                           float[] out, int outOffset, int n) {
        F16Kernels.weightedSum(weights, weightsFrom, weightsFrom + to - from, (short[]) values[index(layer, block)],
                base(block) + from * kvDim + kvOffset, kvDim, out, outOffset, n);
    }
}
