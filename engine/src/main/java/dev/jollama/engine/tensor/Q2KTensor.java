package dev.jollama.engine.tensor;

import dev.jollama.engine.gguf.GgmlType;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;

import java.lang.foreign.MemorySegment;

/**
 * Q2_K: super-blocks of 256 values in 84 bytes: 16 scale bytes, 64 bytes of 2-bit codes, then fp16 d and dmin.
 * Group g (16 values, v / 16) has scale byte g: low nibble its scale, high nibble its min. Value v = 128n + 32j + m
 * (m below 32) is bits 2j, 2j + 1 of byte 32n + m of the codes; w = d·sc·q - dmin·min, each factor first.
 */
public final class Q2KTensor extends FloatTensor {
    private static final int BLOCK_BYTES = 84;

    Q2KTensor(MemorySegment data, long size) {
        super(data, size);
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q2_K;
    }

    /** The 2-bit code of value i (0..255) of the super-block at {@code block}. */
    private int code(long block, int i) {
        return (uint8(block + 16 + 32 * (i / 128) + i % 32) >>> 2 * (i % 128 / 32)) & 3;
    }

    @Override
    public float getFloat(long index) {
        long block = (index / 256) * BLOCK_BYTES;
        int i = (int) (index % 256);
        int scale = uint8(block + i / 16);
        float factor = f16(block + 80) * (scale & 0xF), min = f16(block + 82) * (scale >>> 4);
        return factor * code(block, i) - min;
    }

    @Override
    protected float dotBlocks(long firstBlock, float[] x, int xOffset, int blockCount) {
        float sum = 0f;
        for (int b = 0; b < blockCount; b++) {
            long block = (firstBlock + b) * BLOCK_BYTES;
            float d = f16(block + 80), dmin = f16(block + 82);
            for (int g = 0; g < 16; g++) {
                int scale = uint8(block + g);
                float dot = 0f, xSum = 0f;
                for (int i = 16 * g; i < 16 * g + 16; i++) {
                    float xi = x[xOffset + 256 * b + i];
                    dot += code(block, i) * xi;
                    xSum += xi;
                }
                sum += d * (scale & 0xF) * dot - dmin * (scale >>> 4) * xSum;
            }
        }
        return sum;
    }

    @Override
    protected void dequantize(long firstBlock, int blocks, float[] dst, int dstOffset) {
        for (int b = 0; b < blocks; b++) {
            long block = (firstBlock + b) * BLOCK_BYTES;
            float d = f16(block + 80), dmin = f16(block + 82);
            for (int n = 0; n < 2; n++) {
                for (int j = 0; j < 4; j++) {
                    for (int h = 0; h < 2; h++) {
                        int scale = uint8(block + 8 * n + 2 * j + h);
                        dequantizeRun(block + 16 + 32 * n + 16 * h, 2 * j, d * (scale & 0xF), dmin * (scale >>> 4), dst,
                                dstOffset + 256 * b + 128 * n + 32 * j + 16 * h);
                    }
                }
            }
        }
    }

    /**
     * Writes the 16 values in bits {@code shift}, shift + 1 of the 16 bytes at {@code bytes}, times factor less min,
     * to dst from {@code at}. It returns nothing, so that no vector is boxed should C2 not inline it.
     */
    private void dequantizeRun(long bytes, int shift, float factor, float min, float[] dst, int at) {
        for (int l = 0; l < 16; l += F.length()) {
            IntVector q = unsignedBytes(bytes + l).lanewise(VectorOperators.LSHR, shift).and(3);
            ((FloatVector) q.convert(VectorOperators.I2F, 0)).mul(factor).sub(min).intoArray(dst, at + l);
        }
    }

    @Override
    void prepare(MatmulInput in) {
        super.prepare(in);
        in.computeLaneOrder(PackedLanes.Q2_K);
    }

    /**
     * A super-block's 64 bytes of codes as 16 int lanes (two 32-byte loads with 8 lanes) in the order of
     * {@link PackedLanes#Q2_K}: the codes of bits 2j, 2j + 1 of each byte are picked out in place (a shift per j, then
     * per 16 values a mask, a conversion and a multiply-add); lanes 0-3, 4-7, 8-11 and 12-15 of code j's dot each
     * hold one 16-value group, so the group factors d·sc apply as a vector rearranged from the super-block's sixteen,
     * and the mins through the input's sums: Σ (d·sc·q - dmin·m)·x = Σ d·sc·(Σ q·x) - Σ dmin·m·(Σ x). Per super-block
     * (16 lanes) 56 vector instructions for the codes and about 15 for its factors and mins.
     */
    @Override
    protected void dotRows(long firstBlock, long rowStride, int blocks, MatmulInput in, float[] out, int outIndex, int outStride, float[] scratch) {
        float[] x = in.laneOrdered(PackedLanes.Q2_K);
        float[] sums16 = in.sums16();
        FloatVector acc = FloatVector.zero(F), minAcc = acc;
        int touched = 0;
        for (int b = 0; b < blocks; b++) {
            long block = (firstBlock + b) * BLOCK_BYTES;
            touched += touchAhead(block) + touchAhead(block + 64);
            factorsToScratch(block, sums16, b, scratch);
            for (int n = 0; n < 16 / F.length(); n++) {
                minAcc = minAcc.add(FloatVector.fromArray(F, scratch, MINS + F.length() * n));
                FloatVector factors = FloatVector.fromArray(F, scratch, SCALES + F.length() * n);
                IntVector codes = IntVector.fromMemorySegment(I, data, block + 16 + 32 * n, LE);
                for (int step = 0; step < 2; step++) { // one call site: two went past C2's inlining budget (boxed)
                    acc = packedDots(codes.lanewise(VectorOperators.LSHR, 4 * step), codes.lanewise(VectorOperators.LSHR, 4 * step + 2), 3,
                            x, 256 * b + 128 * step + 8 * n, factors.rearrange(step == 0 ? Lanes.CODE_0 : Lanes.CODE_2),
                            factors.rearrange(step == 0 ? Lanes.CODE_1 : Lanes.CODE_3), acc);
                }
            }
        }
        scratch[0] = touched;
        out[outIndex] = acc.sub(minAcc).reduceLanes(VectorOperators.ADD);
    }

    /** Where {@link #factorsToScratch} leaves the weighted mins: after the factors, 16 floats on. */
    private static final int MINS = SCALES + 16;

    /**
     * The super-block's 16 factors d·sc to {@code scratch} from {@link #SCALES} and its mins times dmin times the
     * input's sums of 16 from {@link #MINS}, in vector operations. It returns nothing, so that no vector is boxed
     * should C2 not inline it.
     */
    private void factorsToScratch(long block, float[] sums16, int b, float[] scratch) {
        float d = f16(block + 80), dmin = f16(block + 82);
        for (int n = 0; n < 16; n += F.length()) {
            IntVector scales = unsignedBytes(block + n);
            ((FloatVector) scales.and(0xf).convert(VectorOperators.I2F, 0)).mul(d).intoArray(scratch, SCALES + n);
            ((FloatVector) scales.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).mul(dmin)
                    .mul(FloatVector.fromArray(F, sums16, 16 * b + n)).intoArray(scratch, MINS + n);
        }
    }

    /**
     * Which of the factors each lane of code j's dot takes: with 16 lanes lane l holds values of group
     * 8·(l / 8) + 2j + (l % 8) / 4; with 8 lanes (a half's factors) group 2j + l / 4.
     */
    static final class Lanes {
        static final VectorShuffle<Float> CODE_0 = groups(0), CODE_1 = groups(1), CODE_2 = groups(2), CODE_3 = groups(3);

        private static VectorShuffle<Float> groups(int j) {
            return VectorShuffle.fromOp(F, l -> 8 * (l / 8) + 2 * j + l % 8 / 4);
        }
    }

    /**
     * Quantizes {@code blocks} super-blocks as the reference does without an importance matrix
     * ({@code quantize_row_q2_K_ref}): each 16 values get codes, a scale and a min from
     * {@link KQuantSearch#codesWithMin} (weights |x|, absolute error); scales and mins go to 4 bits under fp16 d and
     * dmin (the largest at 15), then the codes are redone with the stored ones.
     */
    static void quantize(float[] src, int srcOffset, int blocks, byte[] dst, int dstOffset) {
        float[] scales = new float[16], mins = new float[16], weights = new float[16];
        int[] q = new int[256], scratch = new int[16];
        for (int b = 0; b < blocks; b++) {
            int from = srcOffset + 256 * b, at = dstOffset + BLOCK_BYTES * b;
            float maxScale = 0f, maxMin = 0f;
            for (int g = 0; g < 16; g++) {
                for (int l = 0; l < 16; l++) {
                    weights[l] = Math.abs(src[from + 16 * g + l]);
                }
                scales[g] = KQuantSearch.codesWithMin(16, 3, src, from + 16 * g, weights, q, 16 * g, scratch, mins, g, -0.5f, 0.1f, 15, true);
                if (scales[g] > maxScale) {
                    maxScale = scales[g];
                }
                if (mins[g] > maxMin) {
                    maxMin = mins[g];
                }
            }
            int[] packed = new int[16];
            if (maxScale > 0f) {
                float iscale = 15f / maxScale;
                for (int g = 0; g < 16; g++) {
                    packed[g] = KQuantSearch.nearestInt(iscale * scales[g]);
                }
            }
            if (maxMin > 0f) {
                float iscale = 15f / maxMin;
                for (int g = 0; g < 16; g++) {
                    packed[g] |= KQuantSearch.nearestInt(iscale * mins[g]) << 4;
                }
            }
            float d = maxScale > 0f ? maxScale / 15f : 0f, dmin = maxMin > 0f ? maxMin / 15f : 0f;
            Quantizers.putShort(dst, at + 80, Float.floatToFloat16(d));
            Quantizers.putShort(dst, at + 82, Float.floatToFloat16(dmin));
            for (int g = 0; g < 16; g++) {
                dst[at + g] = (byte) packed[g];
                float step = KQuantSearch.fp16(d) * (packed[g] & 0xF);
                if (step == 0f) {
                    continue;
                }
                float offset = KQuantSearch.fp16(dmin) * ((packed[g] & 0xFF) >>> 4);
                for (int i = 16 * g; i < 16 * g + 16; i++) {
                    q[i] = Math.clamp(KQuantSearch.nearestInt((src[from + i] + offset) / step), 0, 3);
                }
            }
            for (int half = 0; half < 2; half++) {
                for (int l = 0; l < 32; l++) {
                    int base = 128 * half + l;
                    dst[at + 16 + 32 * half + l] = (byte) (q[base] | q[base + 32] << 2 | q[base + 64] << 4 | q[base + 96] << 6);
                }
            }
        }
    }
}
