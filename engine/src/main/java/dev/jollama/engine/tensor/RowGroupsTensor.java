package dev.jollama.engine.tensor;

import dev.jollama.engine.gguf.GgmlType;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.util.function.LongFunction;

/**
 * A matrix of 4-bit values in a copy of its own where the blocks of {@link #ROWS} consecutive rows (as many as float
 * lanes) lie together: per group of rows, the rows' scales, and int vectors whose lane r holds eight of row r's nibbles
 * ({@link #eightNibbles}). The bytes of the file's rows in another order, in memory the loader gives (a private
 * copy-on-write mapping of the file).
 *
 * <p>The decode kernels take one nibble position of all the group's rows at once: for one input vector both 16-bit
 * halves of every lane times a broadcast pair of the input's 8-bit values ({@link MatmulInput#quantizedPairs}), for two
 * to four as floats times one broadcast input value per vector ({@link MatmulInput#nibbleOrdered}): no sums across
 * lanes, no scale per row, a block's scales one vector. In the file's layout a block of one row fills the lanes, so
 * every row pays its own scale multiplication and reduction. Prompts (five vectors and more) go through the file
 * layout's dequantized tiles, so the file's mapping stays beside the copy: gathering a row's block from its group cost
 * 1.3 times the work. The copy is filled in the background once decoding starts ({@link Repacker}); until then products
 * read the file's layout.
 */
abstract sealed class RowGroupsTensor extends FloatTensor permits Q4_0RowGroupsTensor, Q4KRowGroupsTensor {
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

    /** The same matrix in the file's layout: the scalar reference, and what prompts' tiles dequantize. */
    final FloatTensor fileLayout;
    /** Blocks of the file's type per row. */
    final int blocksPerRow;
    /** Bytes of one block position of a group: the group's rows' blocks there. */
    final long groupBlockBytes;
    /** Fills the copy ({@link #fill}) once decoding starts. */
    private final Repacker repacker;
    /** Whether {@link #fill} is done: until then products read the file's layout. */
    private volatile boolean filled;

    RowGroupsTensor(MemorySegment data, FloatTensor fileLayout, int blocksPerRow, Repacker repacker) {
        super(data, fileLayout.size());
        this.fileLayout = fileLayout;
        this.blocksPerRow = blocksPerRow;
        this.groupBlockBytes = (long) fileLayout.type().bytesPerBlock * ROWS;
        this.repacker = repacker;
    }

    /**
     * {@code file} as a matrix of rows {@code rowLength} wide in the memory {@code memory} gives for a copy (not filled
     * yet), where its type has a row-group layout and its shape fits it (whole groups of rows of whole blocks);
     * otherwise, or without memory, null.
     */
    static RowGroupsTensor of(FloatTensor file, long rowLength, LongFunction<MemorySegment> memory, Repacker repacker) {
        int blockSize = file.type().blockSize;
        boolean fits = rowLength > 0 && rowLength % blockSize == 0 && file.size() % rowLength == 0 && file.size() / rowLength % ROWS == 0;
        if (!fits || !(file instanceof Q4_0Tensor || file instanceof Q4KTensor)) {
            return null;
        }
        MemorySegment into = memory.apply(file.data.byteSize());
        if (into == null) {
            return null;
        }
        int blocksPerRow = (int) (rowLength / blockSize);
        return file instanceof Q4_0Tensor q4_0 ? new Q4_0RowGroupsTensor(into, q4_0, blocksPerRow, repacker)
                : new Q4KRowGroupsTensor(into, (Q4KTensor) file, blocksPerRow, repacker);
    }

    /** Writes the file's rows into the copy in this layout, then lets products read it. */
    final void fill() {
        if (!filled) {
            pack();
            filled = true;
        }
    }

    /** Writes the file's rows ({@link #fileLayout}) into {@link #data} in this layout. */
    abstract void pack();

    /** The copy once filled; until then the file's layout, and a decode-sized product starts the filling. */
    @Override
    final FloatTensor forProducts(int count) {
        if (filled) {
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

    /** Two to four vectors: each in float with its sums, for the four-vector kernels. */
    @Override
    final void prepareFourVectors(MatmulInput in) {
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
        return packed.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4 * p).and((short) 0xF);
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

    /** One vector and up to four go through the decode kernels (each prepared), more through the file layout's tiles. */
    @Override
    final void prepareInput(MatmulInput in) {
        if (in.count() > 4) {
            fileLayout.prepareInput(in);
        } else if (in.count() > 1) {
            prepareFourVectors(in);
        } else {
            prepare(in);
        }
    }

    /** Pairs of groups of rows per worker for up to four vectors, the file layout's tiles for more. */
    @Override
    final int rowGrain(int count) {
        return count <= 4 ? 2 * ROWS : fileLayout.rowGrain(count);
    }

    /**
     * Rows from..to, two groups of rows at a time (the groups at the ends computed whole, their rows in range kept),
     * the first half of the groups beside the second (two streams through memory): one input vector, or up to four
     * (a step of several sequences decoding); more (a prompt) go through the file layout's dequantized tiles.
     */
    @Override
    final void multiplyRows(MatmulInput in, float[] out, int rows, int from, int to, float[] scratch) {
        int count = in.count();
        if (count > 4) {
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

    /** Rows first..end of a group's results (in {@code results} from {@code at}) to {@code out} from outOffset. */
    private static void keepRows(float[] results, int at, float[] out, int outOffset, int group, int first, int end) {
        System.arraycopy(results, at + first - group * ROWS, out, outOffset + first, end - first);
    }

    /**
     * Before a kernel reads groups A and B (which may be the same): whatever of them it takes from {@code scratch}
     * instead of their bytes. Out of the kernels because C2 compiles a method with what it inlines as one unit within a budget
     * of parsed nodes (NodeCountInliningCutoff, 18,000), and the Vector API's operations parse into hundreds each: a
     * kernel is near the budget alone, and past it the operations left are calls that box every vector (Q4_K decoded
     * at 2 tokens/s instead of 20 with its scales taken out inside the kernel).
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
