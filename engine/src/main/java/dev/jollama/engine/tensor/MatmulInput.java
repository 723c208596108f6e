package dev.jollama.engine.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * The right-hand side of a matrix product: {@link #count()} vectors of {@link #width()} floats, one per token,
 * row-major. Sized once for the largest count a user needs, so the per-token loop allocates nothing.
 *
 * <p>Inputs stay in float, but one vector (a decode step's) times Q4_0 or Q4_K weights, which takes it quantized to
 * 8 bits as ggml's CPU kernels do ({@link #quantized}): there the {@link RowGroupsTensor} one-vector kernels multiply
 * nibbles and 8-bit values in 16-bit lanes, twice as many per instruction as floats, with no conversion per value
 * (and the goldens of 4-bit files came closer: gemma2 Q4_K_M mean 0.166 -> 0.078). Several vectors stay in float:
 * quantized, prompts ran 4-7% slower and four sequences decoding at once 5-10%. Elsewhere converting them (Q8_0 for
 * Q8_0/Q4_0/Q5_0 weights, Q8_K for K-quants; also with an F16 KV cache) was tried three times: the goldens came no
 * closer on the whole (llama Q8_0 mean 0.053 float, 0.055-0.056 emulated), since any tiny difference upstream flips
 * some roundings, each worth a whole quantization step, and the 8-bit path was not faster either (Q8_0 14 GB/s in
 * cache both).
 */
public final class MatmulInput {
    private final int width;
    private final int capacity;
    private int count = 1;
    final float[] values;
    /** Sums of each 16 and of each 32 values of vector 0, and its nibble split, each computed once per new values. */
    private final float[] sums16;
    private final float[] sums32;
    private final float[] nibbleSplit;
    private final float[] nibbleOrdered;
    /** This vector quantized ({@link #quantized}): an input of its own, and the block size it holds (0: none yet). */
    private MatmulInput quantized;
    private int quantizedBlock;
    /** In a quantized input, its vector packed for the row groups' one-vector kernels, its block scales and sums. */
    private final int[] quantizedPairs;
    private final float[] quantizedScales;
    private final float[] quantizedSums;
    /** Every vector quantized in blocks of 32 ({@link #quantizeVectors}), for prompts' 16-bit bands; made on first use. */
    private int[] vectorPairs;
    private float[] vectorScales;
    private float[] vectorSums;
    private boolean vectorsQuantizedReady;
    /** Vector 0 in each {@link PackedLanes} order, for the K-quant decode kernels; made on first use. */
    private final float[][] laneOrdered = new float[PackedLanes.values().length][];
    private final boolean[] laneOrderedReady = new boolean[PackedLanes.values().length];
    private boolean sumsReady;
    private float[] fourVectorSums;
    private boolean nibbleSplitReady;
    private boolean nibbleOrderedReady;
    /** The first {@link #WIDE_GROUP}-vector groups transposed (see {@link #transposedGroups()}); made on first use. */
    private float[] transposed;
    private boolean transposedReady;
    /** The last vectors, from {@link #singlesFrom}, each copied out as an input of its own (see {@link #single}). */
    private final MatmulInput[] singles = new MatmulInput[MAX_SINGLES];
    /** The first vector in {@link #singles}; -1 until copied for the current values. */
    private int singlesFrom = -1;

    /** Vectors per group in {@link #transposedGroups()}: four float vectors of 16 lanes. */
    static final int WIDE_GROUP = 64;
    /**
     * At most this many vectors are copied out as inputs of their own (see {@link FloatTensor#tiledVectors} and
     * {@link FloatTensor#takesFourVectors}).
     */
    static final int MAX_SINGLES = 4;
    /** Added to and taken away from a float below 2^22, rounds it to an integer, half to even. */
    private static final float ROUNDING = 0x1.8p23f;

    public MatmulInput(int width, int capacity) {
        this.width = width;
        this.capacity = capacity;
        this.values = new float[Math.multiplyExact(width, capacity)];
        this.sums16 = new float[width / 16];
        this.sums32 = new float[(width + 255) / 256 * FloatTensor.F.length()];
        this.nibbleSplit = new float[width / 32 * 32];
        this.nibbleOrdered = new float[width / 32 * 32];
        this.quantizedPairs = new int[width / 32 * 16];
        this.quantizedScales = new float[width / 32];
        this.quantizedSums = new float[width / 32];
    }

    public int width() {
        return width;
    }

    public int capacity() {
        return capacity;
    }

    public int count() {
        return count;
    }

    /** The values, vector t at t·width; the caller writes them and then sets {@link #count(int)} (even if unchanged). */
    public float[] values() {
        return values;
    }

    /** How many vectors, from the first, the next products read. */
    public void count(int count) {
        if (count < 1 || count > capacity) {
            throw new IllegalArgumentException("count " + count + " outside 1.." + capacity);
        }
        this.count = count;
        this.sumsReady = false;
        this.nibbleSplitReady = false;
        this.nibbleOrderedReady = false;
        this.quantizedBlock = 0;
        this.vectorsQuantizedReady = false;
        Arrays.fill(laneOrderedReady, false);
        this.transposedReady = false;
        this.singlesFrom = -1;
    }

    /**
     * Copies each vector from {@code from} to the last out as an input of one vector, for the decode kernels (which
     * read vector 0 and what is computed from it): once per new input, before threads share them ({@link Matmul}
     * does it first). At most {@link #MAX_SINGLES} vectors.
     */
    void copySingles(int from) {
        if (count - from > MAX_SINGLES || from < 0) {
            throw new IllegalArgumentException("vectors " + from + ".." + count + " are more than " + MAX_SINGLES + " to copy out");
        }
        if (singlesFrom != from) {
            for (int t = from; t < count; t++) {
                MatmulInput single = singles[t - from];
                if (single == null) {
                    single = singles[t - from] = new MatmulInput(width, 1);
                }
                System.arraycopy(values, t * width, single.values, 0, width);
                single.count(1);
            }
            singlesFrom = from;
        }
    }

    /**
     * For the four-vector kernels ({@link FloatTensor#dotRowFourVectors}): the sum of each 32 values of vectors 0 to 3,
     * block by block, value {@code 4b + t} the sum of block b of vector t (of three vectors, the third again as the
     * fourth), so that one 4-lane load takes a block's four sums. Valid after {@link #computeFourVectorSums()}.
     */
    float[] fourVectorSums() {
        return fourVectorSums;
    }

    /** Gathers {@link #fourVectorSums()} from the singles' {@link #sums16()}, which must be computed already. */
    void computeFourVectorSums() {
        int blocks = width / 32;
        if (fourVectorSums == null) {
            fourVectorSums = new float[4 * blocks];
        }
        for (int t = 0; t < 4; t++) {
            float[] sums = single(Math.min(t, count - 1)).sums16;
            for (int b = 0; b < blocks; b++) {
                fourVectorSums[4 * b + t] = sums[2 * b] + sums[2 * b + 1];
            }
        }
    }

    /** Vector t as an input of its own, as {@link #copySingles} left it. */
    MatmulInput single(int t) {
        return singles[t - singlesFrom];
    }

    /**
     * Sums of each run of 16 values of vector 0: kernels use them to apply a block's offset (the -32 of Q6_K) once per
     * block instead of once per value. Valid after {@link #computeSums()}.
     */
    float[] sums16() {
        return sums16;
    }

    /**
     * Sums of each run of 32 values of vector 0 (for the mins of Q4_K), as {@link #sums16()}: the eight of each 256
     * values start a float vector, zeros fill the rest of it.
     */
    float[] sums32() {
        return sums32;
    }

    /**
     * Vector 0 rearranged for Q4_0, whose byte j of a block holds the low nibble of value j and the high nibble of
     * value j + 16: per 32 values, the first 16 less a sixteenth of the second 16, then the second 16 over 16.
     * Then low·x[j] + high·x[j + 16] = low·split[j] + byte·split[j + 16] (byte = low + 16·high), which saves a
     * kernel the shift that extracts the high nibbles. Valid after {@link #computeNibbleSplit()}.
     */
    float[] nibbleSplit() {
        return nibbleSplit;
    }

    /** Computes {@link #nibbleSplit()} once per new input, as {@link #computeSums()}. */
    void computeNibbleSplit() {
        if (!nibbleSplitReady) {
            for (int g = 0; g < width / 32; g++) {
                for (int i = 32 * g; i < 32 * g + 16; i++) {
                    float sixteenth = values[i + 16] / 16f;
                    nibbleSplit[i] = values[i] - sixteenth;
                    nibbleSplit[i + 16] = sixteenth;
                }
            }
            nibbleSplitReady = true;
        }
    }

    /**
     * Vector 0 in the order the {@link RowGroupsTensor} four-vector kernels take a block's nibbles (a Q4_K sub-block's
     * as a Q4_0 block's), scaled to match: per 32 values, position {@code 8·v + 2·b + h} holds the value nibble h (0:
     * low) of byte b of int lane v holds ({@link RowGroupsTensor#eightNibbles}: value {@code 8·v + 4·(b % 2) + b / 2 + 2·h})
     * times 256^-b. Valid after {@link #computeNibbleOrder()}.
     */
    float[] nibbleOrdered() {
        return nibbleOrdered;
    }

    /** Computes {@link #nibbleOrdered()} once per new input, as {@link #computeSums()}. */
    void computeNibbleOrder() {
        if (!nibbleOrderedReady) {
            for (int block = 0; block < width; block += 32) {
                for (int v = 0; v < 4; v++) {
                    for (int b = 0; b < 4; b++) {
                        float scale = Math.scalb(1f, -8 * b);
                        int value = block + 8 * v + 4 * (b % 2) + b / 2;
                        nibbleOrdered[block + 8 * v + 2 * b] = values[value] * scale;
                        nibbleOrdered[block + 8 * v + 2 * b + 1] = values[value + 2] * scale;
                    }
                }
            }
            nibbleOrderedReady = true;
        }
    }

    /**
     * In a {@link #quantized} input, its 8-bit values as 16-bit values, two per int: int k holds value 2k in
     * its low half and value 2k + 1 in its high half, what the {@link RowGroupsTensor} one-vector kernels multiply
     * one nibble position of an int lane by ({@link RowGroupsTensor#nibbles}).
     */
    int[] quantizedPairs() {
        return quantizedPairs;
    }

    /** The scale of each block of {@link #quantizedPairs()}, block b's at b (of 256-value blocks the first width/256). */
    float[] quantizedScales() {
        return quantizedScales;
    }

    /** Each 32 quantized values' sum times their scale (Σ of the values as the products see them). */
    float[] quantizedSums() {
        return quantizedSums;
    }

    /**
     * This input's one vector as ggml's x86 kernels take it for the weights of Q4_0 (blocks of 32 as Q8_0: scale
     * max|x|/127 kept as fp16, values times 127/max|x|) and Q4_K (blocks of 256 as Q8_K: scale -max/127 of the value
     * largest in magnitude, values times its inverse, at most 127), rounded half to even to 8-bit values, each then
     * times its block's scale: an input of its own, made once per new values, which also holds the 8-bit values
     * packed for the {@link RowGroupsTensor} one-vector kernels ({@link #quantizedPairs}).
     */
    MatmulInput quantized(int blockSize) {
        if (count != 1) {
            throw new IllegalStateException("only one vector is quantized, not " + count);
        }
        if (quantizedBlock != blockSize) {
            if (quantized == null) {
                quantized = new MatmulInput(width, 1);
            }
            quantize(blockSize, quantized);
            quantized.count(1);
            quantizedBlock = blockSize;
        }
        return quantized;
    }

    /** Vector 0 quantized in blocks of {@code blockSize} into {@code into}, packed, with its scales and sums. */
    private void quantize(int blockSize, MatmulInput into) {
        quantize(0, blockSize, into.values, into.quantizedPairs, into.quantizedScales, into.quantizedSums);
    }

    /**
     * Every vector quantized as {@link #quantized} quantizes one in blocks of 32 (Q8_0), for the row groups' prompt
     * kernels ({@link RowGroupsTensor#pairBandTimesFourVectors}): vector t's pairs from t·width/2 in
     * {@link #vectorPairs()}, its block scales and sums from t·width/32 in {@link #vectorScales()} and
     * {@link #vectorSums()}. Computed once per new input, before threads share it ({@link Matmul} asks first).
     */
    void quantizeVectors() {
        if (!vectorsQuantizedReady) {
            if (vectorPairs == null) {
                vectorPairs = new int[capacity * (width / 32) * 16];
                vectorScales = new float[capacity * (width / 32)];
                vectorSums = new float[capacity * (width / 32)];
            }
            for (int t = 0; t < count; t++) {
                quantize(t, 32, null, vectorPairs, vectorScales, vectorSums);
            }
            vectorsQuantizedReady = true;
        }
    }

    int[] vectorPairs() {
        return vectorPairs;
    }

    float[] vectorScales() {
        return vectorScales;
    }

    float[] vectorSums() {
        return vectorSums;
    }

    /**
     * Vector t quantized in blocks of {@code blockSize}: its 8-bit values times their scale to {@code dequantized} (if
     * not null) and packed to {@code pairs}, its block scales and sums of 32 to {@code scales} and {@code sums}, each
     * from where vector t's part of them starts (arrays for one vector: t = 0).
     */
    private void quantize(int t, int blockSize, float[] dequantized, int[] pairs, float[] scales, float[] sums) {
        VectorSpecies<Float> f = FloatTensor.F;
        int at = t * width;
        for (int from = 0; from < width; from += blockSize) {
            FloatVector largest = FloatVector.zero(f);
            for (int i = from; i < from + blockSize; i += f.length()) {
                largest = largest.max(FloatVector.fromArray(f, values, at + i).abs());
            }
            float amax = largest.reduceLanes(VectorOperators.MAX), scale, inverse;
            if (blockSize == 32) {
                scale = Float.float16ToFloat(Float.floatToFloat16(amax / 127f));
                inverse = amax != 0f ? 127f / amax : 0f;
            } else {
                int k = from;
                while (k < from + blockSize - 1 && Math.abs(values[at + k]) != amax) {
                    k++;
                }
                inverse = amax != 0f ? -127f / values[at + k] : 0f;
                scale = amax != 0f ? 1f / inverse : 0f;
            }
            scales[t * (width / blockSize) + from / blockSize] = scale;
            for (int unit = from; unit < from + blockSize; unit += 32) {
                IntVector sum = IntVector.zero(FloatTensor.I);
                for (int i = unit; i < unit + 32; i += f.length()) {
                    IntVector q = ((IntVector) FloatVector.fromArray(f, values, at + i).mul(inverse).add(ROUNDING).sub(ROUNDING)
                            .convert(VectorOperators.F2I, 0)).min(127);
                    if (dequantized != null) {
                        ((FloatVector) q.convert(VectorOperators.I2F, 0)).mul(scale).intoArray(dequantized, i);
                    }
                    sum = sum.add(q);
                    q.convertShape(VectorOperators.I2S, FloatTensor.SH, 0).reinterpretAsInts().intoArray(pairs, (at + i) / 2);
                }
                sums[(at + unit) / 32] = scale * sum.reduceLanes(VectorOperators.ADD);
            }
        }
    }

    /** Vector 0 in {@code order}, scaled to match. Valid after {@link #computeLaneOrder}. */
    float[] laneOrdered(PackedLanes order) {
        return laneOrdered[order.ordinal()];
    }

    /**
     * Computes {@link #laneOrdered} once per new input, as {@link #computeSums()}: for the decode kernels only, so when
     * there is one input vector of whole 256-value super-blocks (otherwise no kernel reads it).
     */
    void computeLaneOrder(PackedLanes order) {
        int i = order.ordinal();
        if (count == 1 && width % 256 == 0 && !laneOrderedReady[i]) {
            if (laneOrdered[i] == null) {
                laneOrdered[i] = new float[width];
            }
            order.reorder(values, width, laneOrdered[i]);
            laneOrderedReady[i] = true;
        }
    }

    /**
     * Computes the sums of vector 0 once per new input, before threads share them (see
     * {@link FloatTensor#prepare}). The getters do not compute: kernels inline them, and a computing loop in each
     * would count against C2's inlining node budget of the kernel.
     */
    void computeSums() {
        if (!sumsReady) {
            for (int g = 0; g < sums16.length; g++) {
                float sum = 0f;
                for (int i = 16 * g; i < 16 * g + 16; i++) {
                    sum += values[i];
                }
                sums16[g] = sum;
            }
            int lanes = FloatTensor.F.length();
            for (int g = 0; g < width / 32; g++) {
                sums32[g / 8 * lanes + g % 8] = sums16[2 * g] + sums16[2 * g + 1];
            }
            sumsReady = true;
        }
    }

    /**
     * The vectors in groups of {@link #WIDE_GROUP} (the last group may be partial, zero up to the group kernel's next
     * whole step; the file layout's tiles take the first {@link FloatKernels#groupedCount}, a copy's bands all of
     * them), each group transposed: value k of vector
     * {@code g·WIDE_GROUP + j} at {@code g·WIDE_GROUP·width + k·WIDE_GROUP + j}, so that one load reads value k of 16
     * vectors. Computed once per new input, before threads share it ({@link Matmul} asks first).
     */
    float[] transposedGroups() {
        if (!transposedReady) {
            if (FloatKernels.GROUPS) {
                if (transposed == null) {
                    transposed = new float[(capacity + WIDE_GROUP - 1) / WIDE_GROUP * WIDE_GROUP * width];
                }
                for (int g = 0; g * WIDE_GROUP < count; g++) {
                    int base = g * WIDE_GROUP * width;
                    int vectors = Math.min(WIDE_GROUP, count - g * WIDE_GROUP);
                    int step = FloatKernels.GROUP_STEP, padded = (vectors + step - 1) / step * step;
                    // 16 values of each vector at a time: the 16 rows of the result they go to stay in cache.
                    for (int k0 = 0; k0 < width; k0 += 16) {
                        int k1 = Math.min(width, k0 + 16);
                        for (int j = 0; j < vectors; j++) {
                            int from = base + j * width;
                            for (int k = k0; k < k1; k++) {
                                transposed[base + k * WIDE_GROUP + j] = values[from + k];
                            }
                        }
                    }
                    for (int k = 0, at = base; k < width; k++, at += WIDE_GROUP) {
                        Arrays.fill(transposed, at + vectors, at + padded, 0f);
                    }
                }
            }
            transposedReady = true;
        }
        return transposed;
    }
}
