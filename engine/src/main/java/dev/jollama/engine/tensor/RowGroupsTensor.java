package dev.jollama.engine.tensor;

import dev.jollama.engine.gguf.GgmlType;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.function.LongFunction;

/**
 * A matrix of 4-bit values (Q4_0, Q4_K), 5-bit (Q5_K) or 6-bit ones (Q6_K) in a copy of its own where the blocks of
 * {@link #ROWS} consecutive rows (as many as float lanes) lie together: per group of rows, the rows' scales, and int
 * vectors whose lane r holds eight of row r's nibbles ({@link #eightNibbles}; Q5_K's and Q6_K's lanes:
 * {@link Q5KRowGroupsTensor}, {@link Q6KRowGroupsTensor}). The bytes of the file's rows in another order, in memory
 * the loader gives (a private copy-on-write mapping of the file).
 *
 * <p>The decode kernels take one nibble position of all the group's rows at once: for one input vector both 16-bit
 * halves of every lane times a broadcast pair of the input's 8-bit values ({@link MatmulInput#quantizedPairs}), for two
 * to four as floats times one broadcast input value per vector ({@link MatmulInput#nibbleOrdered}): no sums across
 * lanes, no scale per row, a block's scales one vector. In the file's layout a block of one row fills the lanes, so
 * every row pays its own scale multiplication and reduction. Prompts (five vectors and more) go through bands of three
 * groups dequantized a chunk at a time ({@link #multiplyBands}; with 16 lanes), so that once the copy is filled the
 * process can let go of the file's pages of the matrix. The copy is filled in the background once decoding starts
 * ({@link Repacker}); until then products read the file's layout.
 */
abstract sealed class RowGroupsTensor extends FloatTensor permits Q4_0RowGroupsTensor, KQuantRowGroupsTensor, Q6KRowGroupsTensor {
    /** Rows per group: one per float lane. */
    static final int ROWS = F.length();
    /** Where in a kernel's results group B's begin (group A's from 0, vector t's at t·ROWS of each). */
    static final int GROUP_B_RESULTS = 4 * ROWS;
    /** The slot of a kernel's results that keeps its read-ahead loads alive. */
    static final int KEEP_ALIVE = 8 * ROWS;
    /**
     * An int vector's bytes as 16-bit lanes: two per row, for the products with the quantized input (one of the
     * class's own constants, as FloatTensor's species are).
     */
    static final VectorSpecies<Short> PAIRS = WIDE ? ShortVector.SPECIES_512 : ShortVector.SPECIES_256;
    /** Groups of rows a prompt's kernel takes at once ({@link #bandTimesVectors}): a band. */
    static final int BAND_GROUPS = 3;
    static final int BAND_ROWS = BAND_GROUPS * ROWS;
    /** Input vectors per step of {@link #bandTimesVectors}: with three groups, 24 accumulators. */
    static final int BAND_VECTORS = 8;
    /** Values of each row of a band dequantized at a time (a 192 KB tile): four Q4_K super-blocks, 32 Q4_0 blocks. */
    static final int BAND_CHUNK = 1024;
    /**
     * Values of a chunk every step of input vectors takes in turn, so that the piece of the tile (48 KB) stays in the
     * core's caches for all the steps. Pieces of 64 values cost more in loading and storing the sums than they saved
     * (in cache, 1.03-1.10 times the file layout's tile kernel per multiply-add; 256: 0.98-1.02).
     */
    static final int BAND_PIECE = 256;
    /**
     * A prompt's scratch: the band's dequantized chunk from 0 (value k of the band's row i at k·BAND_ROWS + i), then
     * from here the sums of each input vector of a transposed group ({@link MatmulInput#WIDE_GROUP}), BAND_ROWS each.
     */
    static final int BAND_SUMS = BAND_CHUNK * BAND_ROWS;
    /** Where in the kernels' scratch a block's factors are worked out (two vectors), after the results. */
    static final int FACTOR_WORK = KEEP_ALIVE + 16;
    /** Where in the kernels' scratch the blocks' factors wait ({@link #scalesToScratch}). */
    static final int FACTORS = FACTOR_WORK + 2 * ROWS;
    /** Then what a type's {@link #dequantizeBand} works out per block before its values. */
    static final int BAND_FACTORS = BAND_SUMS + MatmulInput.WIDE_GROUP * BAND_ROWS;
    /** Floats of scratch a prompt's product through the copy needs. */
    static final int BAND_SCRATCH = BAND_FACTORS + 18 * ROWS;
    /** Input vectors per step of {@link #pairBandTimesFourVectors}: with three groups, 12 sums of each kind. */
    static final int PAIR_BAND_VECTORS = 4;
    /**
     * In a 16-bit band's scratch ({@link #pairBand}), after the chunk's pairs of nibbles: per block of 32 values of
     * the chunk, the band's rows' scales (group i's at i·ROWS), then their offsets (from BAND_ROWS on).
     */
    static final int PAIR_FACTORS = BAND_CHUNK / 2 * BAND_ROWS;
    /** Then a block's 16-bit sums of the band's rows and four vectors, on their way to floats. */
    static final int PAIR_SUMS = PAIR_FACTORS + BAND_CHUNK / 32 * 2 * BAND_ROWS;

    /** The same matrix in the file's layout: the scalar reference, and what products read until the copy is filled. */
    final FloatTensor fileLayout;
    /** Blocks of the file's type per row. */
    final int blocksPerRow;
    /** Bytes of one block position of a group: the group's rows' blocks there. */
    final long groupBlockBytes;
    /** Bytes of one block position's header in a group (its rows' scales), all of them before the group's values. */
    private final int headerBytes;
    /** Floats of one block position's factors in the kernels' scratch ({@link #scalesToScratch}). */
    private final int factorFloats;
    /** Fills the copy ({@link #fill}) once decoding starts. */
    private final Repacker repacker;
    /** Whether {@link #fill} is done: until then products read the file's layout. */
    private volatile boolean filled;
    /** Whether the file's pages were let go of ({@link #letGoOfFile}), on the first product after the filling. */
    private volatile boolean fileLetGo;

    RowGroupsTensor(MemorySegment data, FloatTensor fileLayout, int blocksPerRow, Repacker repacker, int headerBytes, int factorFloats) {
        super(data, fileLayout.size());
        this.fileLayout = fileLayout;
        this.blocksPerRow = blocksPerRow;
        this.groupBlockBytes = (long) fileLayout.type().bytesPerBlock * ROWS;
        this.repacker = repacker;
        this.headerBytes = headerBytes;
        this.factorFloats = factorFloats;
    }

    /**
     * {@code file} as a matrix of rows {@code rowLength} wide in the memory {@code memory} gives for a copy (not filled
     * yet), where its type has a row-group layout and its shape fits it (whole groups of rows of whole blocks);
     * otherwise, or without memory, null.
     */
    static RowGroupsTensor of(FloatTensor file, long rowLength, LongFunction<MemorySegment> memory, Repacker repacker) {
        int blockSize = file.type().blockSize;
        boolean fits = rowLength > 0 && rowLength % blockSize == 0 && file.size() % rowLength == 0 && file.size() / rowLength % ROWS == 0;
        if (!fits || !(file instanceof Q4_0Tensor || file instanceof Q4KTensor || file instanceof Q5KTensor || file instanceof Q6KTensor)) {
            return null;
        }
        MemorySegment into = memory.apply(file.data.byteSize());
        if (into == null) {
            return null;
        }
        int blocksPerRow = (int) (rowLength / blockSize);
        return switch (file) {
            case Q4_0Tensor q4_0 -> new Q4_0RowGroupsTensor(into, q4_0, blocksPerRow, repacker);
            case Q4KTensor q4k -> new Q4KRowGroupsTensor(into, q4k, blocksPerRow, repacker);
            case Q5KTensor q5k -> new Q5KRowGroupsTensor(into, q5k, blocksPerRow, repacker);
            default -> new Q6KRowGroupsTensor(into, (Q6KTensor) file, blocksPerRow, repacker);
        };
    }

    /** Writes the file's rows into the copy in this layout, then lets products read it. */
    final void fill() {
        if (!filled) {
            pack();
            filled = true;
        }
    }

    /**
     * Where prompts read the copy too, lets go of the file's pages (they stay in the page cache): only the copy is then
     * in this process's memory. Done by the first product that reads the copy, not by the filling: a product that took
     * the file's layout just before the filling ended was still reading it, and brought most of its pages back (a
     * tinyllama-shape Q4_0 file's Q6_K output matrix: 12,059 of its 13,126 pages of the file stayed, beside the copy).
     */
    private void letGoOfFile() {
        fileLetGo = true;
        if (promptsReadCopy() && fileLayout.data.isMapped()) {
            fileLayout.data.unload();
        }
    }

    /**
     * Whether prompts read the copy ({@link #multiplyBands}): with 16 lanes, where the matrix has a band's rows. With 8
     * lanes they read the file's layout: the band kernel's 24 accumulators need AVX-512's 32 registers.
     */
    final boolean promptsReadCopy() {
        return WIDE && size() / ((long) blocksPerRow * fileLayout.type().blockSize) >= BAND_ROWS;
    }

    /** Whether a product of {@code count} input vectors goes through bands: a prompt's, where prompts read the copy. */
    private boolean takesBands(int count) {
        return count > 4 && promptsReadCopy();
    }

    /** Writes the file's rows ({@link #fileLayout}) into {@link #data} in this layout. */
    abstract void pack();

    /** The copy once filled; until then the file's layout, and a decode-sized product starts the filling. */
    @Override
    final FloatTensor forProducts(int count) {
        if (filled) {
            if (!fileLetGo) {
                letGoOfFile();
            }
            return this;
        }
        if (count <= 4) {
            repacker.start();
        }
        return fileLayout;
    }

    /** Byte offset of {@code group}'s first block position. */
    final long groupBase(int group) {
        return (long) group * blocksPerRow * groupBlockBytes;
    }

    @Override
    public final GgmlType type() {
        return fileLayout.type();
    }

    @Override
    public final float getFloat(long index) {
        return fileLayout.getFloat(index);
    }

    @Override
    protected final float dotBlocks(long firstBlock, float[] x, int xOffset, int blockCount) {
        return fileLayout.dotBlocks(firstBlock, x, xOffset, blockCount);
    }

    @Override
    protected final void dequantize(long firstBlock, int blocks, float[] dst, int dstOffset) {
        fileLayout.dequantize(firstBlock, blocks, dst, dstOffset);
    }

    @Override
    public final void copyTo(long offset, float[] out, int outOffset, int n) {
        fileLayout.copyTo(offset, out, outOffset, n);
    }

    /** A part of the matrix reads the file's layout (models slice only the file's tensors, never a copy). */
    @Override
    final FloatTensor sliceOf(long offset, long size) {
        return fileLayout.sliceOf(offset, size);
    }

    /** As the file layout's type takes it: one vector quantized, whose packed 8-bit values the one-vector kernels read. */
    @Override
    final MatmulInput inputFor(MatmulInput in) {
        return fileLayout.inputFor(in);
    }

    /** Nothing for one vector: {@link #inputFor} made what the kernels read. */
    @Override
    final void prepare(MatmulInput in) {
    }

    /** Two to four vectors: each in float with its sums and in nibble order, for the 4-bit types' four-vector kernels. */
    @Override
    void prepareFourVectors(MatmulInput in) {
        in.copySingles(0);
        for (int t = 0; t < in.count(); t++) {
            MatmulInput single = in.single(t);
            single.computeSums();
            single.computeNibbleOrder();
        }
    }

    /**
     * Eight values (0 to 15, each the low nibble of a byte of {@code values}, the first lowest) as the kernels take
     * them from an int lane: bytes 0 to 3 hold values 0 and 2, 4 and 6, 1 and 3, 5 and 7 (low nibble first), so that
     * nibble position p of the lane's low 16 bits is value 2p and of its high 16 bits value 2p + 1
     * ({@link #nibbles}): each position multiplies two neighbouring input values.
     */
    static int eightNibbles(long values) {
        long nibbles = values & 0x0F0F0F0F0F0F0F0FL;
        long paired = nibbles | nibbles >>> 12; // byte 0: values 0 and 2, byte 1: 1 and 3, byte 4: 4 and 6, byte 5: 5 and 7
        return (int) (paired & 0xFF | paired >>> 24 & 0xFF00 | paired << 8 & 0xFF0000 | paired >>> 16 & 0xFF000000L);
    }

    /**
     * Nibble position p (0 to 3) of each 16-bit half of {@code packed}'s lanes, as 16-bit values: what
     * {@link MatmulInput#quantizedPairs} int p of the int vector multiplies, both halves at once.
     */
    static ShortVector nibbles(IntVector packed, int p) {
        ShortVector halves = packed.reinterpretAsShorts();
        if (p == 0) {
            return halves.and((short) 0xF);
        }
        if (p == 3) {
            return halves.lanewise(VectorOperators.LSHR, 12);
        }
        return halves.lanewise(VectorOperators.LSHR, 4 * p).and((short) 0xF);
    }

    /**
     * Sixteen 16-bit products of nibbles (at most 15) and 8-bit values (at most 127 either way) summed in a lane stay
     * within 30,480; each int lane's two halves then added as floats: the rows' sums for a 32-value block.
     */
    static FloatVector pairSums(ShortVector sums) {
        IntVector lanes = sums.reinterpretAsInts();
        return (FloatVector) lanes.lanewise(VectorOperators.ASHR, 16)
                .add(lanes.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16))
                .convert(VectorOperators.I2F, 0);
    }

    /**
     * One vector and up to four go through the decode kernels (each prepared), more through bands
     * ({@link #multiplyBands}) or the file layout's tiles.
     */
    @Override
    final void prepareInput(MatmulInput in) {
        if (takesBands(in.count())) {
            if (pairBands()) {
                in.quantizeVectors();
            } else {
                in.transposedGroups();
            }
        } else if (in.count() > 4) {
            fileLayout.prepareInput(in);
        } else if (in.count() > 1) {
            prepareFourVectors(in);
        } else {
            prepare(in);
        }
    }

    /** Pairs of groups of rows per worker for up to four vectors, bands or the file layout's tiles for more. */
    @Override
    final int rowGrain(int count) {
        return takesBands(count) ? BAND_ROWS : count <= 4 ? 2 * ROWS : fileLayout.rowGrain(count);
    }

    /**
     * Rows from..to, two groups of rows at a time (the groups at the ends computed whole, their rows in range kept),
     * the first half of the groups beside the second (two streams through memory): one input vector, or up to four
     * (a step of several sequences decoding); more (a prompt) go through bands ({@link #multiplyBands}) or the file
     * layout's dequantized tiles.
     */
    @Override
    final void multiplyRows(MatmulInput in, float[] out, int rows, int from, int to, float[] scratch) {
        int count = in.count();
        if (takesBands(count)) {
            multiplyBands(in, out, rows, from, to, scratch);
        } else if (count > 4) {
            fileLayout.multiplyRows(in, out, rows, from, to, scratch);
        } else {
            // An odd last group is computed twice (workers take pairs of groups: only a matrix of an odd number of
            // groups has one). One call of scalesToScratch, so that C2 compiles one copy of it in here: two copies
            // took this method past its node budget (see scalesToScratch).
            int firstGroup = from / ROWS, groups = (to - 1) / ROWS + 1 - firstGroup, items = (groups + 1) / 2;
            for (int a = firstGroup; a < firstGroup + items; a++) {
                int b = Math.min(a + items, firstGroup + groups - 1);
                scalesToScratch(a, b, scratch);
                if (count == 1) {
                    groupsTimesVector(a, b, in, scratch);
                } else {
                    groupsTimesFourVectors(a, b, in, count, scratch);
                }
                for (int t = 0; t < count; t++) {
                    keepRows(scratch, t * ROWS, out, t * rows, a, Math.max(from, a * ROWS), Math.min(to, a * ROWS + ROWS));
                    if (b > a) {
                        keepRows(scratch, GROUP_B_RESULTS + t * ROWS, out, t * rows, b, Math.max(from, b * ROWS), Math.min(to, b * ROWS + ROWS));
                    }
                }
            }
        }
    }

    /**
     * Rows from..to of a prompt's product, a band of {@link #BAND_GROUPS} groups at a time (the last band of the matrix
     * reaching back over rows done before, which it leaves as they are): per chunk of {@link #BAND_CHUNK} values, the
     * band's rows dequantized from the copy into a tile whose values k of all the band's rows lie together (a nibble
     * position of a group's int vector is value k of its rows: no reordering), then every step of the input vectors
     * through it. The file layout's tiles hold a row's values together, which a group's vectors could only fill by
     * gathering (1.3 times the dequantizing work, 3-8% off pp128). The nibble types' tiles hold 16-bit values instead
     * of floats, and their steps take four quantized vectors ({@link #pairBands}).
     */
    private void multiplyBands(MatmulInput in, float[] out, int rows, int from, int to, float[] scratch) {
        int cols = in.width(), count = in.count(), groups = rows / ROWS, blocksPerVector = cols / 32;
        boolean pairs = pairBands();
        int step = pairs ? PAIR_BAND_VECTORS : BAND_VECTORS;
        float[] xT = pairs ? null : in.transposedGroups();
        for (int g = from / ROWS; g * ROWS < to; g += BAND_GROUPS) {
            int band = Math.min(g, groups - BAND_GROUPS);
            int first = Math.max(from, g * ROWS), end = Math.min(to, (g + BAND_GROUPS) * ROWS);
            for (int v0 = 0; v0 < count; v0 += MatmulInput.WIDE_GROUP) {
                int vectors = Math.min(MatmulInput.WIDE_GROUP, count - v0), steps = (vectors + step - 1) / step;
                Arrays.fill(scratch, BAND_SUMS, BAND_SUMS + steps * step * BAND_ROWS, 0f);
                for (int k0 = 0; k0 < cols; k0 += BAND_CHUNK) {
                    int n = Math.min(BAND_CHUNK, cols - k0);
                    if (pairs) {
                        pairBand(band, k0, n, scratch);
                    } else {
                        dequantizeBand(band, k0, n, scratch);
                    }
                    for (int k1 = 0; k1 < n; k1 += BAND_PIECE) {
                        int m = Math.min(BAND_PIECE, n - k1), xo = v0 * cols + (k0 + k1) * MatmulInput.WIDE_GROUP;
                        for (int s = 0; s < steps; s++) {
                            int sums = BAND_SUMS + s * step * BAND_ROWS;
                            if (pairs) {
                                // A last step short of four vectors repeats the last one (its sums are not kept).
                                int t = v0 + s * step, last = count - 1, at = (k0 + k1) / 32;
                                pairBandTimesFourVectors(scratch, k1 / 32, m / 32, in.vectorPairs(), in.vectorScales(), in.vectorSums(),
                                        t * blocksPerVector + at, Math.min(t + 1, last) * blocksPerVector + at,
                                        Math.min(t + 2, last) * blocksPerVector + at, Math.min(t + 3, last) * blocksPerVector + at, sums);
                            } else {
                                bandTimesVectors(scratch, k1 * BAND_ROWS, m, xT, xo + s * BAND_VECTORS, sums);
                            }
                        }
                    }
                }
                for (int t = 0; t < vectors; t++) {
                    System.arraycopy(scratch, BAND_SUMS + t * BAND_ROWS + first - band * ROWS, out, (v0 + t) * rows + first, end - first);
                }
            }
        }
    }

    /**
     * Whether prompts go through 16-bit bands ({@link #pairBand}, {@link #pairBandTimesFourVectors}) rather than
     * float ones ({@link #dequantizeBand}, {@link #bandTimesVectors}): the nibble types', whose 4-bit values less 8
     * times 8-bit inputs, summed over a block of 32, stay within 16 bits. Their inputs are then quantized to 8 bits
     * in blocks of 32, as a decode step's are. Alternating with the float bands (tinyllama shape, 2 threads, Zen 4):
     * pp128 Q4_0 95.0-97.5 -> 104.9-113.9 t/s, Q4_K_M 92.0-96.3 -> 100.9-109.0.
     */
    boolean pairBands() {
        return false;
    }

    /**
     * For a 16-bit band: values k0 to k0 + n of the rows of groups band to band + BAND_GROUPS - 1 into {@code scratch}
     * as pairs of 16-bit values q - 8 ({@link #nibblePairs}; pair m of the chunk's group i at m·BAND_ROWS + i·ROWS),
     * and each block of 32's scales and offsets from {@link #PAIR_FACTORS} (value = scale·(q - 8) + offset).
     */
    void pairBand(int band, int k0, int n, float[] scratch) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no 16-bit bands");
    }

    /**
     * The int vector at {@code packedAt} as four vectors of 16-bit pairs ({@link #nibbles}: what the one-vector
     * kernels multiply) less 8, kept as floats' bits at {@code scratch[tileAt + p·BAND_ROWS]} for nibble position p.
     * Signed, a block's products and both halves of a lane summed stay within 16 bits (16·8·127·2 = 32,512).
     */
    final void nibblePairs(long packedAt, float[] scratch, int tileAt) {
        IntVector packed = IntVector.fromMemorySegment(I, data, packedAt, LE);
        for (int p = 0; p < 4; p++) {
            nibbles(packed, p).sub((short) 8).reinterpretAsFloats().intoArray(scratch, tileAt + p * BAND_ROWS);
        }
    }

    /**
     * Four input vectors quantized in blocks of 32 ({@link MatmulInput#quantizeVectors}) times the 16-bit band's blocks
     * tileBlock to tileBlock + blocks - 1 ({@link #pairBand}), added to their sums from {@code scratch[sums]} (vector
     * j's BAND_ROWS sums from sums + j·BAND_ROWS); vector j's blocks from x_j in the input's blocks. Per block, each
     * pair of the band's rows' values (q - 8) times each vector's pair of 8-bit values broadcast, in 16-bit lanes
     * (sixteen products of at most 8·127 per lane, and both halves of a lane together, stay within 16 bits), to
     * {@link #PAIR_SUMS}; then each of those to floats ({@link #addPairSums}). Integer products go through four pipes of
     * a Zen 4 core where float multiply-adds have two: in cache, one core, 68 multiply-adds per ns against 57-59 for
     * {@link #bandTimesVectors}. The sums' conversion is a loop of its own: written out beside the products (80 per
     * ns in cache), the method was at C2's node budget, and in some runs its last vector operations were left as calls
     * (pp128 0.5-0.8 times the float bands' in a third of the runs).
     */
    static void pairBandTimesFourVectors(float[] scratch, int tileBlock, int blocks, int[] pairs, float[] xScales, float[] xSums,
                                         int x0, int x1, int x2, int x3, int sums) {
        final int b = BAND_ROWS;
        for (int blk = 0; blk < blocks; blk++) {
            ShortVector s00 = ShortVector.zero(PAIRS), s10 = s00, s20 = s00, s01 = s00, s11 = s00, s21 = s00;
            ShortVector s02 = s00, s12 = s00, s22 = s00, s03 = s00, s13 = s00, s23 = s00;
            int p0 = 16 * (x0 + blk), p1 = 16 * (x1 + blk), p2 = 16 * (x2 + blk), p3 = 16 * (x3 + blk);
            for (int m = 0, w = 16 * (tileBlock + blk) * b; m < 16; m++, w += b) {
                ShortVector w0 = FloatVector.fromArray(F, scratch, w).reinterpretAsShorts();
                ShortVector w1 = FloatVector.fromArray(F, scratch, w + ROWS).reinterpretAsShorts();
                ShortVector w2 = FloatVector.fromArray(F, scratch, w + 2 * ROWS).reinterpretAsShorts();
                ShortVector x = IntVector.broadcast(I, pairs[p0 + m]).reinterpretAsShorts();
                s00 = w0.mul(x).add(s00);
                s10 = w1.mul(x).add(s10);
                s20 = w2.mul(x).add(s20);
                x = IntVector.broadcast(I, pairs[p1 + m]).reinterpretAsShorts();
                s01 = w0.mul(x).add(s01);
                s11 = w1.mul(x).add(s11);
                s21 = w2.mul(x).add(s21);
                x = IntVector.broadcast(I, pairs[p2 + m]).reinterpretAsShorts();
                s02 = w0.mul(x).add(s02);
                s12 = w1.mul(x).add(s12);
                s22 = w2.mul(x).add(s22);
                x = IntVector.broadcast(I, pairs[p3 + m]).reinterpretAsShorts();
                s03 = w0.mul(x).add(s03);
                s13 = w1.mul(x).add(s13);
                s23 = w2.mul(x).add(s23);
            }
            s00.reinterpretAsFloats().intoArray(scratch, PAIR_SUMS);
            s10.reinterpretAsFloats().intoArray(scratch, PAIR_SUMS + ROWS);
            s20.reinterpretAsFloats().intoArray(scratch, PAIR_SUMS + 2 * ROWS);
            s01.reinterpretAsFloats().intoArray(scratch, PAIR_SUMS + b);
            s11.reinterpretAsFloats().intoArray(scratch, PAIR_SUMS + b + ROWS);
            s21.reinterpretAsFloats().intoArray(scratch, PAIR_SUMS + b + 2 * ROWS);
            s02.reinterpretAsFloats().intoArray(scratch, PAIR_SUMS + 2 * b);
            s12.reinterpretAsFloats().intoArray(scratch, PAIR_SUMS + 2 * b + ROWS);
            s22.reinterpretAsFloats().intoArray(scratch, PAIR_SUMS + 2 * b + 2 * ROWS);
            s03.reinterpretAsFloats().intoArray(scratch, PAIR_SUMS + 3 * b);
            s13.reinterpretAsFloats().intoArray(scratch, PAIR_SUMS + 3 * b + ROWS);
            s23.reinterpretAsFloats().intoArray(scratch, PAIR_SUMS + 3 * b + 2 * ROWS);
            int factors = PAIR_FACTORS + (tileBlock + blk) * 2 * b;
            addPairSums(scratch, PAIR_SUMS, factors, xScales[x0 + blk], xSums[x0 + blk], sums);
            addPairSums(scratch, PAIR_SUMS + b, factors, xScales[x1 + blk], xSums[x1 + blk], sums + b);
            addPairSums(scratch, PAIR_SUMS + 2 * b, factors, xScales[x2 + blk], xSums[x2 + blk], sums + 2 * b);
            addPairSums(scratch, PAIR_SUMS + 3 * b, factors, xScales[x3 + blk], xSums[x3 + blk], sums + 3 * b);
        }
    }

    /**
     * One vector's 16-bit sums of a block from {@code scratch[pairSums]} (the band's rows) to floats: each lane's two
     * halves summed (the low half shifted onto the high one, then down with its sign: one operation fewer than
     * {@link #pairSums}, which adds in 32 bits; a band's halves together stay within 16 bits), times the vector's
     * block scale {@code scale} and the rows' scales from {@code scratch[factors]}, plus the rows' offsets times the
     * vector's block sum {@code sum}, added to its sums at {@code scratch[sums]}.
     */
    private static void addPairSums(float[] scratch, int pairSums, int factors, float scale, float sum, int sums) {
        FloatVector blockSum = FloatVector.broadcast(F, sum);
        for (int i = 0; i < BAND_ROWS; i += ROWS) {
            IntVector lanes = FloatVector.fromArray(F, scratch, pairSums + i).reinterpretAsInts();
            FloatVector offsets = FloatVector.fromArray(F, scratch, factors + BAND_ROWS + i).fma(blockSum, FloatVector.fromArray(F, scratch, sums + i));
            ((FloatVector) lanes.reinterpretAsShorts().add(lanes.lanewise(VectorOperators.LSHL, 16).reinterpretAsShorts()).reinterpretAsInts()
                    .lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0))
                    .mul(scale).fma(FloatVector.fromArray(F, scratch, factors + i), offsets).intoArray(scratch, sums + i);
        }
    }

    /**
     * Values k0 to k0 + n of the rows of groups band to band + BAND_GROUPS - 1, dequantized into {@code scratch}: value
     * k0 + k of the band's row i at k·BAND_ROWS + i.
     */
    void dequantizeBand(int band, int k0, int n, float[] scratch) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has 16-bit bands, not float ones");
    }

    /**
     * The sums of {@link #BAND_VECTORS} input vectors (from {@code xT[xo]}: value k of vector t at
     * {@code xo + k·WIDE_GROUP + t}) with the band's rows in the dequantized tile (values 0 to n - 1, from 0 of
     * {@code scratch}) added to theirs from {@code scratch[sums]} (vector t's BAND_ROWS sums from sums + t·BAND_ROWS).
     * The lanes are rows: per value, the band's three vectors of it times each input vector's value broadcast, 24
     * multiply-adds for three loads and eight broadcasts (the file layout's tile kernel: two loads and twelve).
     */
    static void bandTimesVectors(float[] scratch, int tile, int n, float[] xT, int xo, int sums) {
        final int b = BAND_ROWS;
        FloatVector a00 = FloatVector.fromArray(F, scratch, sums), a01 = FloatVector.fromArray(F, scratch, sums + ROWS), a02 = FloatVector.fromArray(F, scratch, sums + 2 * ROWS);
        FloatVector a10 = FloatVector.fromArray(F, scratch, sums + b), a11 = FloatVector.fromArray(F, scratch, sums + b + ROWS), a12 = FloatVector.fromArray(F, scratch, sums + b + 2 * ROWS);
        FloatVector a20 = FloatVector.fromArray(F, scratch, sums + 2 * b), a21 = FloatVector.fromArray(F, scratch, sums + 2 * b + ROWS), a22 = FloatVector.fromArray(F, scratch, sums + 2 * b + 2 * ROWS);
        FloatVector a30 = FloatVector.fromArray(F, scratch, sums + 3 * b), a31 = FloatVector.fromArray(F, scratch, sums + 3 * b + ROWS), a32 = FloatVector.fromArray(F, scratch, sums + 3 * b + 2 * ROWS);
        FloatVector a40 = FloatVector.fromArray(F, scratch, sums + 4 * b), a41 = FloatVector.fromArray(F, scratch, sums + 4 * b + ROWS), a42 = FloatVector.fromArray(F, scratch, sums + 4 * b + 2 * ROWS);
        FloatVector a50 = FloatVector.fromArray(F, scratch, sums + 5 * b), a51 = FloatVector.fromArray(F, scratch, sums + 5 * b + ROWS), a52 = FloatVector.fromArray(F, scratch, sums + 5 * b + 2 * ROWS);
        FloatVector a60 = FloatVector.fromArray(F, scratch, sums + 6 * b), a61 = FloatVector.fromArray(F, scratch, sums + 6 * b + ROWS), a62 = FloatVector.fromArray(F, scratch, sums + 6 * b + 2 * ROWS);
        FloatVector a70 = FloatVector.fromArray(F, scratch, sums + 7 * b), a71 = FloatVector.fromArray(F, scratch, sums + 7 * b + ROWS), a72 = FloatVector.fromArray(F, scratch, sums + 7 * b + 2 * ROWS);
        // The loop counts the tile's index: counting k, with both indices derived from it, C2 kept a bounds check on
        // each load (prompts ran at 0.88 of the file layout's speed).
        for (int w = tile, end = tile + n * b, x0 = xo; w < end; w += b, x0 += MatmulInput.WIDE_GROUP) {
            FloatVector w0 = FloatVector.fromArray(F, scratch, w), w1 = FloatVector.fromArray(F, scratch, w + ROWS), w2 = FloatVector.fromArray(F, scratch, w + 2 * ROWS);
            FloatVector x = FloatVector.broadcast(F, xT[x0]);
            a00 = w0.fma(x, a00);
            a01 = w1.fma(x, a01);
            a02 = w2.fma(x, a02);
            x = FloatVector.broadcast(F, xT[x0 + 1]);
            a10 = w0.fma(x, a10);
            a11 = w1.fma(x, a11);
            a12 = w2.fma(x, a12);
            x = FloatVector.broadcast(F, xT[x0 + 2]);
            a20 = w0.fma(x, a20);
            a21 = w1.fma(x, a21);
            a22 = w2.fma(x, a22);
            x = FloatVector.broadcast(F, xT[x0 + 3]);
            a30 = w0.fma(x, a30);
            a31 = w1.fma(x, a31);
            a32 = w2.fma(x, a32);
            x = FloatVector.broadcast(F, xT[x0 + 4]);
            a40 = w0.fma(x, a40);
            a41 = w1.fma(x, a41);
            a42 = w2.fma(x, a42);
            x = FloatVector.broadcast(F, xT[x0 + 5]);
            a50 = w0.fma(x, a50);
            a51 = w1.fma(x, a51);
            a52 = w2.fma(x, a52);
            x = FloatVector.broadcast(F, xT[x0 + 6]);
            a60 = w0.fma(x, a60);
            a61 = w1.fma(x, a61);
            a62 = w2.fma(x, a62);
            x = FloatVector.broadcast(F, xT[x0 + 7]);
            a70 = w0.fma(x, a70);
            a71 = w1.fma(x, a71);
            a72 = w2.fma(x, a72);
        }
        a00.intoArray(scratch, sums);
        a01.intoArray(scratch, sums + ROWS);
        a02.intoArray(scratch, sums + 2 * ROWS);
        a10.intoArray(scratch, sums + b);
        a11.intoArray(scratch, sums + b + ROWS);
        a12.intoArray(scratch, sums + b + 2 * ROWS);
        a20.intoArray(scratch, sums + 2 * b);
        a21.intoArray(scratch, sums + 2 * b + ROWS);
        a22.intoArray(scratch, sums + 2 * b + 2 * ROWS);
        a30.intoArray(scratch, sums + 3 * b);
        a31.intoArray(scratch, sums + 3 * b + ROWS);
        a32.intoArray(scratch, sums + 3 * b + 2 * ROWS);
        a40.intoArray(scratch, sums + 4 * b);
        a41.intoArray(scratch, sums + 4 * b + ROWS);
        a42.intoArray(scratch, sums + 4 * b + 2 * ROWS);
        a50.intoArray(scratch, sums + 5 * b);
        a51.intoArray(scratch, sums + 5 * b + ROWS);
        a52.intoArray(scratch, sums + 5 * b + 2 * ROWS);
        a60.intoArray(scratch, sums + 6 * b);
        a61.intoArray(scratch, sums + 6 * b + ROWS);
        a62.intoArray(scratch, sums + 6 * b + 2 * ROWS);
        a70.intoArray(scratch, sums + 7 * b);
        a71.intoArray(scratch, sums + 7 * b + ROWS);
        a72.intoArray(scratch, sums + 7 * b + 2 * ROWS);
    }

    /**
     * ROWS fp16 values from {@code offset} as floats to {@code scratch[at]} ({@link F16Kernels#widened} leaves them
     * 2^112 too small); returns no vector, which a call C2 did not inline would box.
     */
    final void halvesToScratch(long offset, float[] scratch, int at) {
        F16Kernels.widened(ShortVector.fromMemorySegment(SH, data, offset, LE)).mul(0x1p112f).intoArray(scratch, at);
    }

    /** Where in the kernels' scratch the four-vector kernels' dequantized tiles wait: after both groups' factors. */
    final int tiles() {
        return factors(2, 0);
    }

    /**
     * Adds the tiles of dequantized values (value v of group A's rows at {@code res[tileA + v·ROWS]}, of B's at tileB
     * + v·ROWS, v below n) times values x to x + n - 1 of two to four input vectors (of three, the last again in the
     * fourth's places; of two, the third's and fourth's left out) to the sums in {@code res} (vector t's: group A's at
     * t·ROWS, B's at {@link #GROUP_B_RESULTS} + t·ROWS). Two to four vectors of Q5_K and Q6_K go through it a sub-block
     * at a time: their values taken apart and multiplied in one method passed C2's node budget and boxed their
     * vectors. It takes and returns no vector.
     */
    static void tilesTimesFourVectors(float[] res, int tileA, int tileB, int n, MatmulInput in, int count, int x) {
        float[] x0 = in.single(0).values(), x1 = in.single(1).values(), x2 = in.single(Math.min(2, count - 1)).values(), x3 = in.single(count - 1).values();
        FloatVector a0 = FloatVector.fromArray(F, res, 0), a1 = FloatVector.fromArray(F, res, ROWS);
        FloatVector a2 = FloatVector.fromArray(F, res, 2 * ROWS), a3 = FloatVector.fromArray(F, res, 3 * ROWS);
        FloatVector b0 = FloatVector.fromArray(F, res, GROUP_B_RESULTS), b1 = FloatVector.fromArray(F, res, GROUP_B_RESULTS + ROWS);
        FloatVector b2 = FloatVector.fromArray(F, res, GROUP_B_RESULTS + 2 * ROWS), b3 = FloatVector.fromArray(F, res, GROUP_B_RESULTS + 3 * ROWS);
        for (int v = 0; v < n; v++, x++) {
            FloatVector wA = FloatVector.fromArray(F, res, tileA + v * ROWS), wB = FloatVector.fromArray(F, res, tileB + v * ROWS);
            FloatVector xv = FloatVector.broadcast(F, x0[x]);
            a0 = wA.fma(xv, a0);
            b0 = wB.fma(xv, b0);
            xv = FloatVector.broadcast(F, x1[x]);
            a1 = wA.fma(xv, a1);
            b1 = wB.fma(xv, b1);
            if (count > 2) { // two vectors skip the places of the third and fourth
                xv = FloatVector.broadcast(F, x2[x]);
                a2 = wA.fma(xv, a2);
                b2 = wB.fma(xv, b2);
                xv = FloatVector.broadcast(F, x3[x]);
                a3 = wA.fma(xv, a3);
                b3 = wB.fma(xv, b3);
            }
        }
        a0.intoArray(res, 0);
        a1.intoArray(res, ROWS);
        a2.intoArray(res, 2 * ROWS);
        a3.intoArray(res, 3 * ROWS);
        b0.intoArray(res, GROUP_B_RESULTS);
        b1.intoArray(res, GROUP_B_RESULTS + ROWS);
        b2.intoArray(res, GROUP_B_RESULTS + 2 * ROWS);
        b3.intoArray(res, GROUP_B_RESULTS + 3 * ROWS);
    }

    /** Rows first..end of a group's results (in {@code results} from {@code at}) to {@code out} from outOffset. */
    private static void keepRows(float[] results, int at, float[] out, int outOffset, int group, int first, int end) {
        System.arraycopy(results, at + first - group * ROWS, out, outOffset + first, end - first);
    }

    /** Where {@code group}'s values start, after its headers. */
    final long values(int group) {
        return groupBase(group) + (long) blocksPerRow * headerBytes;
    }

    /** Where block position b's factors of the kernel's group {@code slot} lie in the scratch ({@link #scalesToScratch}). */
    final int factors(int slot, int b) {
        return FACTORS + (slot * blocksPerRow + b) * factorFloats;
    }

    /**
     * Before a kernel reads groups A and B (which may be the same): every block position's factors of group A (slot 0)
     * and B (slot 1), worked out from the headers, to {@code scratch} from {@link #factors}, which the kernel then takes
     * instead of the headers' bytes. Out of the kernels because C2 compiles a method with what it inlines as one unit
     * within a budget of parsed nodes (NodeCountInliningCutoff, 18,000), and the Vector API's operations parse into
     * hundreds each: a kernel is near the budget alone, and past it the operations left are calls that box every
     * vector (Q4_K decoded at 2 tokens/s instead of 20 with its scales taken out inside the kernel). Each type has its
     * own loop over the block positions: one shared loop calling each type's per-block method made that call
     * megamorphic in models of several types (a Q4_0 file's Q6_K output matrix was enough: tinyllama Q4_0 tg64
     * 39.9/40.6 -> 37.2/36.1 t/s).
     */
    abstract void scalesToScratch(int groupA, int groupB, float[] scratch);

    /**
     * Two groups' rows times input vector 0, side by side (two streams through memory), into {@code res} from 0 and
     * from {@link #GROUP_B_RESULTS}; {@code res[KEEP_ALIVE]} keeps the read-ahead loads alive.
     */
    abstract void groupsTimesVector(int groupA, int groupB, MatmulInput in, float[] res);

    /**
     * Two groups' rows times two to four input vectors, each prepared as an input of its own (of three, the last
     * again in the fourth's places; of two, the kernel leaves the third's and fourth's out), each block converted once
     * for all of them: the results of vector t go to {@code res} from t·ROWS (group A) and from
     * {@link #GROUP_B_RESULTS} + t·ROWS (group B); {@code res[KEEP_ALIVE]} keeps the read-ahead loads alive.
     */
    abstract void groupsTimesFourVectors(int groupA, int groupB, MatmulInput in, int count, float[] res);
}
