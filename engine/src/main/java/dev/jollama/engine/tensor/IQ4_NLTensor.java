package dev.jollama.engine.tensor;

import dev.jollama.engine.gguf.GgmlType;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * IQ4_NL: blocks of 32 values in 18 bytes: fp16 scale d, then 16 bytes of nibbles in Q4_0's order (value j below 16
 * the low nibble of byte j, value j + 16 its high nibble). Each nibble indexes a fixed non-uniform table of 16
 * levels ({@link #LEVELS}): w = d·T[code].
 */
public final class IQ4_NLTensor extends FloatTensor {
    private static final int BLOCK_BYTES = 18;

    /** The reference's 16 levels (kvalues_iq4nl), also IQ4_XS's. */
    static final byte[] LEVELS = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};

    IQ4_NLTensor(MemorySegment data, long size) {
        super(data, size);
    }

    @Override
    public GgmlType type() {
        return GgmlType.IQ4_NL;
    }

    @Override
    public float getFloat(long index) {
        return Nibbles.value(data, index, Nibbles.Scale.F16, LEVELS);
    }

    @Override
    protected float dotBlocks(long firstBlock, float[] x, int xOffset, int blockCount) {
        return Nibbles.dotBlocks(data, firstBlock, blockCount, Nibbles.Scale.F16, LEVELS, x, xOffset);
    }

    /** Values as {@link #getFloat} gives them (d·T is exact: an fp16 times a 7-bit integer). */
    @Override
    protected void dequantize(long firstBlock, int blocks, float[] dst, int dstOffset) {
        Nibbles.dequantizeBlocks(data, firstBlock, blocks, Nibbles.Scale.F16, Nibbles.LEVELS, Nibbles.LEVEL_BYTES, dst, dstOffset);
    }

    /** A row a block at a time ({@link Nibbles#dotRow}). */
    @Override
    protected void dotRows(long firstBlock, long rowStride, int blocks, MatmulInput in, float[] out, int outIndex, int outStride, float[] scratch) {
        out[outIndex] = Nibbles.dotRow(this, firstBlock, blocks, Nibbles.Scale.F16, Nibbles.LEVELS, Nibbles.LEVEL_BYTES, in.values, scratch);
    }

    /**
     * Table lookups of 16 nibbles in Q4_0's order, for IQ4_NL, IQ4_XS and MXFP4: with 16 lanes from int lanes through a
     * float vector of the levels, with 8 lanes on bytes. Constants made only where they run. IQ4_NL and MXFP4 differ
     * only in their levels and their blocks' scale ({@link Scale}), so their kernels, the scalar reference included,
     * are these.
     */
    static final class Nibbles {
        private Nibbles() {
        }

        /** 16 bytes of packed nibbles. */
        static final VectorSpecies<Byte> BYTES = ByteVector.SPECIES_128;
        /** IQ4_NL's levels as float lanes (16 lanes only). */
        static final FloatVector LEVELS = WIDE ? levels(IQ4_NLTensor.LEVELS) : null;
        /** IQ4_NL's levels as bytes, for the 8-lane lookups. */
        static final ByteVector LEVEL_BYTES = ByteVector.fromArray(BYTES, IQ4_NLTensor.LEVELS, 0);

        static FloatVector levels(byte[] table) {
            float[] values = new float[16];
            for (int i = 0; i < 16; i++) {
                values[i] = table[i];
            }
            return FloatVector.fromArray(F, values, 0);
        }

        /**
         * The levels of the low nibbles of {@code packed} (bytes zero-extended to 16 int lanes): a permute of the
         * levels' bits as int lanes, through selectFrom, which wraps the indexes itself (a shuffle made from the
         * vector, toShuffle, costs a compare and a blend besides: in cache 5.1 against 7.2-7.7 GB/s per core).
         */
        static FloatVector low(IntVector packed, FloatVector levels) {
            return (FloatVector) packed.and(0xf).selectFrom(levels.reinterpretAsInts()).reinterpretAsFloats();
        }

        /** The levels of the high nibbles. */
        static FloatVector high(IntVector packed, FloatVector levels) {
            return (FloatVector) packed.lanewise(VectorOperators.LSHR, 4).selectFrom(levels.reinterpretAsInts()).reinterpretAsFloats();
        }

        /**
         * The levels (as bytes) of the low nibbles of 16 bytes: a byte shuffle. Through selectFrom, which wraps the
         * indexes itself: a shuffle made from the vector (toShuffle) costs a compare and a blend besides, and
         * IQ4_NL's eight-lane kernel ran at 2.4 instead of 5.8 GB/s in cache.
         */
        static ByteVector lowLevels(ByteVector packed, ByteVector levels) {
            return packed.and((byte) 0xf).selectFrom(levels);
        }

        /** The levels of the high nibbles: shifted as 16-bit lanes (x86 has no byte shift), then masked. */
        static ByteVector highLevels(ByteVector packed, ByteVector levels) {
            return packed.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0xf).selectFrom(levels);
        }

        /** Bytes 8·part to 8·part + 7 of {@code levels} as eight floats. */
        static FloatVector part(ByteVector levels, int part) {
            return (FloatVector) levels.convertShape(VectorOperators.B2F, F, part);
        }

        /**
         * Writes the 32 values of the 16 bytes at {@code bytes} of {@code data}, their levels times d, to {@code dst}
         * from {@code at}. It returns nothing, so that no vector is boxed should C2 not inline it (with 8 lanes the
         * tile path of IQ4_NL and MXFP4 allocated when this returned the levels).
         */
        static void dequantize(MemorySegment data, long bytes, FloatVector levels, ByteVector levelBytes, float d, float[] dst, int at) {
            if (WIDE) {
                IntVector packed = (IntVector) ByteVector.fromMemorySegment(BYTES, data, bytes, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                low(packed, levels).mul(d).intoArray(dst, at);
                high(packed, levels).mul(d).intoArray(dst, at + 16);
            } else {
                ByteVector packed = ByteVector.fromMemorySegment(BYTES, data, bytes, LE);
                ByteVector low = lowLevels(packed, levelBytes), high = highLevels(packed, levelBytes);
                part(low, 0).mul(d).intoArray(dst, at);
                part(low, 1).mul(d).intoArray(dst, at + 8);
                part(high, 0).mul(d).intoArray(dst, at + 16);
                part(high, 1).mul(d).intoArray(dst, at + 24);
            }
        }

        /** With 8 lanes, the low levels times x from {@code at} plus the high ones times x from at + 16, lane by lane. */
        static FloatVector eightLaneDot(ByteVector low, ByteVector high, float[] x, int at) {
            FloatVector dot = part(low, 0).mul(FloatVector.fromArray(F, x, at));
            dot = part(low, 1).fma(FloatVector.fromArray(F, x, at + 8), dot);
            dot = part(high, 0).fma(FloatVector.fromArray(F, x, at + 16), dot);
            return part(high, 1).fma(FloatVector.fromArray(F, x, at + 24), dot);
        }

        /** Where a block of IQ4_NL or MXFP4 keeps its scale, and how the scale decodes; the 16 bytes of nibbles follow it. */
        enum Scale {
            /** IQ4_NL: an fp16 d. */
            F16,
            /** MXFP4: an E8M0 byte, read as half its power of two (the levels are doubled). */
            E8M0;

            int bytes() {
                return this == F16 ? 2 : 1;
            }

            float of(MemorySegment data, long block) {
                return this == F16 ? f16(data, block) : MXFP4Tensor.HALF_SCALE[Byte.toUnsignedInt(data.get(ValueLayout.JAVA_BYTE, block))];
            }
        }

        /** The scalar reference's value at a flat index. */
        static float value(MemorySegment data, long index, Scale scale, byte[] levels) {
            long block = (index / 32) * (16 + scale.bytes());
            int j = (int) (index % 32);
            int packed = Byte.toUnsignedInt(data.get(ValueLayout.JAVA_BYTE, block + scale.bytes() + (j & 15)));
            return scale.of(data, block) * levels[j < 16 ? packed & 0xF : packed >>> 4];
        }

        /** The scalar reference's dot product of {@code blockCount} blocks with x. */
        static float dotBlocks(MemorySegment data, long firstBlock, int blockCount, Scale scale, byte[] levels, float[] x, int xOffset) {
            float sum = 0f;
            for (int b = 0; b < blockCount; b++) {
                long block = (firstBlock + b) * (16 + scale.bytes());
                int xb = xOffset + b * 32;
                float blockDot = 0f;
                for (int j = 0; j < 16; j++) {
                    int packed = Byte.toUnsignedInt(data.get(ValueLayout.JAVA_BYTE, block + scale.bytes() + j));
                    blockDot += levels[packed & 0xF] * x[xb + j] + levels[packed >>> 4] * x[xb + j + 16];
                }
                sum += blockDot * scale.of(data, block);
            }
            return sum;
        }

        /** Values as {@link #value} gives them (exact: a level times an fp16 or a power of two). */
        static void dequantizeBlocks(MemorySegment data, long firstBlock, int blocks, Scale scale, FloatVector levels, ByteVector levelBytes, float[] dst, int dstOffset) {
            for (int b = 0; b < blocks; b++) {
                long block = (firstBlock + b) * (16 + scale.bytes());
                dequantize(data, block + scale.bytes(), levels, levelBytes, scale.of(data, block), dst, dstOffset + b * 32);
            }
        }

        /**
         * Input vector 0 ({@code x}) times a row of {@code blocks} IQ4_NL or MXFP4 blocks from {@code firstBlock} of
         * {@code tensor} (a scale, then 16 bytes of nibbles), a block at a time. With 16 lanes a block's 16 bytes go to int lanes and each nibble picks its level from a
         * float vector of the 16 levels (a permute of their bits: no conversion), then multiplies the input: per block 7
         * vector instructions (a zero-extending load, a mask, a shift, two permutes, a multiply and a multiply-add) and a
         * multiply-add by d. With 8 lanes a permute reaches only 8 levels, so the levels are looked up on bytes (one byte
         * shuffle per 16 nibbles) and converted eight at a time: per block a load, three to split the nibbles, two
         * shuffles, four sign-extending conversions (eight instructions) and four multiply-adds.
         */
        static float dotRow(FloatTensor tensor, long firstBlock, int blocks, Scale scale, FloatVector levels, ByteVector levelBytes, float[] x, float[] scratch) {
            FloatVector acc = FloatVector.zero(F);
            int touched = 0;
            for (int b = 0; b < blocks; b++) {
                long block = (firstBlock + b) * (16 + scale.bytes());
                if ((b & 3) == 0) {
                    touched += tensor.touchAhead(block); // once every four blocks (68 or 72 bytes)
                }
                FloatVector dot;
                if (WIDE) {
                    IntVector packed = tensor.unsignedBytes(block + scale.bytes());
                    dot = high(packed, levels).fma(FloatVector.fromArray(F, x, 32 * b + 16), low(packed, levels).mul(FloatVector.fromArray(F, x, 32 * b)));
                } else {
                    ByteVector packed = ByteVector.fromMemorySegment(BYTES, tensor.data, block + scale.bytes(), LE);
                    dot = eightLaneDot(lowLevels(packed, levelBytes), highLevels(packed, levelBytes), x, 32 * b);
                }
                acc = dot.fma(FloatVector.broadcast(F, scale.of(tensor.data, block)), acc);
            }
            scratch[0] = touched;
            return acc.reduceLanes(VectorOperators.ADD);
        }
    }

    /** Quantizes {@code blocks} blocks as the reference does without an importance matrix ({@link #quantizeLevels}). */
    static void quantize(float[] src, int srcOffset, int blocks, byte[] dst, int dstOffset) {
        float[] scale = new float[1];
        int[] codes = new int[32];
        for (int b = 0; b < blocks; b++) {
            int at = dstOffset + BLOCK_BYTES * b;
            float d = quantizeLevels(src, srcOffset + 32 * b, 32, scale, codes);
            Quantizers.putShort(dst, at, Float.floatToFloat16(d));
            for (int j = 0; j < 16; j++) {
                dst[at + 2 + j] = (byte) (codes[j] | codes[16 + j] << 4);
            }
        }
    }

    /**
     * The reference's search for IQ4_NL and IQ4_XS (quantize_row_iq4_nl_impl without an importance matrix, seven
     * tries each way): each 32 values get the scale that minimises the error weighted by x² among the scales that map
     * the value of largest magnitude to a level near -127; with one block that scale is d, with several (IQ4_XS) they
     * go to 6 bits under d = -(largest scale)/32, the codes chosen again for the rounded scale. Writes the 32-value
     * blocks' 6-bit scales (plus 32) to {@code scales} when there are several, the codes to {@code codes}; returns d.
     */
    static float quantizeLevels(float[] x, int from, int n, float[] scales, int[] codes) {
        int groups = n / 32;
        float maxScale = 0f, amaxScale = 0f;
        for (int g = 0; g < groups; g++) {
            int xb = from + 32 * g;
            float amax = 0f, max = 0f;
            for (int j = xb; j < xb + 32; j++) {
                if (Math.abs(x[j]) > amax) {
                    amax = Math.abs(x[j]);
                    max = x[j];
                }
            }
            if (amax < 1e-15f) {
                scales[g] = 0f;
                for (int j = 0; j < 32; j++) {
                    codes[32 * g + j] = 0;
                }
                continue;
            }
            float d = -max / LEVELS[0];
            float id = 1 / d;
            float sumqx = 0f, sumq2 = 0f;
            for (int j = 0; j < 32; j++) {
                int l = bestLevel(id * x[xb + j]);
                codes[32 * g + j] = l;
                float q = LEVELS[l], w = x[xb + j] * x[xb + j];
                sumqx += w * q * x[xb + j];
                sumq2 += w * q * q;
            }
            d = sumqx / sumq2;
            float best = d * sumqx;
            for (int itry = -7; itry <= 7; itry++) {
                id = (itry + LEVELS[0]) / max;
                sumqx = sumq2 = 0f;
                for (int j = 0; j < 32; j++) {
                    float q = LEVELS[bestLevel(id * x[xb + j])], w = x[xb + j] * x[xb + j];
                    sumqx += w * q * x[xb + j];
                    sumq2 += w * q * q;
                }
                if (sumq2 > 0 && sumqx * sumqx > best * sumq2) {
                    d = sumqx / sumq2;
                    best = d * sumqx;
                }
            }
            scales[g] = d;
            if (Math.abs(d) > amaxScale) {
                amaxScale = Math.abs(d);
                maxScale = d;
            }
        }
        if (groups == 1) {
            float d = scales[0];
            float id = d != 0f ? 1 / d : 0f;
            for (int j = 0; j < 32; j++) {
                codes[j] = bestLevel(id * x[from + j]);
            }
            return d;
        }
        float d = -maxScale / 32;
        float id = d != 0f ? 1 / d : 0f;
        for (int g = 0; g < groups; g++) {
            int l = Math.clamp((int) Math.rint(id * scales[g]), -32, 31);
            float dl = d * l;
            float idl = dl != 0f ? 1 / dl : 0f;
            for (int j = 0; j < 32; j++) {
                codes[32 * g + j] = bestLevel(idl * x[from + 32 * g + j]);
            }
            scales[g] = l + 32;
        }
        return d;
    }

    /** The code of the level nearest v (best_index_int8: ties to the upper level). */
    static int bestLevel(float v) {
        if (v <= LEVELS[0]) {
            return 0;
        }
        if (v >= LEVELS[15]) {
            return 15;
        }
        int low = 0, high = 15;
        while (high - low > 1) {
            int mid = (low + high) / 2;
            if (v < LEVELS[mid]) {
                high = mid;
            } else {
                low = mid;
            }
        }
        return v - LEVELS[high - 1] < LEVELS[high] - v ? high - 1 : high;
    }
}
