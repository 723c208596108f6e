package dev.jollama.engine.tensor;

import dev.jollama.engine.gguf.GgmlType;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;

/**
 * Q4_K: super-blocks of 256 values in 144 bytes: fp16 d, fp16 dmin, 12 bytes of 6-bit scales and mins
 * ({@link KQuantScales}), 128 bytes of nibbles. Group g (64 values) reads bytes 32g..32g+31: low nibbles form
 * sub-block 2g, high nibbles sub-block 2g+1; w = d·scale·q - dmin·min.
 */
public final class Q4KTensor extends FloatTensor {
    private static final int BLOCK_BYTES = 144;

    Q4KTensor(MemorySegment data, long size) {
        super(data, size);
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q4_K;
    }

    @Override
    public float getFloat(long index) {
        long block = (index / 256) * BLOCK_BYTES;
        int i = (int) (index % 256);
        int group = i / 64;
        boolean high = (i % 64) >= 32;
        int subBlock = 2 * group + (high ? 1 : 0);
        int packed = uint8(block + 16 + 32 * group + i % 32);
        int q = high ? packed >>> 4 : packed & 0xF;
        return f16(block) * KQuantScales.scale(data, block + 4, subBlock) * q
                - f16(block + 2) * KQuantScales.min(data, block + 4, subBlock);
    }

    @Override
    protected float dotBlocks(long firstBlock, float[] x, int xOffset, int blockCount) {
        float sum = 0f;
        for (int b = 0; b < blockCount; b++) {
            long block = (firstBlock + b) * BLOCK_BYTES;
            float d = f16(block);
            float dmin = f16(block + 2);
            for (int group = 0; group < 4; group++) {
                int xg = xOffset + b * 256 + group * 64;
                long qs = block + 16 + 32 * group;
                float lowDot = 0f, highDot = 0f, lowSum = 0f, highSum = 0f;
                for (int l = 0; l < 32; l++) {
                    int packed = uint8(qs + l);
                    float xl = x[xg + l], xh = x[xg + 32 + l];
                    lowDot += (packed & 0xF) * xl;
                    highDot += (packed >>> 4) * xh;
                    lowSum += xl;
                    highSum += xh;
                }
                sum += KQuantScales.groupDot(data, block + 4, group, d, dmin, lowDot, highDot, lowSum, highSum);
            }
        }
        return sum;
    }

    @Override
    protected void dequantize(long firstBlock, int blocks, float[] dst, int dstOffset) {
        for (int b = 0; b < blocks; b++) {
            long block = (firstBlock + b) * BLOCK_BYTES;
            float d = f16(block);
            float dmin = f16(block + 2);
            long scales = KQuantScales.scales(data, block), mins = KQuantScales.mins(data, block);
            for (int group = 0; group < 4; group++) {
                // d·sc·q - dmin·m as one multiply-add: d·sc·q is exact in a float (fp16 d, 6-bit sc, 4-bit q: at
                // most 21 significant bits), so it rounds as the reference's multiplication and subtraction do, bit
                // for bit (BlockGoldenTest). Dequantizing took 6% less time (one core, in cache).
                FloatVector lowScale = FloatVector.broadcast(F, d * KQuantScales.at(scales, 2 * group));
                FloatVector lowMin = FloatVector.broadcast(F, -dmin * KQuantScales.at(mins, 2 * group));
                FloatVector highScale = FloatVector.broadcast(F, d * KQuantScales.at(scales, 2 * group + 1));
                FloatVector highMin = FloatVector.broadcast(F, -dmin * KQuantScales.at(mins, 2 * group + 1));
                for (int j = 0; j < 32; j += F.length()) {
                    IntVector packed = unsignedBytes(block + 16 + 32 * group + j);
                    int at = dstOffset + b * 256 + group * 64 + j;
                    low(packed).fma(lowScale, lowMin).intoArray(dst, at);
                    high(packed).fma(highScale, highMin).intoArray(dst, at + 32);
                }
            }
        }
    }

    /** One vector quantized as Q8_K, as ggml's kernels take it for these weights; several as they are. */
    @Override
    MatmulInput inputFor(MatmulInput in) {
        return in.count() == 1 ? in.quantized(256) : in;
    }

    @Override
    void prepare(MatmulInput in) {
        super.prepare(in);
        in.computeLaneOrder(PackedLanes.Q4_K);
    }

    @Override
    protected void dotRows(long firstBlock, long rowStride, int blocks, MatmulInput in, float[] out, int outIndex, int outStride, float[] scratch) {
        if (WIDE) {
            dotRowSixteenLanes(firstBlock, blocks, in, out, outIndex, scratch);
        } else {
            dotRowEightLanes(firstBlock, blocks, in, out, outIndex, scratch);
        }
    }

    /**
     * With 16 lanes: 128 values at a time as 16 int lanes ({@link PackedLanes#Q4_K}), per 16 values a mask, a
     * conversion and a multiply-add. Lanes 0-7 belong to one group and lanes 8-15 to the next, so each step's two
     * dots (low and high nibbles) take their sub-blocks' scales as vectors of two halves, rearranged from the
     * super-block's ({@link KQuantScales#inLanes}); the mins apply through the input's sums:
     * Σ (d·sc·q - dmin·m)·x = Σ d·sc·(Σ q·x) - Σ dmin·m·(Σ x).
     */
    private void dotRowSixteenLanes(long firstBlock, int blocks, MatmulInput in, float[] out, int outIndex, float[] scratch) {
        float[] x = in.laneOrdered(PackedLanes.Q4_K);
        float[] sums32 = in.sums32();
        FloatVector acc = FloatVector.zero(F), minAcc = acc;
        int touched = 0;
        for (int b = 0; b < blocks; b++) {
            long block = (firstBlock + b) * BLOCK_BYTES;
            touched += touchLinesAhead(block, BLOCK_BYTES);
            FloatVector scalesAndMins = KQuantScales.inLanes(data, block);
            minAcc = scalesAndMins.fma(FloatVector.fromArray(F, sums32, 16 * b), minAcc);
            for (int step = 0; step < 2; step++) {
                IntVector low = IntVector.fromMemorySegment(I, data, block + 16 + 64 * step, LE);
                acc = packedDots(low, low.lanewise(VectorOperators.LSHR, 4), 0xf, x, 256 * b + 128 * step,
                        scalesAndMins.rearrange(step == 0 ? KQuantScales.Lanes.LOW_SCALES_0 : KQuantScales.Lanes.LOW_SCALES_1),
                        scalesAndMins.rearrange(step == 0 ? KQuantScales.Lanes.HIGH_SCALES_0 : KQuantScales.Lanes.HIGH_SCALES_1), acc);
            }
        }
        scratch[0] = touched;
        out[outIndex] = acc.sub(minAcc).reduceLanes(VectorOperators.ADD);
    }

    /** With 16 lanes only: with 8, the sixteen accumulators would not fit the sixteen vector registers. */
    @Override
    protected boolean hasFourVectorKernel() {
        return WIDE;
    }

    @Override
    protected void dotRowFourVectors(long firstBlock, long rowStride, MatmulInput in, int count, float[] out, int outIndex, int outStride) {
        dotRowFourVectors(firstBlock, in, count, out, outIndex, outStride);
        if (rowStride != 0) {
            dotRowFourVectors(firstBlock + rowStride, in, count, out, outIndex + 1, outStride);
        }
    }

    /**
     * One row with three or four vectors, as {@link #dotRowSixteenLanes}: each step's nibbles picked out of their
     * lanes and converted once, then times every vector's reordered input. The steps are written out as in
     * Q6KTensor's kernel: through {@link #packedDots} once per vector the kernel passed C2's inlining budget (Q6_K:
     * 12.8 times one vector's time for four, against 2.9).
     */
    private void dotRowFourVectors(long firstBlock, MatmulInput in, int count, float[] out, int outIndex, int outStride) {
        int blocks = in.width() / 256;
        MatmulInput v0 = in.single(0), v1 = in.single(1), v2 = in.single(2), v3 = in.single(count - 1);
        float[] x0 = v0.laneOrdered(PackedLanes.Q4_K), x1 = v1.laneOrdered(PackedLanes.Q4_K), x2 = v2.laneOrdered(PackedLanes.Q4_K), x3 = v3.laneOrdered(PackedLanes.Q4_K);
        float[] m0 = v0.sums32(), m1 = v1.sums32(), m2 = v2.sums32(), m3 = v3.sums32();
        FloatVector acc0 = FloatVector.zero(F), acc1 = acc0, acc2 = acc0, acc3 = acc0, min0 = acc0, min1 = acc0, min2 = acc0, min3 = acc0;
        for (int b = 0; b < blocks; b++) {
            long block = (firstBlock + b) * BLOCK_BYTES;
            FloatVector scalesAndMins = KQuantScales.inLanes(data, block);
            min0 = scalesAndMins.fma(FloatVector.fromArray(F, m0, 16 * b), min0);
            min1 = scalesAndMins.fma(FloatVector.fromArray(F, m1, 16 * b), min1);
            min2 = scalesAndMins.fma(FloatVector.fromArray(F, m2, 16 * b), min2);
            min3 = scalesAndMins.fma(FloatVector.fromArray(F, m3, 16 * b), min3);
            for (int step = 0; step < 2; step++) {
                IntVector low = IntVector.fromMemorySegment(I, data, block + 16 + 64 * step, LE), high = low.lanewise(VectorOperators.LSHR, 4);
                FloatVector l0 = FloatVector.zero(F), l1 = l0, l2 = l0, l3 = l0, h0 = l0, h1 = l0, h2 = l0, h3 = l0;
                for (int k = 0; k < 4; k++) {
                    FloatVector wl = inPlace(low, 0xf << 8 * k), wh = inPlace(high, 0xf << 8 * k);
                    int xl = 256 * b + 128 * step + 32 * k, xh = xl + 16;
                    l0 = wl.fma(FloatVector.fromArray(F, x0, xl), l0);
                    h0 = wh.fma(FloatVector.fromArray(F, x0, xh), h0);
                    l1 = wl.fma(FloatVector.fromArray(F, x1, xl), l1);
                    h1 = wh.fma(FloatVector.fromArray(F, x1, xh), h1);
                    l2 = wl.fma(FloatVector.fromArray(F, x2, xl), l2);
                    h2 = wh.fma(FloatVector.fromArray(F, x2, xh), h2);
                    l3 = wl.fma(FloatVector.fromArray(F, x3, xl), l3);
                    h3 = wh.fma(FloatVector.fromArray(F, x3, xh), h3);
                }
                FloatVector lowScales = scalesAndMins.rearrange(step == 0 ? KQuantScales.Lanes.LOW_SCALES_0 : KQuantScales.Lanes.LOW_SCALES_1);
                FloatVector highScales = scalesAndMins.rearrange(step == 0 ? KQuantScales.Lanes.HIGH_SCALES_0 : KQuantScales.Lanes.HIGH_SCALES_1);
                acc0 = h0.fma(highScales, l0.fma(lowScales, acc0));
                acc1 = h1.fma(highScales, l1.fma(lowScales, acc1));
                acc2 = h2.fma(highScales, l2.fma(lowScales, acc2));
                acc3 = h3.fma(highScales, l3.fma(lowScales, acc3));
            }
        }
        out[outIndex] = acc0.sub(min0).reduceLanes(VectorOperators.ADD);
        out[outIndex + outStride] = acc1.sub(min1).reduceLanes(VectorOperators.ADD);
        out[outIndex + 2 * outStride] = acc2.sub(min2).reduceLanes(VectorOperators.ADD);
        out[outIndex + (count - 1) * outStride] = acc3.sub(min3).reduceLanes(VectorOperators.ADD);
    }

    /**
     * With 8 lanes, as with 16 (the same reordered input read eight lanes at a time): a 64-value group's 32 bytes at a
     * time, all eight lanes in one group, so its two sub-blocks' scales are broadcast from the super-block's
     * ({@link KQuantScales#toScratch}). In cache 7.2 -> 7.9 GB/s per core, two cores streaming 8.8 -> 10.4 (under
     * -XX:UseAVX=2, against expanding bytes to int lanes).
     */
    private void dotRowEightLanes(long firstBlock, int blocks, MatmulInput in, float[] out, int outIndex, float[] scratch) {
        float[] x = in.laneOrdered(PackedLanes.Q4_K);
        float[] sums32 = in.sums32();
        FloatVector acc = FloatVector.zero(F), minAcc = acc;
        int touched = 0;
        for (int b = 0; b < blocks; b++) {
            long block = (firstBlock + b) * BLOCK_BYTES;
            touched += touchLinesAhead(block, BLOCK_BYTES);
            KQuantScales.toScratch(data, block, sums32, b, scratch);
            minAcc = minAcc.add(FloatVector.fromArray(F, scratch, KQuantScales.MINS));
            for (int step = 0; step < 2; step++) {
                for (int part = 0; part < 2; part++) {
                    int group = 2 * step + part;
                    IntVector low = IntVector.fromMemorySegment(I, data, block + 16 + 32 * group, LE);
                    acc = packedDots(low, low.lanewise(VectorOperators.LSHR, 4), 0xf, x, 256 * b + 128 * step + 8 * part,
                            FloatVector.broadcast(F, scratch[SCALES + 2 * group]), FloatVector.broadcast(F, scratch[SCALES + 2 * group + 1]), acc);
                }
            }
        }
        scratch[0] = touched;
        out[outIndex] = acc.sub(minAcc).reduceLanes(VectorOperators.ADD);
    }

    private static FloatVector low(IntVector packed) {
        return (FloatVector) packed.and(0xf).convert(VectorOperators.I2F, 0);
    }

    private static FloatVector high(IntVector packed) {
        return (FloatVector) packed.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0);
    }

    /** Quantizes {@code blocks} super-blocks as the reference does without an importance matrix ({@link KQuantScales#quantize}). */
    static void quantize(float[] src, int srcOffset, int blocks, byte[] dst, int dstOffset) {
        int[] q = new int[256];
        for (int b = 0; b < blocks; b++) {
            int from = srcOffset + 256 * b, at = dstOffset + BLOCK_BYTES * b;
            KQuantScales.quantize(src, from, 15, -1f, 20, dst, at, q);
            for (int group = 0; group < 4; group++) {
                for (int l = 0; l < 32; l++) {
                    dst[at + 16 + 32 * group + l] = (byte) (q[64 * group + l] | q[64 * group + 32 + l] << 4);
                }
            }
        }
    }
}
