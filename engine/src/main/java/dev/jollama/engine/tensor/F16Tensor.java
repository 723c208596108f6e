package dev.jollama.engine.tensor;

import java.lang.foreign.MemorySegment;

/** IEEE half-precision floats. */
public final class F16Tensor extends FloatTensor {
    F16Tensor(MemorySegment data, long size) {
        super(data, size);
    }

    @Override
    public GgmlType type() {
        return GgmlType.F16;
    }

    @Override
    public float getFloat(long index) {
        return f16(index * 2);
    }

    @Override
    protected float dotBlocks(long firstBlock, float[] x, int xOffset, int blockCount) {
        float sum = 0f;
        for (int i = 0; i < blockCount; i++) {
            sum += f16((firstBlock + i) * 2) * x[xOffset + i];
        }
        return sum;
    }
}
