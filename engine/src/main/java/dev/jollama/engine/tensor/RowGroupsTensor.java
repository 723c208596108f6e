package dev.jollama.engine.tensor;

import dev.jollama.engine.gguf.GgmlType;

import java.lang.foreign.MemorySegment;
import java.util.function.LongFunction;

/**
 * A matrix of 4-bit values in a copy of its own where the blocks of {@link #ROWS} consecutive rows (as many as float
 * lanes) lie together, block position by block position: per group of rows and block, the rows' scales, then int
 * vectors whose lane r holds four bytes of row r's nibbles. The bytes of the file's rows in another order (Q4_K's
 * nibbles also paired as Q4_0's: value i and i + 16 of a 32-value sub-block in one byte), in memory the loader gives
 * (a private copy-on-write mapping of the file).
 *
 * <p>The decode kernels convert one nibble position of all the group's rows at once and multiply it by one broadcast
 * input value per input vector ({@link MatmulInput#nibbleOrdered}): no sums across lanes, no scale per row, a block's
 * scales one vector. In the file's layout a block of one row fills the lanes, so every row pays its own scale
 * multiplication and reduction. Prompts (five vectors and more) go through the file layout's dequantized tiles, so
 * the file's mapping stays beside the copy: gathering a row's block from its group cost 1.3 times the work. The copy
 * is filled in the background once decoding starts ({@link Repacker}); until then products read the file's layout.
 */
abstract sealed class RowGroupsTensor extends FloatTensor permits Q4_0RowGroupsTensor, Q4KRowGroupsTensor {
    /** Rows per group: one per float lane. */
    static final int ROWS = F.length();
    /** Where in a kernel's results group B's begin (group A's from 0, vector t's at t·ROWS of each). */
    static final int GROUP_B_RESULTS = 4 * ROWS;
    /** The slot of a kernel's results that keeps its read-ahead loads alive. */
    static final int KEEP_ALIVE = 8 * ROWS;

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

    @Override
    final void prepare(MatmulInput in) {
        super.prepare(in);
        in.computeNibbleOrder();
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
