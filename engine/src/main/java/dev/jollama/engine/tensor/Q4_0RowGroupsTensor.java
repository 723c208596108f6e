package dev.jollama.engine.tensor;

import dev.jollama.engine.gguf.GgmlType;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;
import java.util.function.LongFunction;

/**
 * A Q4_0 matrix repacked at load so that the blocks of {@link #ROWS} consecutive rows (as many as float lanes) lie
 * together: per group of rows and block position, the rows' fp16 scales, then four int vectors whose lane r holds
 * four bytes of row r's nibbles (vector v: bytes 4v to 4v + 3 of the block). The same bytes as the file's rows, 18
 * per block and row, in another order, in memory the loader gives (a private copy-on-write mapping of the file).
 *
 * <p>The decode kernels convert one nibble position of all the group's rows at once and multiply it by one broadcast
 * input value per input vector: no sums across lanes, no scale per row, a block's scales one vector. In the file's
 * layout a block of one row fills the lanes, so every row pays its own scale multiplication and reduction. Over the
 * Q4_0 matrices of a tinyllama-shape file, two cores, from memory: one vector 1.10-1.12 times the file layout's
 * speed, four vectors 1.42-1.44 times. Prompts (five vectors and more) go through the file layout's dequantized tiles,
 * so the file's mapping stays beside the copy: gathering a row's block from its group cost 1.3 times the work.
 */
public final class Q4_0RowGroupsTensor extends FloatTensor {
    /** Rows per group: one per float lane. */
    static final int ROWS = F.length();
    private static final int BLOCK_BYTES = 18;
    private static final int SCALE_BYTES = 2 * ROWS;
    private static final int GROUP_BLOCK_BYTES = BLOCK_BYTES * ROWS;

    private final int blocksPerRow;
    /** The same matrix in the file's layout: the scalar reference, and what prompts' tiles dequantize. */
    private final Q4_0Tensor fileLayout;

    private Q4_0RowGroupsTensor(MemorySegment data, Q4_0Tensor fileLayout, int blocksPerRow) {
        super(data, fileLayout.size());
        this.fileLayout = fileLayout;
        this.blocksPerRow = blocksPerRow;
    }

    /** Whether a Q4_0 matrix of this shape can be repacked: whole groups of rows of whole blocks. */
    static boolean fits(long size, long rowLength) {
        return rowLength > 0 && rowLength % 32 == 0 && size % rowLength == 0 && size / rowLength % ROWS == 0;
    }

    /**
     * The rows of {@code file} (rows of {@code rowLength} values; see {@link #fits}) repacked into {@code packed} (as
     * many bytes), beside the file's layout, which stays the reference and serves prompts.
     */
    static Q4_0RowGroupsTensor repack(Q4_0Tensor file, long rowLength, MemorySegment packed) {
        int blocksPerRow = (int) (rowLength / 32);
        long groups = file.size() / rowLength / ROWS;
        MemorySegment bytes = file.data;
        for (long g = 0; g < groups; g++) {
            for (int b = 0; b < blocksPerRow; b++) {
                long to = (g * blocksPerRow + b) * GROUP_BLOCK_BYTES;
                for (int r = 0; r < ROWS; r++) {
                    long from = ((g * ROWS + r) * blocksPerRow + b) * BLOCK_BYTES;
                    packed.set(SHORT_LE, to + 2L * r, bytes.get(SHORT_LE, from));
                    for (int v = 0; v < 4; v++) {
                        packed.set(INT_LE, to + SCALE_BYTES + 4L * (v * ROWS + r), bytes.get(INT_LE, from + 2 + 4 * v));
                    }
                }
            }
        }
        return new Q4_0RowGroupsTensor(packed, file, blocksPerRow);
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q4_0;
    }

    @Override
    public FloatTensor asMatrix(long rowLength, LongFunction<MemorySegment> memory) {
        if (rowLength != 32L * blocksPerRow) {
            throw new IllegalArgumentException("a Q4_0 matrix repacked with rows of " + 32L * blocksPerRow + " values read as rows of " + rowLength);
        }
        return this;
    }

    @Override
    public float getFloat(long index) {
        return fileLayout.getFloat(index);
    }

    @Override
    protected float dotBlocks(long firstBlock, float[] x, int xOffset, int blockCount) {
        return fileLayout.dotBlocks(firstBlock, x, xOffset, blockCount);
    }

    @Override
    protected void dequantize(long firstBlock, int blocks, float[] dst, int dstOffset) {
        fileLayout.dequantize(firstBlock, blocks, dst, dstOffset);
    }

    @Override
    public void copyTo(long offset, float[] out, int outOffset, int n) {
        fileLayout.copyTo(offset, out, outOffset, n);
    }

    @Override
    FloatTensor sliceOf(long offset, long size) {
        long groupValues = 32L * blocksPerRow * ROWS;
        if (offset % groupValues != 0 || size % groupValues != 0) {
            throw new IllegalArgumentException("values " + offset + ".." + (offset + size) + " are not whole groups of "
                    + ROWS + " rows of the repacked Q4_0 matrix");
        }
        return new Q4_0RowGroupsTensor(data.asSlice(offset / 32 * BLOCK_BYTES, size / 32 * BLOCK_BYTES),
                (Q4_0Tensor) fileLayout.sliceOf(offset, size), blocksPerRow);
    }

    @Override
    void prepare(MatmulInput in) {
        super.prepare(in);
        in.computeNibbleOrder();
    }

    /** One vector and up to four go through the decode kernels (each prepared), more through the file layout's tiles. */
    @Override
    void prepareInput(MatmulInput in) {
        if (in.count() > 4) {
            fileLayout.prepareInput(in);
        } else if (in.count() > 1) {
            prepareFourVectors(in);
        } else {
            prepare(in);
        }
    }

    /** Pairs of groups of rows per worker for one vector, whole groups for up to four, the file layout's tiles for more. */
    @Override
    int rowGrain(int count) {
        return count == 1 ? 2 * ROWS : count <= 4 ? ROWS : fileLayout.rowGrain(count);
    }

    /**
     * Rows from..to, a group of rows at a time (the groups at the ends computed whole, their rows in range kept): one
     * input vector, or up to four (a step of several sequences decoding); more (a prompt) go through the file layout's
     * dequantized tiles.
     */
    @Override
    void multiplyRows(MatmulInput in, float[] out, int rows, int from, int to, float[] scratch) {
        int count = in.count();
        if (count > 4) {
            fileLayout.multiplyRows(in, out, rows, from, to, scratch);
        } else if (count == 1) {
            // Two streams through memory, the first half of the groups beside the second; an odd last group is
            // computed twice (workers take pairs of groups: only a matrix of an odd number of groups has one).
            int firstGroup = from / ROWS, groups = (to - 1) / ROWS + 1 - firstGroup, half = (groups + 1) / 2;
            for (int a = firstGroup; a < firstGroup + half; a++) {
                int b = Math.min(a + half, firstGroup + groups - 1);
                groupsTimesVector(a, b, in, scratch);
                keepRows(scratch, 0, out, 0, a, Math.max(from, a * ROWS), Math.min(to, a * ROWS + ROWS));
                if (b != a) {
                    keepRows(scratch, 1, out, 0, b, Math.max(from, b * ROWS), Math.min(to, b * ROWS + ROWS));
                }
            }
        } else {
            for (int group = from / ROWS; group * ROWS < to; group++) {
                groupTimesFourVectors(group, in, count, scratch);
                for (int t = 0; t < count; t++) {
                    keepRows(scratch, t, out, t * rows, group, Math.max(from, group * ROWS), Math.min(to, group * ROWS + ROWS));
                }
            }
        }
    }

    /** Rows first..end of group's results for vector t (in {@code results} from t·ROWS) to {@code out} from outOffset. */
    private static void keepRows(float[] results, int t, float[] out, int outOffset, int group, int first, int end) {
        System.arraycopy(results, t * ROWS + first - group * ROWS, out, outOffset + first, end - first);
    }

    /**
     * Two groups' rows times input vector 0, side by side (two streams through memory), into {@code res} from 0 and
     * from ROWS: per block, each nibble position of every row picked out where it lies (256^b too large) times the
     * input value it multiplies, broadcast and scaled to match ({@link MatmulInput#nibbleOrdered}); then times the rows'
     * scales, and the -8 of every value through the input's block sums: Σ d·(q - 8)·x = Σ d·Σ q·x - 8·Σ d·Σ x.
     */
    private void groupsTimesVector(int groupA, int groupB, MatmulInput in, float[] res) {
        float[] xs = in.nibbleOrdered(), sums = in.sums16();
        FloatVector accA = FloatVector.zero(F), accB = accA, offA = accA, offB = accA;
        long baseA = (long) groupA * blocksPerRow * GROUP_BLOCK_BYTES, baseB = (long) groupB * blocksPerRow * GROUP_BLOCK_BYTES;
        int touched = 0;
        for (int b = 0; b < blocksPerRow; b++, baseA += GROUP_BLOCK_BYTES, baseB += GROUP_BLOCK_BYTES) {
            touched += touchLinesAhead(baseA, GROUP_BLOCK_BYTES) + touchLinesAhead(baseB, GROUP_BLOCK_BYTES);
            FloatVector dA = scales(baseA), dB = scales(baseB);
            FloatVector lowA = FloatVector.zero(F), highA = lowA, lowB = lowA, highB = lowA;
            for (int v = 0; v < 4; v++) {
                IntVector packedA = IntVector.fromMemorySegment(I, data, baseA + SCALE_BYTES + 4L * ROWS * v, LE);
                IntVector packedB = IntVector.fromMemorySegment(I, data, baseB + SCALE_BYTES + 4L * ROWS * v, LE);
                IntVector shiftedA = packedA.lanewise(VectorOperators.LSHR, 4), shiftedB = packedB.lanewise(VectorOperators.LSHR, 4);
                int at = 32 * b + 8 * v;
                for (int k = 0; k < 4; k++) {
                    FloatVector xl = FloatVector.broadcast(F, xs[at + 2 * k]), xh = FloatVector.broadcast(F, xs[at + 2 * k + 1]);
                    lowA = inPlace(packedA, 0xF << 8 * k).fma(xl, lowA);
                    highA = inPlace(shiftedA, 0xF << 8 * k).fma(xh, highA);
                    lowB = inPlace(packedB, 0xF << 8 * k).fma(xl, lowB);
                    highB = inPlace(shiftedB, 0xF << 8 * k).fma(xh, highB);
                }
            }
            float blockSum = sums[2 * b] + sums[2 * b + 1];
            accA = lowA.add(highA).fma(dA, accA);
            accB = lowB.add(highB).fma(dB, accB);
            offA = dA.fma(FloatVector.broadcast(F, blockSum), offA);
            offB = dB.fma(FloatVector.broadcast(F, blockSum), offB);
        }
        accA.sub(offA.mul(8f)).intoArray(res, 0);
        accB.sub(offB.mul(8f)).intoArray(res, ROWS);
        res[2 * ROWS] = touched;
    }

    /** A group-block's scales as floats ({@link F16Kernels#widened} leaves them 2^112 too small). */
    private FloatVector scales(long groupBlock) {
        return F16Kernels.widened(ShortVector.fromMemorySegment(SH, data, groupBlock, LE)).mul(0x1p112f);
    }

    /**
     * As {@link #groupsTimesVector}, one group, for two to four input vectors, each prepared as an input of its own (of two or
     * three, the last again in the places left): each nibble position converted once for all of them. The results of
     * vector t go to {@code res} from t·ROWS.
     */
    private void groupTimesFourVectors(int group, MatmulInput in, int count, float[] res) {
        MatmulInput v0 = in.single(0), v1 = in.single(1), v2 = in.single(Math.min(2, count - 1)), v3 = in.single(count - 1);
        float[] x0 = v0.nibbleOrdered(), x1 = v1.nibbleOrdered(), x2 = v2.nibbleOrdered(), x3 = v3.nibbleOrdered();
        float[] s0 = v0.sums16(), s1 = v1.sums16(), s2 = v2.sums16(), s3 = v3.sums16();
        FloatVector acc0 = FloatVector.zero(F), acc1 = acc0, acc2 = acc0, acc3 = acc0, off0 = acc0, off1 = acc0, off2 = acc0, off3 = acc0;
        long base = (long) group * blocksPerRow * GROUP_BLOCK_BYTES;
        int touched = 0;
        for (int b = 0; b < blocksPerRow; b++, base += GROUP_BLOCK_BYTES) {
            touched += touchLinesAhead(base, GROUP_BLOCK_BYTES);
            FloatVector d = scales(base);
            FloatVector l0 = FloatVector.zero(F), l1 = l0, l2 = l0, l3 = l0, h0 = l0, h1 = l0, h2 = l0, h3 = l0;
            for (int v = 0; v < 4; v++) {
                IntVector packed = IntVector.fromMemorySegment(I, data, base + SCALE_BYTES + 4L * ROWS * v, LE);
                IntVector shifted = packed.lanewise(VectorOperators.LSHR, 4);
                for (int k = 0; k < 4; k++) {
                    FloatVector wl = inPlace(packed, 0xF << 8 * k), wh = inPlace(shifted, 0xF << 8 * k);
                    int xl = 32 * b + 8 * v + 2 * k, xh = xl + 1;
                    l0 = wl.fma(FloatVector.broadcast(F, x0[xl]), l0);
                    h0 = wh.fma(FloatVector.broadcast(F, x0[xh]), h0);
                    l1 = wl.fma(FloatVector.broadcast(F, x1[xl]), l1);
                    h1 = wh.fma(FloatVector.broadcast(F, x1[xh]), h1);
                    l2 = wl.fma(FloatVector.broadcast(F, x2[xl]), l2);
                    h2 = wh.fma(FloatVector.broadcast(F, x2[xh]), h2);
                    l3 = wl.fma(FloatVector.broadcast(F, x3[xl]), l3);
                    h3 = wh.fma(FloatVector.broadcast(F, x3[xh]), h3);
                }
            }
            acc0 = l0.add(h0).fma(d, acc0);
            acc1 = l1.add(h1).fma(d, acc1);
            acc2 = l2.add(h2).fma(d, acc2);
            acc3 = l3.add(h3).fma(d, acc3);
            off0 = d.fma(FloatVector.broadcast(F, s0[2 * b] + s0[2 * b + 1]), off0);
            off1 = d.fma(FloatVector.broadcast(F, s1[2 * b] + s1[2 * b + 1]), off1);
            off2 = d.fma(FloatVector.broadcast(F, s2[2 * b] + s2[2 * b + 1]), off2);
            off3 = d.fma(FloatVector.broadcast(F, s3[2 * b] + s3[2 * b + 1]), off3);
        }
        acc0.sub(off0.mul(8f)).intoArray(res, 0);
        acc1.sub(off1.mul(8f)).intoArray(res, ROWS);
        acc2.sub(off2.mul(8f)).intoArray(res, 2 * ROWS);
        acc3.sub(off3.mul(8f)).intoArray(res, 3 * ROWS);
        res[4 * ROWS] = touched;
    }
}
