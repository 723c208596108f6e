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
                FloatVector lowScale = FloatVector.broadcast(F, d * KQuantScales.at(scales, 2 * group));
                FloatVector lowMin = FloatVector.broadcast(F, dmin * KQuantScales.at(mins, 2 * group));
                FloatVector highScale = FloatVector.broadcast(F, d * KQuantScales.at(scales, 2 * group + 1));
                FloatVector highMin = FloatVector.broadcast(F, dmin * KQuantScales.at(mins, 2 * group + 1));
                for (int j = 0; j < 32; j += F.length()) {
                    IntVector packed = unsignedBytes(block + 16 + 32 * group + j);
                    int at = dstOffset + b * 256 + group * 64 + j;
                    low(packed).mul(lowScale).sub(lowMin).intoArray(dst, at);
                    high(packed).mul(highScale).sub(highMin).intoArray(dst, at + 32);
                }
            }
        }
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
            touched += touchAhead(block) + touchAhead(block + 72);
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
            touched += touchAhead(block) + touchAhead(block + 72);
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
