package dev.jollama.engine.tensor;

import dev.jollama.engine.gguf.GgmlType;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;

/**
 * Q5_K: super-blocks of 256 values in 176 bytes: fp16 d, fp16 dmin, 12 bytes of scales and mins
 * ({@link KQuantScales}), 32 bytes of fifth bits qh, 128 bytes of nibbles. As Q4_K, plus 16 when the fifth bit is
 * set: for group g, the low half reads bit 2g of qh[l], the high half bit 2g+1.
 */
public final class Q5KTensor extends FloatTensor {
    private static final int BLOCK_BYTES = 176;

    Q5KTensor(MemorySegment data, long size) {
        super(data, size);
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q5_K;
    }

    @Override
    public float getFloat(long index) {
        long block = (index / 256) * BLOCK_BYTES;
        int i = (int) (index % 256);
        int group = i / 64;
        int l = i % 32;
        boolean high = (i % 64) >= 32;
        int subBlock = 2 * group + (high ? 1 : 0);
        int packed = uint8(block + 48 + 32 * group + l);
        int q = (high ? packed >>> 4 : packed & 0xF) | ((uint8(block + 16 + l) >>> subBlock) & 1) << 4;
        return f16(block) * KQuantScales.scale(data, block + 4, subBlock) * q
                - f16(block + 2) * KQuantScales.min(data, block + 4, subBlock);
    }

    /** One vector quantized in blocks of 32, as Q6_K's ({@link Q6KTensor#inputFor}), for the row groups' kernels; several as they are. */
    @Override
    MatmulInput inputFor(MatmulInput in) {
        return in.count() == 1 ? in.quantized(32) : in;
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
                long qs = block + 48 + 32 * group;
                float lowDot = 0f, highDot = 0f, lowSum = 0f, highSum = 0f;
                for (int l = 0; l < 32; l++) {
                    int packed = uint8(qs + l);
                    int fifthBits = uint8(block + 16 + l) >>> (2 * group);
                    float xl = x[xg + l], xh = x[xg + 32 + l];
                    lowDot += ((packed & 0xF) | (fifthBits & 1) << 4) * xl;
                    highDot += ((packed >>> 4) | (fifthBits & 2) << 3) * xh;
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
                // One multiply-add, bit for bit as the reference's two operations, as Q4_K's (5-bit q: 22 bits).
                FloatVector lowScale = FloatVector.broadcast(F, d * KQuantScales.at(scales, 2 * group));
                FloatVector lowMin = FloatVector.broadcast(F, -dmin * KQuantScales.at(mins, 2 * group));
                FloatVector highScale = FloatVector.broadcast(F, d * KQuantScales.at(scales, 2 * group + 1));
                FloatVector highMin = FloatVector.broadcast(F, -dmin * KQuantScales.at(mins, 2 * group + 1));
                int at = dstOffset + b * 256 + group * 64;
                for (int l = 0; l < 32; l += I.length()) {
                    IntVector packed = unsignedBytes(block + 48 + 32 * group + l);
                    IntVector fifthBits = unsignedBytes(block + 16 + l).lanewise(VectorOperators.LSHR, 2 * group);
                    IntVector low = packed.and(0xf).or(fifthBits.and(1).lanewise(VectorOperators.LSHL, 4));
                    IntVector high = packed.lanewise(VectorOperators.LSHR, 4).or(fifthBits.and(2).lanewise(VectorOperators.LSHL, 3));
                    ((FloatVector) low.convert(VectorOperators.I2F, 0)).fma(lowScale, lowMin).intoArray(dst, at + l);
                    ((FloatVector) high.convert(VectorOperators.I2F, 0)).fma(highScale, highMin).intoArray(dst, at + 32 + l);
                }
            }
        }
    }

    /**
     * Per group, its nibbles and fifth bits expanded from bytes to int lanes, each value's fifth bit or-ed in before
     * conversion, times x in float lanes, then its sub-blocks' scales (to float lanes once per super-block by
     * {@link KQuantScales#toScratch}); the mins apply through the input's sums, and the accumulators run across
     * super-blocks. The scheme of Q4_K and Q6_K (values picked out of int lanes in place, {@link PackedLanes}) went
     * past C2's inlining node budget with the fifth bits merged in: with 16 lanes vector ops were left as calls (1.5
     * against 6 GB/s in cache).
     */
    @Override
    protected void dotRows(long firstBlock, long rowStride, int blocks, MatmulInput in, float[] out, int outIndex, int outStride, float[] scratch) {
        float[] x = in.values;
        float[] sums32 = in.sums32();
        FloatVector lowAcc = FloatVector.zero(F), highAcc = lowAcc, minAcc = lowAcc;
        int touched = 0;
        for (int b = 0; b < blocks; b++) {
            long block = (firstBlock + b) * BLOCK_BYTES;
            touched += touchAhead(block) + touchAhead(block + 64) + touchAhead(block + 128);
            KQuantScales.toScratch(data, block, sums32, b, scratch);
            minAcc = minAcc.add(FloatVector.fromArray(F, scratch, KQuantScales.MINS));
            for (int pair = 0; pair < 4; pair += 2) { // two loops of two, not one of four: see Q4KTensor.dotRows
                for (int k = 0; k < 2; k++) {
                    int group = pair + k;
                    int g0 = b * 256 + group * 64;
                    FloatVector lowDot = FloatVector.zero(F), highDot = lowDot;
                    for (int j = 0; j < 32; j += F.length()) {
                        IntVector packed = unsignedBytes(block + 48 + 32 * group + j);
                        IntVector fifthBits = unsignedBytes(block + 16 + j).lanewise(VectorOperators.LSHR, 2 * group);
                        IntVector lowQ = packed.and(0xf).or(fifthBits.and(1).lanewise(VectorOperators.LSHL, 4));
                        IntVector highQ = packed.lanewise(VectorOperators.LSHR, 4).or(fifthBits.and(2).lanewise(VectorOperators.LSHL, 3));
                        lowDot = ((FloatVector) lowQ.convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F, x, g0 + j), lowDot);
                        highDot = ((FloatVector) highQ.convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F, x, g0 + 32 + j), highDot);
                    }
                    lowAcc = lowDot.fma(FloatVector.broadcast(F, scratch[SCALES + 2 * group]), lowAcc);
                    highAcc = highDot.fma(FloatVector.broadcast(F, scratch[SCALES + 2 * group + 1]), highAcc);
                }
            }
        }
        scratch[0] = touched;
        out[outIndex] = lowAcc.add(highAcc).sub(minAcc).reduceLanes(VectorOperators.ADD);
    }

    /** Quantizes {@code blocks} super-blocks as the reference does without an importance matrix ({@link KQuantScales#quantize}). */
    static void quantize(float[] src, int srcOffset, int blocks, byte[] dst, int dstOffset) {
        int[] q = new int[256];
        for (int b = 0; b < blocks; b++) {
            int from = srcOffset + 256 * b, at = dstOffset + BLOCK_BYTES * b;
            KQuantScales.quantize(src, from, 31, -0.5f, 15, dst, at, q);
            java.util.Arrays.fill(dst, at + 16, at + 48, (byte) 0);
            for (int group = 0; group < 4; group++) {
                for (int l = 0; l < 32; l++) {
                    int low = q[64 * group + l], high = q[64 * group + 32 + l];
                    dst[at + 16 + l] |= (byte) ((low >>> 4) << (2 * group) | (high >>> 4) << (2 * group + 1));
                    dst[at + 48 + 32 * group + l] = (byte) ((low & 0xF) | (high & 0xF) << 4);
                }
            }
        }
    }
}
