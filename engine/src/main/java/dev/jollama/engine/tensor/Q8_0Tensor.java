package dev.jollama.engine.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;

/** Q8_0: blocks of 32 values in 34 bytes, an fp16 scale d then 32 signed bytes; w = q·d. */
public final class Q8_0Tensor extends FloatTensor {
    private static final int BLOCK_BYTES = 34;

    Q8_0Tensor(MemorySegment data, long size) {
        super(data, size);
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q8_0;
    }

    @Override
    public float getFloat(long index) {
        long block = (index / 32) * BLOCK_BYTES;
        return int8(block + 2 + index % 32) * f16(block);
    }

    @Override
    protected float dotBlocks(long firstBlock, float[] x, int xOffset, int blockCount) {
        float sum = 0f;
        for (int b = 0; b < blockCount; b++) {
            long block = (firstBlock + b) * BLOCK_BYTES;
            int xb = xOffset + b * 32;
            float blockSum = 0f;
            for (int j = 0; j < 32; j++) {
                blockSum += int8(block + 2 + j) * x[xb + j];
            }
            sum += blockSum * f16(block);
        }
        return sum;
    }

    @Override
    protected void dequantize(long firstBlock, int blocks, float[] dst, int dstOffset) {
        for (int b = 0; b < blocks; b++) {
            long block = (firstBlock + b) * BLOCK_BYTES;
            FloatVector d = FloatVector.broadcast(F, f16(block));
            for (int j = 0; j < 32; j += F.length()) {
                quants(block, j).mul(d).intoArray(dst, dstOffset + b * 32 + j);
            }
        }
    }

    /**
     * Per block, the int8 values times x in float lanes, then one multiply-add by the block's scale. Even and odd
     * blocks accumulate separately: one chain of dependent multiply-adds would wait out the FMA latency every block.
     * Written out in one method: a helper of more than 35 bytecodes that returns a vector is inlined only when C2
     * judges its call hot, and one compiled without it boxed every vector (decoding 3.4x slower, seen in some runs).
     */
    @Override
    protected float dotRow(long firstBlock, int blocks, MatmulInput in, float[] scratch) {
        float[] x = in.values;
        int lanes = F.length();
        FloatVector even = FloatVector.zero(F), odd = even;
        int touched = 0;
        int steps = blocks / BLOCKS_PER_STEP;
        for (int s = 0; s < steps; s++) {
            long block = (firstBlock + (long) s * BLOCKS_PER_STEP) * BLOCK_BYTES, last = block + LAST_BLOCK_BYTE;
            int xs = s * 4 * lanes;
            touched += touchAhead(block);
            FloatVector evenSum = quants(block, 0).mul(FloatVector.fromArray(F, x, xs));
            evenSum = quants(block, lanes).fma(FloatVector.fromArray(F, x, xs + lanes), evenSum);
            FloatVector oddSum = quants(last, THIRD).mul(FloatVector.fromArray(F, x, xs + 2 * lanes));
            oddSum = quants(last, THIRD + lanes).fma(FloatVector.fromArray(F, x, xs + 3 * lanes), oddSum);
            even = evenSum.fma(FloatVector.broadcast(F, f16(block)), even);
            odd = oddSum.fma(FloatVector.broadcast(F, f16(last)), odd);
        }
        for (int b = steps * BLOCKS_PER_STEP; b < blocks; b++) {
            long block = (firstBlock + b) * BLOCK_BYTES;
            FloatVector sum = FloatVector.zero(F);
            for (int j = 0; j < 32; j += lanes) {
                sum = quants(block, j).fma(FloatVector.fromArray(F, x, b * 32 + j), sum);
            }
            even = sum.fma(FloatVector.broadcast(F, f16(block)), even);
        }
        scratch[0] = touched;
        return even.add(odd).reduceLanes(VectorOperators.ADD);
    }

    // One step of dotRow is four float vectors: two blocks with 16 lanes, one with 8. Its last two vectors start at
    // value THIRD of the step's last block, so the loop has no inner loop over the lanes of a block: C2 compiles such a
    // nest without eliminating its bounds checks (measured: 16.1 against 18.1 GB/s in L1).
    private static final int BLOCKS_PER_STEP = F.length() / 8;
    private static final long LAST_BLOCK_BYTE = (BLOCKS_PER_STEP - 1) * (long) BLOCK_BYTES;
    private static final int THIRD = 2 * F.length() % 32;

    /** The int8 values j to j + lanes of a block, as floats. */
    private FloatVector quants(long block, int j) {
        return (FloatVector) ByteVector.fromMemorySegment(BQ, data, block + 2 + j, LE).convertShape(VectorOperators.B2F, F, 0);
    }

    /** Quantizes {@code blocks} blocks: d = max|x|/127, q = round(x/d). */
    static void quantize(float[] src, int srcOffset, int blocks, byte[] dst, int dstOffset) {
        for (int b = 0; b < blocks; b++) {
            int from = srcOffset + 32 * b, at = dstOffset + BLOCK_BYTES * b;
            float amax = Quantizers.maxMagnitude(src, from, 32);
            float d = amax / 127f;
            float inverse = d != 0f ? 1f / d : 0f;
            Quantizers.putShort(dst, at, Float.floatToFloat16(d));
            for (int j = 0; j < 32; j++) {
                dst[at + 2 + j] = (byte) Math.rint(src[from + j] * inverse);
            }
        }
    }
}
