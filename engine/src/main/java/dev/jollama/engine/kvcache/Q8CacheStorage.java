package dev.jollama.engine.kvcache;

import dev.jollama.engine.tensor.Q8Kernels;

import java.util.Arrays;

/**
 * Keys and values as q8_0 blocks (32 signed bytes and a scale), a little over half the memory of f16. Unlike the
 * float storages, keys are stored by position, like values: a block of 32 runs along one key, so each position is
 * quantized once as it is written.
 */
final class Q8CacheStorage extends CacheStorage {
    private final int scalesPerPosition;
    /** Per page and layer, as {@link #keys} and {@link #values}: the scales of their blocks. */
    private float[][] keyScales = new float[0][];
    private float[][] valueScales = new float[0][];

    Q8CacheStorage(int layers, int kvDim) {
        super(layers, kvDim);
        if (kvDim % Q8Kernels.BLOCK != 0) {
            throw new IllegalArgumentException("a q8_0 KV cache needs key and value widths that are multiples of "
                    + Q8Kernels.BLOCK + ", not " + kvDim + "; use f16");
        }
        scalesPerPosition = kvDim / Q8Kernels.BLOCK;
    }

    @Override
    Object newPage() {
        return new byte[PAGE_BLOCKS * blockValues];
    }

    @Override
    void grow(int blocks) {
        super.grow(blocks);
        int arrays = keys.length;
        int had = keyScales.length;
        if (arrays > had) {
            keyScales = Arrays.copyOf(keyScales, arrays);
            valueScales = Arrays.copyOf(valueScales, arrays);
            for (int i = had; i < arrays; i++) {
                keyScales[i] = new float[PAGE_BLOCKS * BLOCK * scalesPerPosition];
                valueScales[i] = new float[PAGE_BLOCKS * BLOCK * scalesPerPosition];
            }
        }
    }

    @Override
    long bytesPerPosition() {
        return 2L * layers * (kvDim + 4L * scalesPerPosition);
    }

    /** Where a block's scales start within their page. */
    private int scaleBase(int block) {
        return (block % PAGE_BLOCKS) * BLOCK * scalesPerPosition;
    }

    @Override
    void write(int layer, int block, int slot, float[] key, int keyOffset, float[] value, int valueOffset) {
        int page = index(layer, block);
        int at = base(block) + slot * kvDim, scaleAt = scaleBase(block) + slot * scalesPerPosition;
        Q8Kernels.quantize(key, keyOffset, (byte[]) keys[page], at, keyScales[page], scaleAt, kvDim);
        Q8Kernels.quantize(value, valueOffset, (byte[]) values[page], at, valueScales[page], scaleAt, kvDim);
    }

    @Override
    void copy(int from, int to, int positions) {
        for (int layer = 0; layer < layers; layer++) {
            int src = index(layer, from), dst = index(layer, to);
            System.arraycopy(keys[src], base(from), keys[dst], base(to), positions * kvDim);
            System.arraycopy(values[src], base(from), values[dst], base(to), positions * kvDim);
            System.arraycopy(keyScales[src], scaleBase(from), keyScales[dst], scaleBase(to), positions * scalesPerPosition);
            System.arraycopy(valueScales[src], scaleBase(from), valueScales[dst], scaleBase(to), positions * scalesPerPosition);
        }
    }

    /** One by one: the keys are stored by position, and the tile wants them transposed. */
    @Override
    void readKeys(int layer, int block, int kvOffset, int n, int from, int to, float[] keys) {
        int page = index(layer, block);
        byte[] quants = (byte[]) this.keys[page];
        float[] scales = keyScales[page];
        for (int p = from; p < to; p++) {
            int at = base(block) + p * kvDim + kvOffset, scaleAt = scaleBase(block) + p * scalesPerPosition + kvOffset / Q8Kernels.BLOCK;
            for (int d = 0; d < n; d++) {
                keys[d * BLOCK + p] = quants[at + d] * scales[scaleAt + d / Q8Kernels.BLOCK];
            }
        }
    }

    @Override
    void readValues(int layer, int block, int kvOffset, int n, int from, int to, float[] values) {
        int page = index(layer, block);
        for (int p = from; p < to; p++) {
            Q8Kernels.dequantize((byte[]) this.values[page], base(block) + p * kvDim + kvOffset, valueScales[page],
                    scaleBase(block) + p * scalesPerPosition + kvOffset / Q8Kernels.BLOCK, values, p * n, n);
        }
    }
}
