package dev.jollama.engine.tensor;

import dev.jollama.engine.gguf.GgmlType;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;

import java.lang.foreign.MemorySegment;

/**
 * Q6_K: super-blocks of 256 values in 210 bytes: ql[128] (low 4 bits), qh[64] (high 2 bits), 16 signed 8-bit
 * scales (one per 16 values), then fp16 d. Each 128-value half uses 64 bytes of ql, 32 of qh and 8 scales; within a
 * half, quarter k (32 values) takes the low (k = 0, 1) or high (k = 2, 3) nibble of ql[l + 32·(k % 2)] and bits
 * 2k..2k+1 of qh[l]; w = d·scale·(q - 32).
 */
public final class Q6KTensor extends FloatTensor {
    private static final int BLOCK_BYTES = 210;

    Q6KTensor(MemorySegment data, long size) {
        super(data, size);
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q6_K;
    }

    @Override
    public float getFloat(long index) {
        long block = (index / 256) * BLOCK_BYTES;
        int i = (int) (index % 256);
        int half = i / 128;
        int quarter = (i % 128) / 32;
        int l = i % 32;
        long ql = block + 64 * half;
        long qh = block + 128 + 32 * half;
        long scales = block + 192 + 8 * half;
        return f16(block + 208) * int8(scales + l / 16 + 2 * quarter) * (quant(ql, qh, quarter, l) - 32);
    }

    private int quant(long ql, long qh, int quarter, int l) {
        int low = uint8(ql + l + 32 * (quarter & 1));
        int nibble = quarter < 2 ? low & 0xF : low >>> 4;
        return nibble | ((uint8(qh + l) >>> (2 * quarter)) & 3) << 4;
    }

    @Override
    protected float dotBlocks(long firstBlock, float[] x, int xOffset, int blockCount) {
        float sum = 0f;
        for (int b = 0; b < blockCount; b++) {
            long block = (firstBlock + b) * BLOCK_BYTES;
            float blockSum = 0f;
            for (int half = 0; half < 2; half++) {
                long ql = block + 64 * half;
                long qh = block + 128 + 32 * half;
                long scales = block + 192 + 8 * half;
                int xh = xOffset + b * 256 + half * 128;
                for (int quarter = 0; quarter < 4; quarter++) {
                    for (int part = 0; part < 2; part++) {
                        float partSum = 0f;
                        for (int l = part * 16; l < part * 16 + 16; l++) {
                            partSum += (quant(ql, qh, quarter, l) - 32) * x[xh + 32 * quarter + l];
                        }
                        blockSum += int8(scales + part + 2 * quarter) * partSum;
                    }
                }
            }
            sum += f16(block + 208) * blockSum;
        }
        return sum;
    }

    @Override
    protected void dequantize(long firstBlock, int blocks, float[] dst, int dstOffset) {
        for (int b = 0; b < blocks; b++) {
            long block = (firstBlock + b) * BLOCK_BYTES;
            float d = f16(block + 208);
            for (int half = 0; half < 2; half++) {
                long scales = block + 192 + 8 * half;
                int at = dstOffset + b * 256 + half * 128;
                for (int l = 0; l < 32; l += F.length()) {
                    long sc = scales + l / 16;
                    for (int quarter = 0; quarter < 4; quarter++) {
                        dequantizeQuarter(block, half, quarter, l, d * int8(sc + 2 * quarter), dst, at + 32 * quarter + l);
                    }
                }
            }
        }
    }

    /**
     * One vector quantized in blocks of 32 as Q8_0 (for the row groups' kernels, {@link Q6KRowGroupsTensor}); several
     * as they are. ggml takes it as Q8_K, in blocks of 256, but against the goldens that moved every file whose output
     * matrix is Q6_K further from the reference (mean |Δlogprob| +0.004 to +0.012, and gemma3 Q4_K_M's top-1 at one
     * step where the reference's margin was 0.47); blocks of 32 are nearer to float.
     */
    @Override
    MatmulInput inputFor(MatmulInput in) {
        return in.count() == 1 ? in.quantized(32) : in;
    }

    @Override
    void prepare(MatmulInput in) {
        super.prepare(in);
        in.computeLaneOrder(PackedLanes.Q6_K);
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
     * With 16 lanes: per 128-value half, its 64 bytes of low bits as 16 int lanes and its 32 bytes of high bits
     * beside them twice (lanes 8-15 shifted by two, as their values use the next two bits), merged into two vectors
     * of 6-bit values, four per lane ({@link PackedLanes#Q6_K}); then per 16 values a mask, a conversion and a
     * multiply-add. In a dot, lanes 0-3, 4-7, 8-11 and 12-15 each hold one 16-value run, so the scales apply as
     * vectors rearranged from the super-block's sixteen; the -32 of every value through the input's sums:
     * Σ sc·(q - 32)·x = Σ sc·(Σ q·x) - 32·Σ sc·(Σ x).
     */
    private void dotRowSixteenLanes(long firstBlock, int blocks, MatmulInput in, float[] out, int outIndex, float[] scratch) {
        float[] x = in.laneOrdered(PackedLanes.Q6_K);
        float[] sums16 = in.sums16();
        FloatVector acc = FloatVector.zero(F), offsetAcc = acc;
        int touched = 0;
        for (int b = 0; b < blocks; b++) {
            long block = (firstBlock + b) * BLOCK_BYTES;
            touched += touchLinesAhead(block, BLOCK_BYTES);
            FloatVector scales = ((FloatVector) ByteVector.fromMemorySegment(BQ, data, block + 192, LE).convertShape(VectorOperators.B2F, F, 0))
                    .mul(f16(block + 208));
            offsetAcc = scales.fma(FloatVector.fromArray(F, sums16, 16 * b), offsetAcc);
            IntVector highBits = IntVector.fromMemorySegment(I, data, block + 128, LE);
            for (int half = 0; half < 2; half++) {
                IntVector lowBits = IntVector.fromMemorySegment(I, data, block + 64 * half, LE);
                IntVector top = highBits.rearrange(half == 0 ? SixteenLanes.HALF_0 : SixteenLanes.HALF_1).lanewise(VectorOperators.LSHR, SixteenLanes.QUARTER_SHIFT);
                acc = packedDots(lowValues(lowBits, top), highValues(lowBits, top), 0x3f, x, 256 * b + 128 * half,
                        scales.rearrange(half == 0 ? SixteenLanes.LOW_SCALES_0 : SixteenLanes.LOW_SCALES_1),
                        scales.rearrange(half == 0 ? SixteenLanes.HIGH_SCALES_0 : SixteenLanes.HIGH_SCALES_1), acc);
            }
        }
        scratch[0] = touched;
        out[outIndex] = acc.sub(offsetAcc.mul(32f)).reduceLanes(VectorOperators.ADD);
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
     * One row with three or four vectors, as {@link #dotRowSixteenLanes}: each half's 6-bit values picked out of
     * their lanes and converted once, then times every vector's reordered input.
     */
    private void dotRowFourVectors(long firstBlock, MatmulInput in, int count, float[] out, int outIndex, int outStride) {
        int blocks = in.width() / 256;
        MatmulInput v0 = in.single(0), v1 = in.single(1), v2 = in.single(2), v3 = in.single(count - 1);
        float[] x0 = v0.laneOrdered(PackedLanes.Q6_K), x1 = v1.laneOrdered(PackedLanes.Q6_K), x2 = v2.laneOrdered(PackedLanes.Q6_K), x3 = v3.laneOrdered(PackedLanes.Q6_K);
        float[] m0 = v0.sums16(), m1 = v1.sums16(), m2 = v2.sums16(), m3 = v3.sums16();
        FloatVector acc0 = FloatVector.zero(F), acc1 = acc0, acc2 = acc0, acc3 = acc0, off0 = acc0, off1 = acc0, off2 = acc0, off3 = acc0;
        for (int b = 0; b < blocks; b++) {
            long block = (firstBlock + b) * BLOCK_BYTES;
            FloatVector scales = ((FloatVector) ByteVector.fromMemorySegment(BQ, data, block + 192, LE).convertShape(VectorOperators.B2F, F, 0))
                    .mul(f16(block + 208));
            off0 = scales.fma(FloatVector.fromArray(F, m0, 16 * b), off0);
            off1 = scales.fma(FloatVector.fromArray(F, m1, 16 * b), off1);
            off2 = scales.fma(FloatVector.fromArray(F, m2, 16 * b), off2);
            off3 = scales.fma(FloatVector.fromArray(F, m3, 16 * b), off3);
            IntVector highBits = IntVector.fromMemorySegment(I, data, block + 128, LE);
            for (int half = 0; half < 2; half++) {
                IntVector lowBits = IntVector.fromMemorySegment(I, data, block + 64 * half, LE);
                IntVector top = highBits.rearrange(half == 0 ? SixteenLanes.HALF_0 : SixteenLanes.HALF_1).lanewise(VectorOperators.LSHR, SixteenLanes.QUARTER_SHIFT);
                IntVector low = lowValues(lowBits, top), high = highValues(lowBits, top);
                FloatVector l0 = FloatVector.zero(F), l1 = l0, l2 = l0, l3 = l0, h0 = l0, h1 = l0, h2 = l0, h3 = l0;
                for (int k = 0; k < 4; k++) {
                    FloatVector wl = inPlace(low, 0x3f << 8 * k), wh = inPlace(high, 0x3f << 8 * k);
                    int xl = 256 * b + 128 * half + 32 * k, xh = xl + 16;
                    l0 = wl.fma(FloatVector.fromArray(F, x0, xl), l0);
                    h0 = wh.fma(FloatVector.fromArray(F, x0, xh), h0);
                    l1 = wl.fma(FloatVector.fromArray(F, x1, xl), l1);
                    h1 = wh.fma(FloatVector.fromArray(F, x1, xh), h1);
                    l2 = wl.fma(FloatVector.fromArray(F, x2, xl), l2);
                    h2 = wh.fma(FloatVector.fromArray(F, x2, xh), h2);
                    l3 = wl.fma(FloatVector.fromArray(F, x3, xl), l3);
                    h3 = wh.fma(FloatVector.fromArray(F, x3, xh), h3);
                }
                FloatVector lowScales = scales.rearrange(half == 0 ? SixteenLanes.LOW_SCALES_0 : SixteenLanes.LOW_SCALES_1);
                FloatVector highScales = scales.rearrange(half == 0 ? SixteenLanes.HIGH_SCALES_0 : SixteenLanes.HIGH_SCALES_1);
                acc0 = h0.fma(highScales, l0.fma(lowScales, acc0));
                acc1 = h1.fma(highScales, l1.fma(lowScales, acc1));
                acc2 = h2.fma(highScales, l2.fma(lowScales, acc2));
                acc3 = h3.fma(highScales, l3.fma(lowScales, acc3));
            }
        }
        out[outIndex] = acc0.sub(off0.mul(32f)).reduceLanes(VectorOperators.ADD);
        out[outIndex + outStride] = acc1.sub(off1.mul(32f)).reduceLanes(VectorOperators.ADD);
        out[outIndex + 2 * outStride] = acc2.sub(off2.mul(32f)).reduceLanes(VectorOperators.ADD);
        out[outIndex + (count - 1) * outStride] = acc3.sub(off3.mul(32f)).reduceLanes(VectorOperators.ADD);
    }

    /** Constants of the 16-lane kernel, made only where it runs. */
    private static final class SixteenLanes {
        /** A half's 32 bytes of high bits (lanes 0-7 or 8-15 of the super-block's 64) in both halves of the lanes. */
        static final VectorShuffle<Integer> HALF_0 = VectorShuffle.fromOp(I, l -> l % 8), HALF_1 = VectorShuffle.fromOp(I, l -> 8 + l % 8);
        /** Lanes 8-15 hold values 32-63 and 96-127 of a half, whose high bits are bits 2-3 and 6-7 of their byte. */
        static final IntVector QUARTER_SHIFT = IntVector.fromArray(I, new int[]{0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 2, 2, 2, 2, 2, 2}, 0);
        /** Lane l of a half's low (values 4l + b) or high (64 + 4l + b) dot takes scale 8·half + 4·high + l / 4. */
        static final VectorShuffle<Float> LOW_SCALES_0 = runScales(0), HIGH_SCALES_0 = runScales(4),
                LOW_SCALES_1 = runScales(8), HIGH_SCALES_1 = runScales(12);
    }

    /**
     * With 8 lanes, as with 16 ({@link PackedLanes#Q6_K}, the same reordered input read eight lanes at a time): per
     * half, its 32 bytes of high bits beside each 32 bytes of low bits (shifted by two for the second, whose values
     * use the next two bits). In a dot, lanes 0-3 and 4-7 each hold one 16-value run. In cache 3.9 -> 9.4 GB/s per
     * core, two cores streaming 7.8 -> 14.2 (under -XX:UseAVX=2, against expanding bytes to int lanes); 32 bytes at a
     * time in a loop, as four dots written out passed C2's inlining node budget (boxed, 0.9 GB/s).
     */
    private void dotRowEightLanes(long firstBlock, int blocks, MatmulInput in, float[] out, int outIndex, float[] scratch) {
        float[] x = in.laneOrdered(PackedLanes.Q6_K);
        float[] sums16 = in.sums16();
        FloatVector acc = FloatVector.zero(F), offsetAcc = acc;
        int touched = 0;
        for (int b = 0; b < blocks; b++) {
            long block = (firstBlock + b) * BLOCK_BYTES;
            touched += touchLinesAhead(block, BLOCK_BYTES);
            float d = f16(block + 208);
            for (int half = 0; half < 2; half++) {
                FloatVector scales = ((FloatVector) ByteVector.fromMemorySegment(BQ, data, block + 192 + 8 * half, LE).convertShape(VectorOperators.B2F, F, 0)).mul(d);
                offsetAcc = scales.fma(FloatVector.fromArray(F, sums16, 16 * b + 8 * half), offsetAcc);
                IntVector highBits = IntVector.fromMemorySegment(I, data, block + 128 + 32 * half, LE);
                for (int part = 0; part < 2; part++) {
                    IntVector top = highBits.lanewise(VectorOperators.LSHR, 2 * part);
                    IntVector lowBits = IntVector.fromMemorySegment(I, data, block + 64 * half + 32 * part, LE);
                    acc = packedDots(lowValues(lowBits, top), highValues(lowBits, top), 0x3f, x, 256 * b + 128 * half + 8 * part,
                            scales.rearrange(part == 0 ? EightLanes.RUNS_0 : EightLanes.RUNS_2),
                            scales.rearrange(part == 0 ? EightLanes.RUNS_4 : EightLanes.RUNS_6), acc);
                }
            }
        }
        scratch[0] = touched;
        out[outIndex] = acc.sub(offsetAcc.mul(32f)).reduceLanes(VectorOperators.ADD);
    }

    /** Constants of the 8-lane kernel. */
    private static final class EightLanes {
        /** Lane l of the low or high dot of 32 bytes (part p) takes scale 2·p (low) or 4 + 2·p (high) + l / 4 of the half's eight. */
        static final VectorShuffle<Float> RUNS_0 = runScales(0), RUNS_2 = runScales(2), RUNS_4 = runScales(4), RUNS_6 = runScales(6);
    }

    /**
     * Each byte's low nibble of {@code lowBits} with bits 0-1 of {@code top}'s byte as bits 4-5: a 6-bit value, under
     * two bits the kernel's mask leaves out.
     */
    private static IntVector lowValues(IntVector lowBits, IntVector top) {
        return lowBits.lanewise(VectorOperators.BITWISE_BLEND, top.lanewise(VectorOperators.LSHL, 4), 0x30303030);
    }

    /** As {@link #lowValues} for each byte's high nibble, with bits 4-5 of {@code top}'s byte. */
    private static IntVector highValues(IntVector lowBits, IntVector top) {
        return lowBits.lanewise(VectorOperators.LSHR, 4).lanewise(VectorOperators.BITWISE_BLEND, top, 0x30303030);
    }

    /** Lane l takes scale {@code first + l / 4}: four lanes hold four values of one 16-value run. */
    private static VectorShuffle<Float> runScales(int first) {
        return VectorShuffle.fromOp(F, l -> first + l / 4);
    }

    /**
     * Writes values l to l + lanes of one quarter (32 values) of a half, minus 32 and times {@code scale}, to dst: the
     * low (quarters 0, 1) or high (2, 3) nibble of ql[l + 32·(quarter % 2)] and bits 2·quarter, 2·quarter + 1 of
     * qh[l]. It returns nothing, so that no vector is boxed should C2 not inline it.
     */
    private void dequantizeQuarter(long block, int half, int quarter, int l, float scale, float[] dst, int at) {
        IntVector low = unsignedBytes(block + 64 * half + 32 * (quarter & 1) + l);
        IntVector high = unsignedBytes(block + 128 + 32 * half + l);
        IntVector nibble = low.lanewise(VectorOperators.LSHR, 4 * (quarter >> 1)).and(0xf);
        IntVector q = nibble.or(high.lanewise(VectorOperators.LSHR, 2 * quarter).and(3).lanewise(VectorOperators.LSHL, 4));
        ((FloatVector) q.convert(VectorOperators.I2F, 0)).sub(32f).mul(scale).intoArray(dst, at);
    }

    /**
     * Quantizes {@code blocks} super-blocks as the reference does without an importance matrix
     * ({@code quantize_row_q6_K_ref}): each 16 values get codes and a scale from {@link KQuantSearch#signedCodes}, the
     * scales go to signed 8 bits under d (the largest maps to -128), then the codes are redone with the stored scales.
     */
    static void quantize(float[] src, int srcOffset, int blocks, byte[] dst, int dstOffset) {
        float[] scales = new float[16];
        int[] q = new int[256];
        for (int b = 0; b < blocks; b++) {
            int from = srcOffset + 256 * b, at = dstOffset + BLOCK_BYTES * b;
            float maxScale = 0f, maxAbsScale = 0f;
            for (int s = 0; s < 16; s++) {
                scales[s] = KQuantSearch.signedCodes(16, 32, src, from + 16 * s, q, 16 * s);
                if (Math.abs(scales[s]) > maxAbsScale) {
                    maxAbsScale = Math.abs(scales[s]);
                    maxScale = scales[s];
                }
            }
            java.util.Arrays.fill(dst, at, at + BLOCK_BYTES, (byte) 0);
            if (maxAbsScale < KQuantSearch.GROUP_MAX_EPS) {
                continue;
            }
            float iscale = -128f / maxScale;
            Quantizers.putShort(dst, at + 208, Float.floatToFloat16(1f / iscale));
            float d = KQuantSearch.fp16(1f / iscale);
            for (int s = 0; s < 16; s++) {
                byte sc = (byte) Math.min(127, KQuantSearch.nearestInt(iscale * scales[s]));
                dst[at + 192 + s] = sc;
                float step = d * sc;
                if (step == 0f) {
                    continue;
                }
                for (int i = 16 * s; i < 16 * s + 16; i++) {
                    q[i] = Math.clamp(KQuantSearch.nearestInt(src[from + i] / step), -32, 31) + 32;
                }
            }
            for (int half = 0; half < 2; half++) {
                for (int l = 0; l < 32; l++) {
                    int base = 128 * half + l;
                    int q1 = q[base], q2 = q[base + 32], q3 = q[base + 64], q4 = q[base + 96];
                    dst[at + 64 * half + l] = (byte) ((q1 & 0xF) | (q3 & 0xF) << 4);
                    dst[at + 64 * half + 32 + l] = (byte) ((q2 & 0xF) | (q4 & 0xF) << 4);
                    dst[at + 128 + 32 * half + l] = (byte) ((q1 >>> 4) | (q2 >>> 4) << 2 | (q3 >>> 4) << 4 | (q4 >>> 4) << 6);
                }
            }
        }
    }
}
