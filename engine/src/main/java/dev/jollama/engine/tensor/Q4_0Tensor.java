package dev.jollama.engine.tensor;

import dev.jollama.engine.gguf.GgmlType;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;

/**
 * Q4_0: blocks of 32 values in 18 bytes, an fp16 scale d then 16 bytes of nibbles. Value j (below 16) is the low
 * nibble of byte j, value j + 16 its high nibble; w = (nibble - 8)·d.
 */
public final class Q4_0Tensor extends FloatTensor {
    private static final int BLOCK_BYTES = 18;

    Q4_0Tensor(MemorySegment data, long size) {
        super(data, size);
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q4_0;
    }

    @Override
    public float getFloat(long index) {
        long block = (index / 32) * BLOCK_BYTES;
        int j = (int) (index % 32);
        int packed = uint8(block + 2 + (j & 15));
        int nibble = j < 16 ? packed & 0xF : packed >>> 4;
        return (nibble - 8) * f16(block);
    }

    @Override
    protected float dotBlocks(long firstBlock, float[] x, int xOffset, int blockCount) {
        float sum = 0f;
        for (int b = 0; b < blockCount; b++) {
            long block = (firstBlock + b) * BLOCK_BYTES;
            int xb = xOffset + b * 32;
            float blockSum = 0f;
            for (int j = 0; j < 16; j++) {
                int packed = uint8(block + 2 + j);
                blockSum += ((packed & 0xF) - 8) * x[xb + j] + ((packed >>> 4) - 8) * x[xb + j + 16];
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
            for (int j = 0; j < 16; j += F.length()) {
                IntVector packed = unsignedBytes(block + 2 + j);
                int at = dstOffset + b * 32 + j;
                low(packed).mul(d).intoArray(dst, at);
                high(packed).mul(d).intoArray(dst, at + 16);
            }
        }
    }

    /** One vector quantized as Q8_0, as ggml's kernels take it for these weights; several as they are. */
    @Override
    MatmulInput inputFor(MatmulInput in) {
        return in.count() == 1 ? in.quantized(32) : in;
    }

    @Override
    void prepare(MatmulInput in) {
        super.prepare(in);
        if (in.count() == 1) {
            in.computeNibbleSplit();
        }
    }

    @Override
    protected int decodeRows() {
        return F.length() == 16 ? 4 : 2;
    }

    /**
     * With 16 lanes four rows side by side (see {@link FloatTensor#decodeRows}), a block at a time: per row the
     * block's nibbles times the input in float lanes, then one multiply-add by its scale. The input comes split by
     * nibble ({@link MatmulInput#nibbleSplit}), so that a row needs no shift; the -8 of every value applies through
     * the input's sums, once per block and row as a scalar: Σ d·(q - 8)·x = Σ d·Σ q·x - 8·Σ d·Σ x. Both keep the
     * loop within C2's inlining node budget for four rows (with the shift and the split done here, the fourth row's
     * vector ops were left as calls and boxed: 1.8 GB/s). With 8 lanes see dotTwoRowsEightLanes.
     */
    @Override
    protected void dotRows(long firstBlock, long rowStride, int blocks, MatmulInput in, float[] out, int outIndex, int outStride, float[] scratch) {
        if (F.length() != 16) {
            dotTwoRowsEightLanes(firstBlock, rowStride, blocks, in, out, outIndex, outStride, scratch);
            return;
        }
        float[] split = in.nibbleSplit(), sums = in.sums16();
        FloatVector acc0 = FloatVector.zero(F), acc1 = acc0, acc2 = acc0, acc3 = acc0;
        float offset0 = 0f, offset1 = 0f, offset2 = 0f, offset3 = 0f;
        long rowBytes = rowStride * BLOCK_BYTES;
        for (int b = 0; b < blocks; b++) {
            long block = (firstBlock + b) * BLOCK_BYTES;
            FloatVector lowX = FloatVector.fromArray(F, split, 32 * b), byteX = FloatVector.fromArray(F, split, 32 * b + 16);
            float xSum = sums[2 * b] + sums[2 * b + 1];
            float d = f16(block);
            acc0 = nibblesTimesX(block, lowX, byteX).fma(FloatVector.broadcast(F, d), acc0);
            offset0 += d * xSum;
            block += rowBytes;
            d = f16(block);
            acc1 = nibblesTimesX(block, lowX, byteX).fma(FloatVector.broadcast(F, d), acc1);
            offset1 += d * xSum;
            block += rowBytes;
            d = f16(block);
            acc2 = nibblesTimesX(block, lowX, byteX).fma(FloatVector.broadcast(F, d), acc2);
            offset2 += d * xSum;
            block += rowBytes;
            d = f16(block);
            acc3 = nibblesTimesX(block, lowX, byteX).fma(FloatVector.broadcast(F, d), acc3);
            offset3 += d * xSum;
        }
        out[outIndex] = acc0.reduceLanes(VectorOperators.ADD) - 8 * offset0;
        out[outIndex + outStride] = acc1.reduceLanes(VectorOperators.ADD) - 8 * offset1;
        out[outIndex + 2 * outStride] = acc2.reduceLanes(VectorOperators.ADD) - 8 * offset2;
        out[outIndex + 3 * outStride] = acc3.reduceLanes(VectorOperators.ADD) - 8 * offset3;
    }

    @Override
    protected boolean hasFourVectorKernel() {
        return true;
    }

    @Override
    void prepareFourVectors(MatmulInput in) {
        super.prepareFourVectors(in);
        in.computeFourVectorSums();
    }

    /**
     * Two rows' blocks dequantized in registers and scaled by d once, each then times every vector's nibble split
     * (as {@link #dotRows}); the -8 of every value through the vectors' block sums, four at a time in a 4-lane
     * vector. Two rows rather than one share the loads of the inputs: one row at a time was bound by its loads
     * (eight input vectors and eight scalar sums per block) and took 3.6 times one vector's time for four.
     */
    @Override
    protected void dotRowFourVectors(long firstBlock, long rowStride, MatmulInput in, int count, float[] out, int outIndex, int outStride) {
        int blocks = in.width() / 32;
        float[] s0 = in.single(0).nibbleSplit(), s1 = in.single(1).nibbleSplit(), s2 = in.single(2).nibbleSplit(), s3 = in.single(count - 1).nibbleSplit();
        float[] sums = in.fourVectorSums();
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        FloatVector offA = FloatVector.zero(FloatVector.SPECIES_128), offB = offA;
        long otherBytes = rowStride * BLOCK_BYTES;
        for (int b = 0; b < blocks; b++) {
            long block = (firstBlock + b) * BLOCK_BYTES, other = block + otherBytes;
            float dA = f16(block), dB = f16(other);
            FloatVector dvA = FloatVector.broadcast(F, dA), dvB = FloatVector.broadcast(F, dB);
            FloatVector blockSums = FloatVector.fromArray(FloatVector.SPECIES_128, sums, 4 * b);
            offA = blockSums.fma(FloatVector.broadcast(FloatVector.SPECIES_128, dA), offA);
            offB = blockSums.fma(FloatVector.broadcast(FloatVector.SPECIES_128, dB), offB);
            for (int j = 0; j < 16; j += F.length()) {
                IntVector packedA = unsignedBytes(block + 2 + j), packedB = unsignedBytes(other + 2 + j);
                FloatVector lowA = ((FloatVector) packedA.and(LOW_NIBBLE).convert(VectorOperators.I2F, 0)).mul(dvA);
                FloatVector wholeA = ((FloatVector) packedA.convert(VectorOperators.I2F, 0)).mul(dvA);
                FloatVector lowB = ((FloatVector) packedB.and(LOW_NIBBLE).convert(VectorOperators.I2F, 0)).mul(dvB);
                FloatVector wholeB = ((FloatVector) packedB.convert(VectorOperators.I2F, 0)).mul(dvB);
                int lo = 32 * b + j, hi = lo + 16;
                FloatVector x = FloatVector.fromArray(F, s0, lo), y = FloatVector.fromArray(F, s0, hi);
                a0 = wholeA.fma(y, lowA.fma(x, a0));
                b0 = wholeB.fma(y, lowB.fma(x, b0));
                x = FloatVector.fromArray(F, s1, lo);
                y = FloatVector.fromArray(F, s1, hi);
                a1 = wholeA.fma(y, lowA.fma(x, a1));
                b1 = wholeB.fma(y, lowB.fma(x, b1));
                x = FloatVector.fromArray(F, s2, lo);
                y = FloatVector.fromArray(F, s2, hi);
                a2 = wholeA.fma(y, lowA.fma(x, a2));
                b2 = wholeB.fma(y, lowB.fma(x, b2));
                x = FloatVector.fromArray(F, s3, lo);
                y = FloatVector.fromArray(F, s3, hi);
                a3 = wholeA.fma(y, lowA.fma(x, a3));
                b3 = wholeB.fma(y, lowB.fma(x, b3));
            }
        }
        int last = (count - 1) * outStride;
        out[outIndex] = a0.reduceLanes(VectorOperators.ADD) - 8 * offA.lane(0);
        out[outIndex + outStride] = a1.reduceLanes(VectorOperators.ADD) - 8 * offA.lane(1);
        out[outIndex + 2 * outStride] = a2.reduceLanes(VectorOperators.ADD) - 8 * offA.lane(2);
        out[outIndex + last] = a3.reduceLanes(VectorOperators.ADD) - 8 * offA.lane(3);
        if (rowStride != 0) {
            out[outIndex + 1] = b0.reduceLanes(VectorOperators.ADD) - 8 * offB.lane(0);
            out[outIndex + outStride + 1] = b1.reduceLanes(VectorOperators.ADD) - 8 * offB.lane(1);
            out[outIndex + 2 * outStride + 1] = b2.reduceLanes(VectorOperators.ADD) - 8 * offB.lane(2);
            out[outIndex + last + 1] = b3.reduceLanes(VectorOperators.ADD) - 8 * offB.lane(3);
        }
    }

    /**
     * The packed bytes from {@code bytes + 2}, as many as lanes: their low nibbles times lowX plus the whole bytes
     * times byteX, lane by lane.
     */
    private FloatVector nibblesTimesX(long bytes, FloatVector lowX, FloatVector byteX) {
        IntVector packed = unsignedBytes(bytes + 2);
        FloatVector low = (FloatVector) packed.and(LOW_NIBBLE).convert(VectorOperators.I2F, 0);
        FloatVector whole = (FloatVector) packed.convert(VectorOperators.I2F, 0);
        return low.fma(lowX, whole.mul(byteX));
    }

    private static final IntVector LOW_NIBBLE = IntVector.broadcast(I, 0xf);

    /**
     * With 8 lanes (AVX2) two rows side by side, a block (two loads of eight packed bytes) at a time, on the scheme
     * of the sixteen-lane kernel, touching ahead in each row: two cores 8.1 -> 10.3 GB/s against one row at a time
     * (side by side, under -XX:UseAVX=2; without the touches 7.3).
     */
    private void dotTwoRowsEightLanes(long firstBlock, long rowStride, int blocks, MatmulInput in, float[] out, int outIndex, int outStride, float[] scratch) {
        float[] split = in.nibbleSplit(), sums = in.sums16();
        FloatVector acc0 = FloatVector.zero(F), acc1 = acc0;
        float offset0 = 0f, offset1 = 0f;
        long rowBytes = rowStride * BLOCK_BYTES;
        int touched = 0;
        for (int b = 0; b < blocks; b++) {
            long block = (firstBlock + b) * BLOCK_BYTES, other = block + rowBytes;
            if ((b & 3) == 0) {
                touched += touchAhead(block) + touchAhead(other); // once every four blocks, about a cache line
            }
            FloatVector lowX0 = FloatVector.fromArray(F, split, 32 * b), lowX1 = FloatVector.fromArray(F, split, 32 * b + 8);
            FloatVector byteX0 = FloatVector.fromArray(F, split, 32 * b + 16), byteX1 = FloatVector.fromArray(F, split, 32 * b + 24);
            float xSum = sums[2 * b] + sums[2 * b + 1];
            float d0 = f16(block), d1 = f16(other);
            FloatVector sum0 = nibblesTimesX(block, lowX0, byteX0).add(nibblesTimesX(block + 8, lowX1, byteX1));
            FloatVector sum1 = nibblesTimesX(other, lowX0, byteX0).add(nibblesTimesX(other + 8, lowX1, byteX1));
            acc0 = sum0.fma(FloatVector.broadcast(F, d0), acc0);
            acc1 = sum1.fma(FloatVector.broadcast(F, d1), acc1);
            offset0 += d0 * xSum;
            offset1 += d1 * xSum;
        }
        scratch[0] = touched;
        out[outIndex] = acc0.reduceLanes(VectorOperators.ADD) - 8 * offset0;
        out[outIndex + outStride] = acc1.reduceLanes(VectorOperators.ADD) - 8 * offset1;
    }

    private static FloatVector low(IntVector packed) {
        return (FloatVector) packed.and(0xf).sub(8).convert(VectorOperators.I2F, 0);
    }

    private static FloatVector high(IntVector packed) {
        return (FloatVector) packed.lanewise(VectorOperators.LSHR, 4).sub(8).convert(VectorOperators.I2F, 0);
    }

    /** Quantizes {@code blocks} blocks as the reference does: the value of largest magnitude maps to -8. */
    static void quantize(float[] src, int srcOffset, int blocks, byte[] dst, int dstOffset) {
        for (int b = 0; b < blocks; b++) {
            int from = srcOffset + 32 * b, at = dstOffset + BLOCK_BYTES * b;
            float d = Quantizers.signedMax(src, from, 32) / -8f;
            float inverse = d != 0f ? 1f / d : 0f;
            Quantizers.putShort(dst, at, Float.floatToFloat16(d));
            for (int j = 0; j < 16; j++) {
                int low = Math.min(15, (int) (src[from + j] * inverse + 8.5f));
                int high = Math.min(15, (int) (src[from + 16 + j] * inverse + 8.5f));
                dst[at + 2 + j] = (byte) (low | high << 4);
            }
        }
    }
}
