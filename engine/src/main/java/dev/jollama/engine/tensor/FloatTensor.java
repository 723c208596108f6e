package dev.jollama.engine.tensor;

import dev.jollama.engine.gguf.GgmlType;
import dev.jollama.engine.gguf.GgufFormatException;
import dev.jollama.engine.gguf.GgufTensorInfo;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.stream.Collectors;

/**
 * A tensor's values seen as one flat stream of {@link #size()} floats, whatever its storage type. Each storage type
 * is one small final subclass, so the hot loops stay monomorphic. Blocks of quantized types may run across rows
 * (a row length that is not a multiple of the block size), which is why everything is addressed by flat index.
 *
 * <p>Two implementations of the arithmetic live side by side: the scalar reference ({@link #getFloat},
 * {@link #dotBlocks}, {@link #dot}), and the vectorized fast path of {@link #multiplyRows}: for one input vector
 * (and one by one for two or three) a per-type kernel that dequantizes in registers and multiplies at once, for more
 * a dequantized tile of rows that serves every input vector.
 */
public abstract sealed class FloatTensor
        permits F32Tensor, F16Tensor, BF16Tensor, Q8_0Tensor, Q4_0Tensor, RowGroupsTensor, Q5_0Tensor, Q4KTensor, Q5KTensor, Q6KTensor,
        Q4_1Tensor, Q5_1Tensor, IQ4_NLTensor, MXFP4Tensor, IQ4_XSTensor, Q2KTensor, Q3KTensor,
        IQ2XXSTensor, IQ2XSTensor, IQ2STensor, IQ3XXSTensor, IQ3STensor, IQ1STensor, IQ1MTensor, TQ1_0Tensor, TQ2_0Tensor {

    protected static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    protected static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    protected static final ValueLayout.OfLong LONG_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    protected static final ValueLayout.OfFloat FLOAT_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    protected static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    /** Float lanes: the machine's preferred vector, at most 512 bits (16 lanes: kernels step through blocks of 32). */
    protected static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED.length() >= 16 ? FloatVector.SPECIES_512 : FloatVector.SPECIES_256;
    // The other species are picked among the classes' own constants, not derived (withShape), so that the JIT sees
    // each vector's exact class; derived species left lanewise operations unbound and 3-5x slower.
    /** Whether the lanes are 16 (512 bits): kernels written for each width choose by it. */
    protected static final boolean WIDE = F == FloatVector.SPECIES_512;
    protected static final VectorSpecies<Integer> I = WIDE ? IntVector.SPECIES_512 : IntVector.SPECIES_256;
    /** As many shorts as float lanes. */
    protected static final VectorSpecies<Short> SH = WIDE ? ShortVector.SPECIES_256 : ShortVector.SPECIES_128;
    /** As many bytes as float lanes. */
    protected static final VectorSpecies<Byte> BQ = WIDE ? ByteVector.SPECIES_128 : ByteVector.SPECIES_64;

    /** Rows dequantized together when a product has several input vectors; each then serves every input vector. */
    static final int TILE_ROWS = FloatKernels.GROUP_ROWS;
    /**
     * Bytes of weights one vector's pass reads before the next vector rereads them: within L2. Prompts of 3 tokens
     * ran at 21.1, 27.4 and 26.0 tokens/s with 64 KB, 256 KB and 1 MB.
     */
    private static final long CACHED_RUN_BYTES = 256 * 1024;

    /**
     * How far ahead of the block being read a kernel touches the weights (0: not at all). Java has no prefetch
     * instruction; on the Xeons this was measured on, one core streamed a Q8_0 matrix from memory with the hardware
     * prefetchers alone at a third of its in-cache speed, and a plain load this far ahead (once per cache line) started
     * the fetch early (5.2 to 6.9 GB per CPU-second; the K-quant kernels 3-6% faster decoding). On an AMD EPYC (Zen 4)
     * the same loads made decoding slower: tinyllama-shape Q4_K_M 21 against 27 tokens/s without them, Q4_0 27
     * against 38, Q6_K 17 against 23. So only Intel processors read ahead; {@code -Djollama.readAhead=BYTES} sets it
     * ({@link #readAheadBytes}).
     */
    private static final long READ_AHEAD = readAheadBytes(System.getProperty("jollama.readAhead"), CpuVendor.isIntel());

    /**
     * The read-ahead distance: {@code property}'s bytes where it is set (0 or less: none), otherwise 8 KB on Intel
     * processors and none on others ({@link #READ_AHEAD}).
     *
     * @throws IllegalArgumentException if {@code property} is not a whole number
     */
    static long readAheadBytes(String property, boolean intel) {
        if (property == null) {
            return intel ? 8192 : 0;
        }
        try {
            return Math.max(0, Long.parseLong(property.strip()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("jollama.readAhead must be a whole number of bytes (0: no read-ahead), not '"
                    + property + "'", e);
        }
    }

    /**
     * Where in a kernel's scratch tile a super-block's scales, converted to float lanes at once, wait to be
     * broadcast one by one (after the slot that keeps the read-ahead loads alive).
     */
    protected static final int SCALES = 16;

    protected final MemorySegment data;
    private final long size;
    private final long lastByte;

    protected FloatTensor(MemorySegment data, long size) {
        this.data = data;
        this.size = size;
        this.lastByte = data.byteSize() - 1;
    }

    /**
     * The storage types the engine computes with, each with its class's constructor: the one list of them (the
     * error for any other type and the tests' lists come from it).
     */
    private static final Map<GgmlType, BiFunction<MemorySegment, Long, FloatTensor>> CLASSES = new EnumMap<>(Map.ofEntries(
            Map.entry(GgmlType.F32, F32Tensor::new),
            Map.entry(GgmlType.F16, F16Tensor::new),
            Map.entry(GgmlType.BF16, BF16Tensor::new),
            Map.entry(GgmlType.Q8_0, Q8_0Tensor::new),
            Map.entry(GgmlType.Q4_0, Q4_0Tensor::new),
            Map.entry(GgmlType.Q5_0, Q5_0Tensor::new),
            Map.entry(GgmlType.Q4_K, Q4KTensor::new),
            Map.entry(GgmlType.Q5_K, Q5KTensor::new),
            Map.entry(GgmlType.Q6_K, Q6KTensor::new),
            Map.entry(GgmlType.Q4_1, Q4_1Tensor::new),
            Map.entry(GgmlType.Q5_1, Q5_1Tensor::new),
            Map.entry(GgmlType.IQ4_NL, IQ4_NLTensor::new),
            Map.entry(GgmlType.MXFP4, MXFP4Tensor::new),
            Map.entry(GgmlType.IQ4_XS, IQ4_XSTensor::new),
            Map.entry(GgmlType.Q2_K, Q2KTensor::new),
            Map.entry(GgmlType.Q3_K, Q3KTensor::new),
            Map.entry(GgmlType.IQ2_XXS, IQ2XXSTensor::new),
            Map.entry(GgmlType.IQ2_XS, IQ2XSTensor::new),
            Map.entry(GgmlType.IQ2_S, IQ2STensor::new),
            Map.entry(GgmlType.IQ3_XXS, IQ3XXSTensor::new),
            Map.entry(GgmlType.IQ3_S, IQ3STensor::new),
            Map.entry(GgmlType.IQ1_S, IQ1STensor::new),
            Map.entry(GgmlType.IQ1_M, IQ1MTensor::new),
            Map.entry(GgmlType.TQ1_0, TQ1_0Tensor::new),
            Map.entry(GgmlType.TQ2_0, TQ2_0Tensor::new)));

    /** The storage types {@link #of} wraps, in {@link GgmlType}'s order. */
    public static Set<GgmlType> supportedTypes() {
        return Collections.unmodifiableSet(CLASSES.keySet());
    }

    /** Wraps a GGUF tensor; an unsupported storage type is a format error naming the tensor. */
    public static FloatTensor of(Path file, GgufTensorInfo info) {
        BiFunction<MemorySegment, Long, FloatTensor> wrap = CLASSES.get(info.type());
        if (wrap == null) {
            throw new GgufFormatException(file, "tensor '" + info.name() + "' has type " + info.type()
                    + ", which this engine does not support yet (supported: "
                    + supportedTypes().stream().map(GgmlType::name).collect(Collectors.joining(", ")) + ")");
        }
        return wrap.apply(info.data(), info.elementCount());
    }

    /** Values computed at load time (a transposed matrix) as an F32 tensor. */
    public static FloatTensor ofFloats(float[] values) {
        return new F32Tensor(MemorySegment.ofArray(values), values.length);
    }

    public abstract GgmlType type();

    /**
     * The {@code size} values from flat index {@code offset} as a tensor of their own over the same memory, not a
     * copy (a part of a fused matrix). Both must fall on block boundaries.
     */
    public final FloatTensor slice(long offset, long size) {
        GgmlType type = type();
        if (offset < 0 || size < 0 || offset + size > this.size || offset % type.blockSize != 0 || size % type.blockSize != 0) {
            throw new IllegalArgumentException("values " + offset + ".." + (offset + size) + " of " + this.size
                    + " are not whole " + type + " blocks of the tensor");
        }
        return sliceOf(offset, size);
    }

    /** {@link #slice} once the range is checked: the type's tensor over those bytes. */
    FloatTensor sliceOf(long offset, long size) {
        GgmlType type = type();
        return CLASSES.get(type).apply(data.asSlice(type.byteSize(offset), type.byteSize(size)), size);
    }

    /**
     * What a product with {@code count} input vectors reads: this tensor, except for a copy in a layout of its own
     * that is not filled yet ({@link RowGroupsTensor}), which answers with the file's layout.
     */
    FloatTensor forProducts(int count) {
        return this;
    }

    public final long size() {
        return size;
    }

    /** The value at a flat index: the scalar reference every kernel is tested against. */
    public abstract float getFloat(long index);

    /**
     * Sum of {@code this[offset + i] * x[xOffset + i]} for i below n. Whole blocks go through the type's block kernel;
     * a start or end inside a block goes value by value.
     */
    public final float dot(long offset, float[] x, int xOffset, int n) {
        int blockSize = type().blockSize;
        float sum = 0f;
        int i = 0;
        while (i < n && (offset + i) % blockSize != 0) {
            sum += getFloat(offset + i) * x[xOffset + i];
            i++;
        }
        int blocks = (n - i) / blockSize;
        if (blocks > 0) {
            sum += dotBlocks((offset + i) / blockSize, x, xOffset + i, blocks);
            i += blocks * blockSize;
        }
        for (; i < n; i++) {
            sum += getFloat(offset + i) * x[xOffset + i];
        }
        return sum;
    }

    /** Dot product of {@code blockCount} whole blocks starting at block {@code firstBlock} with x. */
    protected abstract float dotBlocks(long firstBlock, float[] x, int xOffset, int blockCount);

    /**
     * Writes the values of {@code blocks} whole blocks starting at block {@code firstBlock} (single values for
     * F32, F16, BF16) to {@code dst} from {@code dstOffset}: the fast twin of {@link #getFloat}.
     */
    protected abstract void dequantize(long firstBlock, int blocks, float[] dst, int dstOffset);

    /**
     * Computes what this type's kernels read from the input besides its values: once per new input, before the
     * workers share it ({@link Matmul} calls it first).
     */
    void prepare(MatmulInput in) {
        in.computeSums();
    }

    /**
     * The input a product with these weights reads: the input itself, or for types whose decode products take it
     * quantized as ggml's do ({@link MatmulInput#quantized}) that.
     */
    MatmulInput inputFor(MatmulInput in) {
        return in;
    }

    /**
     * Computes everything the kernels of a product with {@code in} read besides its values ({@link Matmul} calls it
     * before the workers share the input): for one vector {@link #prepare}, for three or four the vectors copied out
     * and prepared, for more the transposed groups and the vectors left over.
     */
    void prepareInput(MatmulInput in) {
        int count = in.count();
        if (count == 1) {
            prepare(in);
        } else if (takesFourVectors(count)) {
            prepareFourVectors(in);
        } else {
            int tiled = tiledVectors(count);
            if (tiled < count) {
                in.copySingles(tiled);
                for (int t = tiled; t < count; t++) {
                    prepare(in.single(t));
                }
            }
        }
        if (FloatKernels.groupedCount(count) > 0) {
            in.transposedGroups();
        }
    }

    /**
     * The rows a worker takes at least (and in multiples of) in a product with {@code count} input vectors. The pool
     * hands out long runs first (each worker streams consecutive rows: a whole model's products ran 15-17% faster than
     * with fixed items of 16 rows), then shorter ones, down to this, so that workers finish together: 16 rows for one
     * vector, whole tiles for more.
     */
    int rowGrain(int count) {
        return count == 1 ? 16 : TILE_ROWS;
    }

    /**
     * How many rows {@link #dotRows} reads side by side. Rows far apart in the matrix are separate streams through
     * memory, and the hardware prefetchers fetch several streams at once where one stream, however long, gets only so
     * far ahead of the kernel: one core read Q8_0 weights from memory at 7.9 GB/s one row at a time and at 11.5 GB/s
     * four rows at a time (in cache 18 and 21.5 GB/s: the rows also share their loads of the input).
     */
    protected int decodeRows() {
        return 1;
    }

    /**
     * Dot products of input vector 0 with {@link #decodeRows} rows of {@code blocks} blocks: row i starts at block
     * {@code firstBlock + i·rowStride} and its result goes to {@code out[outIndex + i·outStride]} (strides of 0 repeat
     * one row). This default, for one row, dequantizes into {@code scratch}; the types common in real files override
     * it with kernels that never store the values.
     */
    protected void dotRows(long firstBlock, long rowStride, int blocks, MatmulInput in, float[] out, int outIndex, int outStride, float[] scratch) {
        dequantize(firstBlock, blocks, scratch, 0);
        out[outIndex] = FloatKernels.dot(scratch, 0, in.values, 0, blocks * type().blockSize);
    }

    /**
     * {@code out[t·rows + r] = row r · input vector t} for rows {@code from} to {@code to} of this matrix (rows of
     * {@code in.width()} values). Rows that are not whole blocks go through the scalar reference; {@code scratch}
     * holds at least {@link #scratchFloats} floats.
     */
    void multiplyRows(MatmulInput in, float[] out, int rows, int from, int to, float[] scratch) {
        int cols = in.width();
        int blockSize = type().blockSize;
        if (cols % blockSize != 0) {
            for (int t = 0; t < in.count(); t++) {
                for (int r = from; r < to; r++) {
                    out[t * rows + r] = dot((long) r * cols, in.values, t * cols, cols);
                }
            }
            return;
        }
        int blocksPerRow = cols / blockSize;
        int count = in.count();
        int tiled = tiledVectors(count);
        if (count == 1) {
            multiplyVector(in, out, 0, from, to, blocksPerRow, scratch);
        } else if (takesFourVectors(count)) {
            int r = from;
            for (; r + 1 < to; r += 2) {
                dotRowFourVectors((long) r * blocksPerRow, blocksPerRow, in, count, out, r, rows);
            }
            if (r < to) {
                dotRowFourVectors((long) r * blocksPerRow, 0, in, count, out, r, rows);
            }
        } else if (tiled > 0) {
            multiplyTiles(in, tiled, out, rows, from, to, blocksPerRow, scratch);
        } else {
            // A pass over each run of rows per vector; the run stays in this core's cache, so only the first vector
            // reads it from memory.
            int runRows = Math.max(decodeRows(), (int) (CACHED_RUN_BYTES / ((long) blocksPerRow * type().bytesPerBlock)));
            for (int r0 = from; r0 < to; r0 += runRows) {
                int r1 = Math.min(to, r0 + runRows);
                for (int t = 0; t < count; t++) {
                    multiplyVector(in.single(t), out, t * rows, r0, r1, blocksPerRow, scratch);
                }
            }
        }
    }

    /**
     * Whether {@code count} input vectors go through {@link #dotRowFourVectors}: three or four (a step of three or
     * four sequences decoding, a mixture's expert chosen by a few rows), where this type has such a kernel.
     */
    final boolean takesFourVectors(int count) {
        return (count == 3 || count == 4) && hasFourVectorKernel();
    }

    protected boolean hasFourVectorKernel() {
        return false;
    }

    /** What {@link #dotRowFourVectors} reads: each vector as an input of its own, prepared as {@link #prepare} does. */
    void prepareFourVectors(MatmulInput in) {
        in.copySingles(0);
        for (int t = 0; t < in.count(); t++) {
            prepare(in.single(t));
        }
    }

    /**
     * Dot products of two rows, from block {@code firstBlock} and {@code rowStride} blocks after it (0: the same row,
     * whose second results are not written), with three or four input vectors, each prepared as an input of its own
     * ({@link #prepareFourVectors}): the results of vector t go to
     * {@code out[outIndex + t·outStride]} and the next index. A type's kernel dequantizes each block in registers
     * once for all the vectors. One core in cache, a 256 x 2048 matrix, four vectors against one (16 lanes): Q4_0
     * 2.0-2.2 times one vector's time, Q8_0 2.3, Q4_K 2.6, Q6_K 2.8, where the dequantized tiles took 3.8-4.1 (Q6_K
     * 6.2-7.1); three vectors 2.3-3.0 where one by one took 3.0-3.4. With 8 lanes Q4_0 1.7-1.9 (3.5-3.8) and Q8_0
     * 2.7 (3.7); the K-quants keep the old paths there, as sixteen accumulators do not fit sixteen registers.
     */
    protected void dotRowFourVectors(long firstBlock, long rowStride, MatmulInput in, int count, float[] out, int outIndex, int outStride) {
        throw new UnsupportedOperationException(type() + " has no four-vector kernel");
    }

    /**
     * How many of {@code count} input vectors, the first, go through dequantized tiles: the group kernel's and then
     * whole blocks of four for the row-major one; the rest (all of fewer than four; never more than three) go one by
     * one through the decode kernels. Each vector beyond the blocks of four went through a plain dot product with the
     * tile, which took longer per vector than a whole block: prompts of 2 and 3 tokens (Q8_0, two cores) ran at 11.9
     * and 14.3 tokens/s that way and at 24.0 and 27.2 one by one; 5, 6, 7 and 15 tokens at 27.9, 27.1, 28.8 and 42.4
     * with the plain dot products after the blocks, at 32.3, 32.0, 30.6 and 47.3 with the decode kernels.
     */
    static int tiledVectors(int count) {
        int grouped = FloatKernels.groupedCount(count);
        return count < 4 ? 0 : grouped + (count - grouped) / 4 * 4;
    }

    /** {@code out[outOffset + r] = row r · input vector 0} for rows from..to, through the decode kernels. */
    private void multiplyVector(MatmulInput in, float[] out, int outOffset, int from, int to, int blocksPerRow, float[] scratch) {
        // The rows split into decodeRows() runs read side by side; the few left over go one at a time (each as
        // every row of a call).
        int streams = decodeRows(), run = (to - from) / streams;
        for (int r = from; r < from + run; r++) {
            dotRows((long) r * blocksPerRow, (long) run * blocksPerRow, blocksPerRow, in, out, outOffset + r, run, scratch);
        }
        for (int r = from + streams * run; r < to; r++) {
            dotRows((long) r * blocksPerRow, 0, blocksPerRow, in, out, outOffset + r, 0, scratch);
        }
    }

    /**
     * {@code out[t·rows + r] = row r · input vector t} for every input vector: the first {@code tiled} through
     * dequantized tiles, the rest one by one after each tile (whose rows are then in cache). A partial tile takes
     * every vector.
     */
    private void multiplyTiles(MatmulInput in, int tiled, float[] out, int rows, int from, int to, int blocksPerRow, float[] scratch) {
        int cols = in.width();
        int count = in.count();
        float[] x = in.values;
        // Whole steps of the transposed kernel go through it, the rest through the row-major one.
        int grouped = FloatKernels.groupedCount(count);
        float[] xT = grouped > 0 ? in.transposedGroups() : null;
        int tileFloats = FloatKernels.chunkedTileFloats(cols);
        for (int r = from; r < to; r += TILE_ROWS) {
            int n = Math.min(TILE_ROWS, to - r);
            int done = 0;
            if (n == TILE_ROWS && grouped > 0) {
                dequantizeChunked((long) r * blocksPerRow, blocksPerRow, cols, scratch);
                for (int g0 = 0; g0 < grouped; g0 += MatmulInput.WIDE_GROUP) {
                    int vectors = Math.min(MatmulInput.WIDE_GROUP, grouped - g0);
                    FloatKernels.tileTimesGroup(scratch, cols, xT, g0 * cols, vectors, out, g0 * rows + r, rows, scratch, tileFloats);
                }
                done = grouped;
            }
            int last = n == TILE_ROWS ? tiled : count;
            if (done < last) {
                dequantize((long) r * blocksPerRow, n * blocksPerRow, scratch, 0);
                FloatKernels.tileTimesBatch(scratch, n, x, done, last, cols, out, rows, r);
            }
            for (int t = last; t < count; t++) {
                multiplyVector(in.single(t), out, t * rows, r, r + n, blocksPerRow, scratch);
            }
        }
    }

    /** Dequantizes the {@link #TILE_ROWS} rows from block {@code firstBlock} into the group kernel's chunked layout. */
    private void dequantizeChunked(long firstBlock, int blocksPerRow, int cols, float[] tile) {
        int chunk = FloatKernels.GROUP_CHUNK, blockSize = type().blockSize;
        for (int i = 0; i < TILE_ROWS; i++) {
            long rowBlock = firstBlock + (long) i * blocksPerRow;
            for (int k0 = 0; k0 < cols; k0 += chunk) {
                int blocks = Math.min(chunk, cols - k0) / blockSize;
                dequantize(rowBlock + k0 / blockSize, blocks, tile, k0 * TILE_ROWS + i * chunk);
            }
        }
    }

    /**
     * Floats of scratch {@link #multiplyRows} needs for rows {@code cols} wide: a tile and the group kernel's sums, or
     * a copy's band ({@link RowGroupsTensor#BAND_SCRATCH}).
     */
    static int scratchFloats(int cols) {
        return Math.max(FloatKernels.chunkedTileFloats(cols) + FloatKernels.GROUP_SCRATCH, RowGroupsTensor.BAND_SCRATCH);
    }

    /** Copies n values starting at a flat index into {@code out}. */
    public void copyTo(long offset, float[] out, int outOffset, int n) {
        for (int i = 0; i < n; i++) {
            out[outOffset + i] = getFloat(offset + i);
        }
    }

    /**
     * Reads the byte {@link #READ_AHEAD} bytes after {@code byteOffset} (or the last one) so that it is on its way when
     * the kernel gets there; nothing where the read-ahead is off. Kernels fold the values into one int and store it in
     * their scratch tile, so the loads stay.
     */
    protected final int touchAhead(long byteOffset) {
        if (READ_AHEAD == 0) {
            return 0;
        }
        return data.get(ValueLayout.JAVA_BYTE, Math.min(byteOffset + READ_AHEAD, lastByte));
    }

    /**
     * {@link #touchAhead} for every cache line of the {@code bytes} from {@code byteOffset}, in a loop: the compiler
     * parses its body once, where touches written out each count against the kernel's inlining node budget (a Q6_K
     * kernel with four past it left its vector helpers as calls, which box every vector: four times as slow).
     */
    protected final int touchLinesAhead(long byteOffset, int bytes) {
        int touched = 0;
        for (int line = 0; line < bytes; line += 64) {
            touched += touchAhead(byteOffset + line);
        }
        return touched;
    }

    /** As many bytes as float lanes from {@code byteOffset}, zero-extended to ints (the packed values of most types). */
    protected final IntVector unsignedBytes(long byteOffset) {
        return (IntVector) ByteVector.fromMemorySegment(BQ, data, byteOffset, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
    }

    /**
     * One step of a K-quant kernel that reads packed values as int lanes ({@link PackedLanes}): each lane's four
     * values in {@code low}, picked out with {@code mask} shifted to each byte, times the reordered input from
     * {@code at} in steps of 32, and those in {@code high} times the input from at + 16; each dot times its scales,
     * added to {@code acc}. The four bytes go in a loop: written out (Q4_K's eight nibbles) they passed C2's inlining
     * node budget, and vector ops left as calls ran four times slower.
     */
    protected static FloatVector packedDots(IntVector low, IntVector high, int mask, float[] x, int at, FloatVector lowScales, FloatVector highScales, FloatVector acc) {
        FloatVector lowDot = FloatVector.zero(F), highDot = lowDot;
        for (int k = 0; k < 4; k++) {
            lowDot = inPlace(low, mask << 8 * k).fma(FloatVector.fromArray(F, x, at + 32 * k), lowDot);
            highDot = inPlace(high, mask << 8 * k).fma(FloatVector.fromArray(F, x, at + 32 * k + 16), highDot);
        }
        return highDot.fma(highScales, lowDot.fma(lowScales, acc));
    }

    /** The bits of {@code packed} under {@code mask}, left where they are, as floats. */
    static FloatVector inPlace(IntVector packed, int mask) {
        return (FloatVector) packed.and(mask).convert(VectorOperators.I2F, 0);
    }

    /**
     * The eight bytes of {@code packed} (lowest first) as signed values in the first eight float lanes; any lanes
     * past the eighth hold copies. Always from a two-long vector: C2 leaves a one-long vector and its conversion as
     * calls, which boxed every vector (Q4_K decoded at 5.7 instead of 11 t/s with eight float lanes).
     */
    protected static FloatVector bytesAsFloats(long packed) {
        return (FloatVector) LongVector.broadcast(LongVector.SPECIES_128, packed).reinterpretAsBytes().convertShape(VectorOperators.B2F, F, 0);
    }

    protected final float f16(long byteOffset) {
        return f16(data, byteOffset);
    }

    /** The fp16 value at {@code byteOffset} of {@code data}, as a float. */
    static float f16(MemorySegment data, long byteOffset) {
        return HALF_TO_FLOAT[Short.toUnsignedInt(data.get(SHORT_LE, byteOffset))];
    }

    /** The fp16 value whose bits are the low 16 of {@code bits}, as a float (two halves read as one int: one load). */
    static float halfBits(int bits) {
        return HALF_TO_FLOAT[bits & 0xffff];
    }

    /**
     * Every fp16 value as a float, indexed by its bits. Converting in registers (Float.float16ToFloat) costs a decode
     * kernel four vector instructions per block before the broadcast, on the two ports that also do its arithmetic;
     * the table costs a load (hot entries stay in L1: a tensor's scales span few exponents). Measured in the same runs:
     * in-cache Q4_0 7.1 to 8.2 GB/s, decode Q4_0 15.6 to 16.3 t/s, Q8_0 11.2 to 12.0.
     */
    private static final float[] HALF_TO_FLOAT = new float[1 << 16];

    static {
        for (int bits = 0; bits < HALF_TO_FLOAT.length; bits++) {
            HALF_TO_FLOAT[bits] = Float.float16ToFloat((short) bits);
        }
    }

    protected final byte int8(long byteOffset) {
        return data.get(ValueLayout.JAVA_BYTE, byteOffset);
    }

    protected final int uint8(long byteOffset) {
        return Byte.toUnsignedInt(data.get(ValueLayout.JAVA_BYTE, byteOffset));
    }
}
