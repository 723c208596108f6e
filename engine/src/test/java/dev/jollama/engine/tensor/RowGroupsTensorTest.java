package dev.jollama.engine.tensor;

import dev.jollama.engine.gguf.GgmlType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.function.LongFunction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Q4_0 and Q4_K rows repacked in groups against the same rows in the file's layout, their kernels against the scalar reference. */
class RowGroupsTensorTest {
    private static final int ROWS = 3 * 16;
    private static final LongFunction<MemorySegment> NATIVE = bytes -> Arena.ofAuto().allocate(bytes, 64);

    @ParameterizedTest
    @EnumSource(names = {"Q4_0", "Q4_K"})
    void holdsTheFileLayoutsValues(GgmlType type) {
        Random random = new Random(40);
        for (int cols : new int[]{type.blockSize, 17 * type.blockSize}) {
            FloatTensor file = TensorKernelTest.randomTensor(type, ROWS * cols, random);
            FloatTensor repacked = file.asMatrix(cols, NATIVE);
            assertThat(repacked).isInstanceOf(type == GgmlType.Q4_0 ? Q4_0RowGroupsTensor.class : Q4KRowGroupsTensor.class);
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
    @EnumSource(names = {"Q4_0", "Q4_K"})
    void onlyWholeGroupsOfRowsOfWholeBlocksAreRepacked(GgmlType type) {
        Random random = new Random(41);
        int block = type.blockSize;
        FloatTensor rowsShort = TensorKernelTest.randomTensor(type, (ROWS - 1) * 2 * block, random);
        assertThat(rowsShort.asMatrix(2 * block, NATIVE)).isSameAs(rowsShort);
        FloatTensor partBlocks = TensorKernelTest.randomTensor(type, ROWS * 3 * block / 2, random);
        assertThat(partBlocks.asMatrix(3 * block / 2, NATIVE)).isSameAs(partBlocks);
        FloatTensor withoutMemory = TensorKernelTest.randomTensor(type, ROWS * block, random);
        assertThat(withoutMemory.asMatrix(block, bytes -> null)).isSameAs(withoutMemory);
    }

    @ParameterizedTest
    @EnumSource(names = {"Q8_0", "Q4_1", "Q5_K", "Q6_K"})
    void otherTypesStayAsTheyAre(GgmlType type) {
        FloatTensor other = TensorKernelTest.randomTensor(type, ROWS * 256, new Random(45));
        assertThat(other.asMatrix(256, NATIVE)).isSameAs(other);
    }

    /**
     * One vector, two to four (a decode step of several sequences) and more (prompts: whole passes of sixteen and a
     * partial one, a whole transposed group of 64 and one past it), on one and two threads, against the reference.
     */
    @ParameterizedTest
    @EnumSource(names = {"Q4_0", "Q4_K"})
    void productsAgreeWithTheScalarReference(GgmlType type) {
        Random random = new Random(42);
        for (int cols : evenAndOddBlocks(type)) {
            FloatTensor repacked = TensorKernelTest.randomTensor(type, ROWS * cols, random).asMatrix(cols, NATIVE);
            for (int count : new int[]{1, 2, 3, 4, 5, 16, 37, MatmulInput.WIDE_GROUP, MatmulInput.WIDE_GROUP + 17}) {
                for (int threads : new int[]{1, 2}) {
                    MatmulInput in = input(cols, count, random);
                    float[] out = new float[ROWS * count];
                    try (WorkerPool pool = new WorkerPool(threads)) {
                        new Matmul(pool).multiply(repacked, in, out, ROWS);
                    }
                    assertMatchesReference(repacked, in, out, 0, ROWS, cols + " wide x" + count + " on " + threads);
                }
            }
        }
    }

    /** A worker's rows may start and end inside a group: only those rows are written. */
    @ParameterizedTest
    @EnumSource(names = {"Q4_0", "Q4_K"})
    void rowsInsideGroupsAreTheirsAlone(GgmlType type) {
        Random random = new Random(43);
        int cols = 256;
        FloatTensor repacked = TensorKernelTest.randomTensor(type, ROWS * cols, random).asMatrix(cols, NATIVE);
        for (int count : new int[]{1, 3, 20}) {
            MatmulInput in = input(cols, count, random);
            repacked.prepareInput(in);
            float[] out = new float[ROWS * count];
            java.util.Arrays.fill(out, Float.NaN);
            repacked.multiplyRows(in, out, ROWS, 5, 29, new float[FloatTensor.scratchFloats(cols)]);
            assertMatchesReference(repacked, in, out, 5, 29, "rows 5..29 x" + count);
            for (int t = 0; t < count; t++) {
                for (int r = 0; r < ROWS; r++) {
                    if (r < 5 || r >= 29) {
                        assertThat(out[t * ROWS + r]).as("row %d of vector %d, outside the range", r, t).isNaN();
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"Q4_0", "Q4_K"})
    void slicesOfWholeGroupsOnly(GgmlType type) {
        Random random = new Random(44);
        int cols = 2 * type.blockSize;
        FloatTensor repacked = TensorKernelTest.randomTensor(type, ROWS * cols, random).asMatrix(cols, NATIVE);
        int group = RowGroupsTensor.ROWS;
        FloatTensor slice = repacked.slice((long) group * cols, (long) group * cols);
        for (int i = 0; i < group * cols; i++) {
            assertThat(slice.getFloat(i)).isEqualTo(repacked.getFloat((long) group * cols + i));
        }
        assertThatThrownBy(() -> repacked.slice(cols, (long) group * cols)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not whole groups of " + group + " rows");
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

    private static void assertMatchesReference(FloatTensor tensor, MatmulInput in, float[] out, int from, int to, String what) {
        int cols = in.width();
        for (int t = 0; t < in.count(); t++) {
            for (int r = from; r < to; r++) {
                double expected = 0, magnitude = 0;
                for (int i = 0; i < cols; i++) {
                    double p = (double) tensor.getFloat((long) r * cols + i) * in.values()[t * cols + i];
                    expected += p;
                    magnitude += Math.abs(p);
                }
                assertThat((double) out[t * ROWS + r]).as("%s row %d input %d", what, r, t).isCloseTo(expected, within(1e-5 * magnitude + 1e-6));
            }
        }
    }
}
