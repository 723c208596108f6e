package dev.jollama.engine.tensor;

import dev.jollama.engine.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/** 32-bit floats, stored as they are. */
public final class F32Tensor extends FloatTensor {
    F32Tensor(MemorySegment data, long size) {
        super(data, size);
    }

    @Override
    public GgmlType type() {
        return GgmlType.F32;
    }

    @Override
    public float getFloat(long index) {
        return data.get(FLOAT_LE, index * 4);
    }

    @Override
    protected float dotBlocks(long firstBlock, float[] x, int xOffset, int blockCount) {
        float sum = 0f;
        for (int i = 0; i < blockCount; i++) {
            sum += data.get(FLOAT_LE, (firstBlock + i) * 4) * x[xOffset + i];
        }
        return sum;
    }

    @Override
    protected void dequantize(long firstBlock, int blocks, float[] dst, int dstOffset) {
        MemorySegment.copy(data, FLOAT_LE, firstBlock * 4, dst, dstOffset, blocks);
    }
}
