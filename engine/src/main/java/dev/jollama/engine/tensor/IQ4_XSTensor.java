package dev.jollama.engine.tensor;

import dev.jollama.engine.gguf.GgmlType;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;

/**
 * IQ4_XS: super-blocks of 256 values in 136 bytes: fp16 d, 16 bits scales_h, 4 bytes scales_l, 128 bytes of
 * nibbles. Group b (32 values) has a 6-bit scale ls = nibble b of scales_l | bits 2b, 2b+1 of scales_h << 4, and
 * bytes 16b..16b+15 laid out as an IQ4_NL block's (low nibbles its first 16 values, high nibbles its last 16), with
 * IQ4_NL's levels: w = (d·(ls - 32))·T[code], the group's factor first as the reference computes it.
 */
public final class IQ4_XSTensor extends FloatTensor {
    private static final int BLOCK_BYTES = 136;

    IQ4_XSTensor(MemorySegment data, long size) {
        super(data, size);
    }

    @Override
    public GgmlType type() {
        return GgmlType.IQ4_XS;
    }

    /** Group g's scale less 32. */
    private int scale(long block, int group) {
        int low = (uint8(block + 4 + group / 2) >>> 4 * (group % 2)) & 0xF;
        int high = (Short.toUnsignedInt(data.get(SHORT_LE, block + 2)) >>> 2 * group) & 3;
        return (low | high << 4) - 32;
    }

    @Override
    public float getFloat(long index) {
        long block = (index / 256) * BLOCK_BYTES;
        int i = (int) (index % 256), group = i / 32, j = i % 32;
        int packed = uint8(block + 8 + 16 * group + (j & 15));
        float factor = f16(block) * scale(block, group);
        return factor * IQ4_NLTensor.LEVELS[j < 16 ? packed & 0xF : packed >>> 4];
    }

    @Override
    protected float dotBlocks(long firstBlock, float[] x, int xOffset, int blockCount) {
        float sum = 0f;
        for (int b = 0; b < blockCount; b++) {
            long block = (firstBlock + b) * BLOCK_BYTES;
            float d = f16(block);
            for (int group = 0; group < 8; group++) {
                int xg = xOffset + 256 * b + 32 * group;
                long qs = block + 8 + 16 * group;
                float groupDot = 0f;
                for (int j = 0; j < 16; j++) {
                    int packed = uint8(qs + j);
                    groupDot += IQ4_NLTensor.LEVELS[packed & 0xF] * x[xg + j] + IQ4_NLTensor.LEVELS[packed >>> 4] * x[xg + 16 + j];
                }
                sum += d * scale(block, group) * groupDot;
            }
        }
        return sum;
    }

    @Override
    protected void dequantize(long firstBlock, int blocks, float[] dst, int dstOffset) {
        for (int b = 0; b < blocks; b++) {
            long block = (firstBlock + b) * BLOCK_BYTES;
            float d = f16(block);
            for (int group = 0; group < 8; group++) {
                IQ4_NLTensor.Nibbles.dequantize(data, block + 8 + 16 * group, IQ4_NLTensor.Nibbles.LEVELS, IQ4_NLTensor.Nibbles.LEVEL_BYTES,
                        d * scale(block, group), dst, dstOffset + 256 * b + 32 * group);
            }
        }
    }

    /**
     * The eight 6-bit scales of the super-block at {@code block}, one per byte (group g in byte g), from scales_l's
     * nibbles and scales_h's pairs of bits spread out with {@link Long#expand} (a single instruction where the CPU
     * has one, BMI2's pdep).
     */
    private long scales(long block) {
        long low = Long.expand(Integer.toUnsignedLong(data.get(INT_LE, block + 4)), 0x0f0f0f0f0f0f0f0fL);
        long high = Long.expand(Short.toUnsignedLong(data.get(SHORT_LE, block + 2)), 0x3030303030303030L);
        return low | high;
    }

    /**
     * The super-block's eight group factors d·(ls - 32) to {@code scratch} from {@link #SCALES}, in vector operations.
     * It returns nothing, so that no vector is boxed should C2 not inline it.
     */
    private void factorsToScratch(long block, float[] scratch) {
        bytesAsFloats(scales(block)).sub(32f).mul(f16(block)).intoArray(scratch, SCALES);
    }

    /**
     * IQ4_NL's kernel ({@link IQ4_NLTensor.Nibbles#dotRow}) per 32-value group, each group's dot times its factor: the eight
     * factors of a super-block go to float lanes at once (scales spread to bytes, {@link #scales}; converted; less 32;
     * times d) and wait in {@code scratch} to be broadcast. The groups go as two loops of four (see Q5_K's kernel).
     * With 8 lanes see dotRowEightLanes.
     */
    @Override
    protected void dotRows(long firstBlock, long rowStride, int blocks, MatmulInput in, float[] out, int outIndex, int outStride, float[] scratch) {
        if (!WIDE) {
            dotRowEightLanes(firstBlock, blocks, in, out, outIndex, scratch);
            return;
        }
        float[] x = in.values;
        FloatVector acc = FloatVector.zero(F);
        int touched = 0;
        for (int b = 0; b < blocks; b++) {
            long block = (firstBlock + b) * BLOCK_BYTES;
            touched += touchAhead(block) + touchAhead(block + 64) + touchAhead(block + 128);
            factorsToScratch(block, scratch);
            for (int half = 0; half < 8; half += 4) {
                for (int k = 0; k < 4; k++) {
                    int group = half + k, at = 256 * b + 32 * group;
                    IntVector packed = unsignedBytes(block + 8 + 16 * group);
                    FloatVector dot = IQ4_NLTensor.Nibbles.high(packed, IQ4_NLTensor.Nibbles.LEVELS).fma(FloatVector.fromArray(F, x, at + 16),
                            IQ4_NLTensor.Nibbles.low(packed, IQ4_NLTensor.Nibbles.LEVELS).mul(FloatVector.fromArray(F, x, at)));
                    acc = dot.fma(FloatVector.broadcast(F, scratch[SCALES + group]), acc);
                }
            }
        }
        scratch[0] = touched;
        out[outIndex] = acc.reduceLanes(VectorOperators.ADD);
    }

    /**
     * With 8 lanes as with 16, the levels looked up on bytes ({@link IQ4_NLTensor.Nibbles#dotRow}), each group through a
     * helper that adds its scaled dot to an accumulator in {@code scratch} and returns nothing.
     */
    private void dotRowEightLanes(long firstBlock, int blocks, MatmulInput in, float[] out, int outIndex, float[] scratch) {
        float[] x = in.values;
        FloatVector.zero(F).intoArray(scratch, ACC);
        int touched = 0;
        for (int b = 0; b < blocks; b++) {
            long block = (firstBlock + b) * BLOCK_BYTES;
            touched += touchAhead(block) + touchAhead(block + 64) + touchAhead(block + 128);
            factorsToScratch(block, scratch);
            for (int group = 0; group < 8; group++) {
                addScaledDot(block + 8 + 16 * group, x, 256 * b + 32 * group, scratch[SCALES + group], scratch);
            }
        }
        scratch[0] = touched;
        out[outIndex] = FloatVector.fromArray(F, scratch, ACC).reduceLanes(VectorOperators.ADD);
    }

    /** Where the eight-lane kernel keeps its accumulator in {@code scratch}: after the factors. */
    private static final int ACC = SCALES + 16;

    /**
     * With 8 lanes, adds factor times the dot of the 32 values of the 16 bytes at {@code bytes} with x from
     * {@code at} to the accumulator in {@code scratch}, written out without helpers and returning nothing.
     */
    private void addScaledDot(long bytes, float[] x, int at, float factor, float[] scratch) {
        ByteVector packed = ByteVector.fromMemorySegment(IQ4_NLTensor.Nibbles.BYTES, data, bytes, LE);
        ByteVector low = packed.and((byte) 0xf).selectFrom(IQ4_NLTensor.Nibbles.LEVEL_BYTES);
        ByteVector high = packed.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0xf)
                .selectFrom(IQ4_NLTensor.Nibbles.LEVEL_BYTES);
        FloatVector dot = ((FloatVector) low.convertShape(VectorOperators.B2F, F, 0)).mul(FloatVector.fromArray(F, x, at));
        dot = ((FloatVector) low.convertShape(VectorOperators.B2F, F, 1)).fma(FloatVector.fromArray(F, x, at + 8), dot);
        dot = ((FloatVector) high.convertShape(VectorOperators.B2F, F, 0)).fma(FloatVector.fromArray(F, x, at + 16), dot);
        dot = ((FloatVector) high.convertShape(VectorOperators.B2F, F, 1)).fma(FloatVector.fromArray(F, x, at + 24), dot);
        dot.fma(FloatVector.broadcast(F, factor), FloatVector.fromArray(F, scratch, ACC)).intoArray(scratch, ACC);
    }

    /** Quantizes {@code blocks} super-blocks as the reference does without an importance matrix ({@link IQ4_NLTensor#quantizeLevels}). */
    static void quantize(float[] src, int srcOffset, int blocks, byte[] dst, int dstOffset) {
        float[] scales = new float[8];
        int[] codes = new int[256];
        for (int b = 0; b < blocks; b++) {
            int at = dstOffset + BLOCK_BYTES * b;
            float d = IQ4_NLTensor.quantizeLevels(src, srcOffset + 256 * b, 256, scales, codes);
            Quantizers.putShort(dst, at, Float.floatToFloat16(d));
            int high = 0;
            for (int g = 0; g < 8; g++) {
                int ls = (int) scales[g];
                high |= (ls >>> 4) << 2 * g;
                if (g % 2 == 0) {
                    dst[at + 4 + g / 2] = (byte) (ls & 0xF);
                } else {
                    dst[at + 4 + g / 2] |= (byte) ((ls & 0xF) << 4);
                }
            }
            Quantizers.putShort(dst, at + 2, (short) high);
            for (int g = 0; g < 8; g++) {
                for (int j = 0; j < 16; j++) {
                    dst[at + 8 + 16 * g + j] = (byte) (codes[32 * g + j] | codes[32 * g + 16 + j] << 4);
                }
            }
        }
    }
}
