package dev.jollama.engine.tensor;

import dev.jollama.engine.gguf.GgmlType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.function.LongFunction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Q4_0, Q4_K, Q5_K and Q6_K rows repacked in groups against the same rows in the file's layout, their kernels against the scalar reference. */
class RowGroupsTensorTest {
    private static final int ROWS = 3 * 16;
    private static final LongFunction<MemorySegment> NATIVE = bytes -> Arena.ofAuto().allocate(bytes, 64);

    @ParameterizedTest
    @EnumSource(names = {"Q4_0", "Q4_K", "Q5_K", "Q6_K"})
    void holdsTheFileLayoutsValues(GgmlType type) {
        Random random = new Random(40);
        for (int cols : new int[]{type.blockSize, 17 * type.blockSize}) {
            FloatTensor file = TensorKernelTest.randomTensor(type, ROWS * cols, random);
            FloatTensor repacked = filled(file, cols);
            assertThat(repacked).isInstanceOf(switch (type) {
                case Q4_0 -> Q4_0RowGroupsTensor.class;
                case Q4_K -> Q4KRowGroupsTensor.class;
                case Q5_K -> Q5KRowGroupsTensor.class;
                default -> Q6KRowGroupsTensor.class;
            });
            assertThat(repacked.type()).isEqualTo(type);
            float[] fromFile = new float[ROWS * cols], dequantized = new float[ROWS * cols];
            file.dequantize(0, ROWS * cols / type.blockSize, fromFile, 0);
            repacked.dequantize(0, ROWS * cols / type.blockSize, dequantized, 0);
            for (int i = 0; i < ROWS * cols; i++) {
                assertThat(repacked.getFloat(i)).as("value %d of rows of %d", i, cols).isEqualTo(file.getFloat(i));
                assertThat(dequantized[i]).as("dequantized value %d", i).isEqualTo(fromFile[i]);
            }
            float[] x = gaussian(ROWS * cols, random);
            assertThat((double) repacked.dot(7, x, 0, 3 * cols - 20)).isCloseTo(file.dot(7, x, 0, 3 * cols - 20), within(1e-3));
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"Q4_0", "Q4_K", "Q5_K", "Q6_K"})
    void onlyWholeGroupsOfRowsOfWholeBlocksAreRepacked(GgmlType type) {
        Random random = new Random(41);
        int block = type.blockSize;
        Repacker repacker = new Repacker("test");
        FloatTensor rowsShort = TensorKernelTest.randomTensor(type, (ROWS - 1) * 2 * block, random);
        assertThat(repacker.matrix(rowsShort, 2 * block, NATIVE)).isSameAs(rowsShort);
        FloatTensor partBlocks = TensorKernelTest.randomTensor(type, ROWS * 3 * block / 2, random);
        assertThat(repacker.matrix(partBlocks, 3 * block / 2, NATIVE)).isSameAs(partBlocks);
        FloatTensor withoutMemory = TensorKernelTest.randomTensor(type, ROWS * block, random);
        assertThat(repacker.matrix(withoutMemory, block, bytes -> null)).isSameAs(withoutMemory);
    }

    @ParameterizedTest
    @EnumSource(names = {"Q8_0", "Q4_1", "Q5_0"})
    void otherTypesStayAsTheyAre(GgmlType type) {
        FloatTensor other = TensorKernelTest.randomTensor(type, ROWS * 256, new Random(45));
        assertThat(new Repacker("test").matrix(other, 256, NATIVE)).isSameAs(other);
    }

    /**
     * One vector, two to four (a decode step of several sequences) and more (prompts: whole passes of sixteen and a
     * partial one, a whole transposed group of 64 and one past it), on one and two threads, against the reference.
     */
    @ParameterizedTest
    @EnumSource(names = {"Q4_0", "Q4_K", "Q5_K", "Q6_K"})
    void productsAgreeWithTheScalarReference(GgmlType type) {
        Random random = new Random(42);
        for (int cols : evenAndOddBlocks(type)) {
            FloatTensor repacked = filled(TensorKernelTest.randomTensor(type, ROWS * cols, random), cols);
            for (int count : new int[]{1, 2, 3, 4, 5, 16, 37, MatmulInput.WIDE_GROUP, MatmulInput.WIDE_GROUP + 17}) {
                for (int threads : new int[]{1, 2}) {
                    MatmulInput in = input(cols, count, random);
                    float[] out = new float[ROWS * count];
                    try (WorkerPool pool = new WorkerPool(threads)) {
                        new Matmul(pool).multiply(repacked, in, out, ROWS);
                    }
                    assertMatchesReference(repacked, in, productBlock(type, count, ROWS), out, 0, ROWS, cols + " wide x" + count + " on " + threads);
                }
            }
        }
    }

    /**
     * Prompts through the copy's bands: a matrix of five groups (its last band reaches back over the second and third
     * group, which it leaves as they are) and ranges of a worker that start and end inside a band, against the
     * reference.
     */
    @ParameterizedTest
    @EnumSource(names = {"Q4_0", "Q4_K", "Q5_K", "Q6_K"})
    void bandsCoverEveryRowOnce(GgmlType type) {
        Random random = new Random(47);
        int rows = 5 * RowGroupsTensor.ROWS, cols = 2 * RowGroupsTensor.BAND_CHUNK + 256;
        FloatTensor repacked = filled(TensorKernelTest.randomTensor(type, rows * cols, random), cols);
        for (int count : new int[]{5, 9, MatmulInput.WIDE_GROUP + 3}) {
            for (int[] range : new int[][]{{0, rows}, {3, rows - 7}, {RowGroupsTensor.ROWS + 1, 2 * RowGroupsTensor.ROWS}}) {
                MatmulInput in = repacked.inputFor(input(cols, count, random));
                repacked.prepareInput(in);
                float[] out = new float[rows * count];
                java.util.Arrays.fill(out, Float.NaN);
                repacked.multiplyRows(in, out, rows, range[0], range[1], new float[FloatTensor.scratchFloats(cols)]);
                assertMatchesReference(repacked, in, productBlock(type, count, rows), out, rows, range[0], range[1], "rows " + range[0] + ".." + range[1] + " x" + count);
                for (int t = 0; t < count; t++) {
                    for (int r = 0; r < rows; r++) {
                        if (r < range[0] || r >= range[1]) {
                            assertThat(out[t * rows + r]).as("row %d of vector %d, outside the range", r, t).isNaN();
                        }
                    }
                }
            }
        }
    }

    /**
     * Once filled, a prompt's product reads the copy alone (so the process can let go of the file's pages): the same
     * product after the file's bytes were zeroed gives the same values. With 8 lanes prompts read the file's layout.
     */
    @ParameterizedTest
    @EnumSource(names = {"Q4_0", "Q4_K", "Q5_K", "Q6_K"})
    void promptsReadTheFilledCopy(GgmlType type) {
        Random random = new Random(48);
        int cols = 512;
        FloatTensor file = TensorKernelTest.randomTensor(type, ROWS * cols, random);
        RowGroupsTensor repacked = (RowGroupsTensor) filled(file, cols);
        assumeTrue(repacked.promptsReadCopy(), "prompts read the file's layout with " + FloatTensor.F.length() + " lanes");
        MatmulInput in = input(cols, 20, random);
        float[] before = new float[ROWS * 20], after = new float[ROWS * 20];
        try (WorkerPool pool = new WorkerPool(2)) {
            new Matmul(pool).multiply(repacked, in, before, ROWS);
            file.data.fill((byte) 0);
            new Matmul(pool).multiply(repacked, in, after, ROWS);
        }
        assertThat(after).containsExactly(before);
    }

    /** A worker's rows may start and end inside a group: only those rows are written. */
    @ParameterizedTest
    @EnumSource(names = {"Q4_0", "Q4_K", "Q5_K", "Q6_K"})
    void rowsInsideGroupsAreTheirsAlone(GgmlType type) {
        Random random = new Random(43);
        int cols = 256;
        FloatTensor repacked = filled(TensorKernelTest.randomTensor(type, ROWS * cols, random), cols);
        for (int count : new int[]{1, 3, 20}) {
            MatmulInput in = repacked.inputFor(input(cols, count, random));
            repacked.prepareInput(in);
            float[] out = new float[ROWS * count];
            java.util.Arrays.fill(out, Float.NaN);
            repacked.multiplyRows(in, out, ROWS, 5, 29, new float[FloatTensor.scratchFloats(cols)]);
            assertMatchesReference(repacked, in, productBlock(type, count, ROWS), out, 5, 29, "rows 5..29 x" + count);
            for (int t = 0; t < count; t++) {
                for (int r = 0; r < ROWS; r++) {
                    if (r < 5 || r >= 29) {
                        assertThat(out[t * ROWS + r]).as("row %d of vector %d, outside the range", r, t).isNaN();
                    }
                }
            }
        }
    }

    /** Models slice only the file's tensors; a slice of a copy reads the file's layout, wherever it starts. */
    @ParameterizedTest
    @EnumSource(names = {"Q4_0", "Q4_K", "Q5_K", "Q6_K"})
    void slicesReadTheFileLayout(GgmlType type) {
        int cols = 2 * type.blockSize;
        FloatTensor file = TensorKernelTest.randomTensor(type, ROWS * cols, new Random(44));
        FloatTensor slice = filled(file, cols).slice(cols, 17L * cols);
        assertThat(slice.type()).isEqualTo(type);
        for (int i = 0; i < 17 * cols; i++) {
            assertThat(slice.getFloat(i)).isEqualTo(file.getFloat(cols + i));
        }
    }

    /**
     * Until decoding starts the copy is not filled and products read the file's layout; the first decode-sized
     * product starts the filling, after which products read the copy; a closed repacker fills nothing more.
     */
    @ParameterizedTest
    @EnumSource(names = {"Q4_0", "Q4_K", "Q5_K", "Q6_K"})
    void copiesAreFilledOnceDecodingStarts(GgmlType type) throws InterruptedException {
        Random random = new Random(46);
        int cols = 512;
        FloatTensor file = TensorKernelTest.randomTensor(type, ROWS * cols, random);
        Repacker repacker = new Repacker("test");
        FloatTensor matrix = repacker.matrix(file, cols, NATIVE);
        assertThat(matrix.forProducts(20)).isSameAs(file);
        try (WorkerPool pool = new WorkerPool(2)) {
            MatmulInput prompt = input(cols, 20, random);
            float[] out = new float[ROWS * 20];
            new Matmul(pool).multiply(matrix, prompt, out, ROWS);
            assertMatchesReference(file, prompt, 0, out, 0, ROWS, "a prompt before filling");
            MatmulInput decode = input(cols, 1, random);
            out = new float[ROWS];
            new Matmul(pool).multiply(matrix, decode, out, ROWS);
            assertMatchesReference(file, decode, inputBlock(type), out, 0, ROWS, "a decode step starting the filling");
            repacker.awaitFilled();
            assertThat(matrix.forProducts(1)).isSameAs(matrix);
            new Matmul(pool).multiply(matrix, decode, out, ROWS);
            assertMatchesReference(file, decode, inputBlock(type), out, 0, ROWS, "a decode step on the copy");
        }
        Repacker closed = new Repacker("test");
        FloatTensor neverFilled = closed.matrix(file, cols, NATIVE);
        closed.close();
        assertThat(neverFilled.forProducts(1)).isSameAs(file);
        closed.awaitFilled();
        assertThat(neverFilled.forProducts(1)).isSameAs(file);
    }

    /** {@code file} as a matrix of rows {@code cols} wide in its layout of its own, filled. */
    private static FloatTensor filled(FloatTensor file, int cols) {
        Repacker repacker = new Repacker("test");
        FloatTensor matrix = repacker.matrix(file, cols, NATIVE);
        try {
            repacker.awaitFilled();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        return matrix;
    }

    /** Rows of an even and an odd number of blocks. */
    private static int[] evenAndOddBlocks(GgmlType type) {
        return type == GgmlType.Q4_0 ? new int[]{512, 544} : new int[]{512, 768};
    }

    private static float[] gaussian(int n, Random random) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) random.nextGaussian();
        }
        return x;
    }

    private static MatmulInput input(int cols, int count, Random random) {
        MatmulInput in = new MatmulInput(cols, count);
        System.arraycopy(gaussian(cols * count, random), 0, in.values(), 0, cols * count);
        in.count(count);
        return in;
    }

    /** The block size products with these weights quantize their input in: Q8_0's for Q4_0, Q5_K and Q6_K, Q8_K's for Q4_K. */
    private static int inputBlock(GgmlType type) {
        return type == GgmlType.Q4_K ? 256 : 32;
    }

    /**
     * The block size a product of {@code count} vectors through a filled copy of {@code rows} rows quantizes each input
     * vector in: one vector as {@link #inputBlock}; a prompt through the 16-bit bands of Q4_0 and Q4_K
     * ({@link RowGroupsTensor#pairBands}: 16 lanes, at least a band's rows) in blocks of 32; otherwise none (0).
     */
    private static int productBlock(GgmlType type, int count, int rows) {
        if (count == 1) {
            return inputBlock(type);
        }
        boolean pairBands = FloatTensor.WIDE && rows >= RowGroupsTensor.BAND_ROWS && count > 4 && (type == GgmlType.Q4_0 || type == GgmlType.Q4_K);
        return pairBands ? 32 : 0;
    }

    /**
     * {@code out} against the rows times the input in double, each input vector first quantized to 8 bits in blocks
     * of {@code inputBlock} as ggml does (0: as they are).
     */
    private static void assertMatchesReference(FloatTensor tensor, MatmulInput in, int inputBlock, float[] out, int from, int to, String what) {
        assertMatchesReference(tensor, in, inputBlock, out, ROWS, from, to, what);
    }

    /** As above, for a matrix of {@code rows} rows. */
    private static void assertMatchesReference(FloatTensor tensor, MatmulInput in, int inputBlock, float[] out, int rows, int from, int to, String what) {
        int cols = in.width();
        for (int t = 0; t < in.count(); t++) {
            float[] x = java.util.Arrays.copyOfRange(in.values(), t * cols, (t + 1) * cols);
            if (inputBlock > 0) {
                x = QuantizedInputTest.quantizedAsGgml(x, inputBlock);
            }
            for (int r = from; r < to; r++) {
                double expected = 0, magnitude = 0;
                for (int i = 0; i < cols; i++) {
                    double p = (double) tensor.getFloat((long) r * cols + i) * x[i];
                    expected += p;
                    magnitude += Math.abs(p);
                }
                assertThat((double) out[t * rows + r]).as("%s row %d input %d", what, r, t).isCloseTo(expected, within(1e-5 * magnitude + 1e-6));
            }
        }
    }
}
