package dev.jollama.engine.tensor;

import dev.jollama.engine.gguf.GgmlType;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;

/**
 * MXFP4: blocks of 32 values in 17 bytes: one byte e (an E8M0 power of two), then 16 bytes of nibbles in Q4_0's
 * order. Each nibble is an FP4 E2M1 number (bit 3 the sign, three bits of magnitude 0, 0.5, 1, 1.5, 2, 3, 4, 6); as
 * the reference, the doubled values ({@link #LEVELS}) times half the scale: w = T2[code]·2^(e-128). Scales of e = 0
 * and 1 are float32 subnormals; e = 255 is 2^127, not NaN.
 */
public final class MXFP4Tensor extends FloatTensor {
    private static final int BLOCK_BYTES = 17;

    /** The FP4 values doubled (kvalues_mxfp4). */
    static final byte[] LEVELS = {0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12};

    /** 2^(e-128) for every e: the bits the reference builds (e - 1 in the exponent; e = 0, 1 subnormal). */
    static final float[] HALF_SCALE = new float[256];

    static {
        for (int e = 0; e < 256; e++) {
            HALF_SCALE[e] = Float.intBitsToFloat(e < 2 ? 0x00200000 << e : (e - 1) << 23);
        }
    }

    MXFP4Tensor(MemorySegment data, long size) {
        super(data, size);
    }

    @Override
    public GgmlType type() {
        return GgmlType.MXFP4;
    }

    @Override
    public float getFloat(long index) {
        return IQ4_NLTensor.Nibbles.value(data, index, IQ4_NLTensor.Nibbles.Scale.E8M0, LEVELS);
    }

    @Override
    protected float dotBlocks(long firstBlock, float[] x, int xOffset, int blockCount) {
        return IQ4_NLTensor.Nibbles.dotBlocks(data, firstBlock, blockCount, IQ4_NLTensor.Nibbles.Scale.E8M0, LEVELS, x, xOffset);
    }

    @Override
    protected void dequantize(long firstBlock, int blocks, float[] dst, int dstOffset) {
        IQ4_NLTensor.Nibbles.dequantizeBlocks(data, firstBlock, blocks, IQ4_NLTensor.Nibbles.Scale.E8M0, Tables.LEVELS, Tables.LEVEL_BYTES, dst, dstOffset);
    }

    /** IQ4_NL's kernel ({@link IQ4_NLTensor.Nibbles#dotRow}) with this type's levels and scales. */
    @Override
    protected void dotRows(long firstBlock, long rowStride, int blocks, MatmulInput in, float[] out, int outIndex, int outStride, float[] scratch) {
        out[outIndex] = IQ4_NLTensor.Nibbles.dotRow(this, firstBlock, blocks, IQ4_NLTensor.Nibbles.Scale.E8M0, Tables.LEVELS, Tables.LEVEL_BYTES, in.values, scratch);
    }

    /** The levels as the lookups take them, made only where they run. */
    private static final class Tables {
        static final FloatVector LEVELS = WIDE ? IQ4_NLTensor.Nibbles.levels(MXFP4Tensor.LEVELS) : null;
        static final ByteVector LEVEL_BYTES = ByteVector.fromArray(IQ4_NLTensor.Nibbles.BYTES, MXFP4Tensor.LEVELS, 0);
    }

    /**
     * Quantizes {@code blocks} blocks as the reference does: e puts the largest magnitude in [8, 16) times half the
     * scale (e = floor(log2 max) + 125), each value takes the nearest level (the first of equals).
     */
    static void quantize(float[] src, int srcOffset, int blocks, byte[] dst, int dstOffset) {
        for (int b = 0; b < blocks; b++) {
            int from = srcOffset + 32 * b, at = dstOffset + BLOCK_BYTES * b;
            float amax = Quantizers.maxMagnitude(src, from, 32);
            int e = amax > 0f ? (int) (Math.floor(Math.log(amax) / Math.log(2)) - 2 + 127) & 0xff : 0;
            float d = HALF_SCALE[e];
            dst[at] = (byte) e;
            for (int j = 0; j < 16; j++) {
                dst[at + 1 + j] = (byte) (nearest(src[from + j] / d) | nearest(src[from + 16 + j] / d) << 4);
            }
        }
    }

    private static int nearest(float v) {
        int best = 0;
        float bestError = Math.abs(LEVELS[0] - v);
        for (int i = 1; i < 16; i++) {
            float error = Math.abs(LEVELS[i] - v);
            if (error < bestError) {
                best = i;
                bestError = error;
            }
        }
        return best;
    }
}
