package dev.jollama.engine.tensor;

import dev.jollama.engine.gguf.GgmlType;
import dev.jollama.engine.gguf.GgufFormatException;
import dev.jollama.engine.gguf.GgufTensorInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Each type's block kernel against its scalar reference ({@link FloatTensor#getFloat}) on random blocks. */
class TensorKernelTest {

    @ParameterizedTest
    @MethodSource("dev.jollama.engine.tensor.FloatTensor#supportedTypes")
    void dotAgreesWithScalarReference(GgmlType type) {
        Random random = new Random(type.id);
        int blocks = 12;
        int n = blocks * Math.max(type.blockSize, 256);
        FloatTensor tensor = randomTensor(type, n, random);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) random.nextGaussian();
        }
        // Aligned whole rows, and starts and ends inside a block (rows that run across blocks).
        int[][] ranges = {{0, n}, {type.blockSize, n - type.blockSize}, {7, 172}, {172, 344}, {n - 45, 45}};
        for (int[] range : ranges) {
            int offset = range[0], length = range[1];
            double expected = 0, magnitude = 0;
            for (int i = 0; i < length; i++) {
                expected += (double) tensor.getFloat(offset + i) * x[i];
                magnitude += Math.abs((double) tensor.getFloat(offset + i) * x[i]);
            }
            float actual = tensor.dot(offset, x, 0, length);
            assertThat((double) actual).as("%s dot at %d+%d", type, offset, length).isCloseTo(expected, within(1e-5 * magnitude + 1e-6));
        }
    }

    /**
     * The fast path (fused kernels for one input vector, dequantized tiles for several, fused kernels again for
     * vectors the tiles leave over) against the scalar reference. 13 rows: a whole tile of twelve and a partial one.
     * Inputs: 3 (all one by one), 6 (a block of four, two left over), 24 and 64 (transposed groups padded with zeros,
     * and whole), 43 (a whole group, two blocks of four, three left over), 100 (groups, one block). Widths of two
     * whole chunks of 256 and of a partial third (the group kernel's tile layout); one and two threads.
     */
    @ParameterizedTest
    @MethodSource("dev.jollama.engine.tensor.FloatTensor#supportedTypes")
    void matmulAgreesWithScalarReference(GgmlType type) {
        Random random = new Random(31 + type.id);
        int rows = 13;
        // An even and an odd number of blocks per row: kernels step through blocks in pairs.
        int cols = type.blockSize == 256 ? 768 : 544;
        for (int width : new int[]{512, cols}) {
            FloatTensor tensor = randomTensor(type, rows * width, random);
            for (int count : new int[]{1, 3, 4, 6, 24, 43, MatmulInput.WIDE_GROUP, MatmulInput.WIDE_GROUP + 36}) {
                for (int threads : new int[]{1, 2}) {
                    MatmulInput in = randomInput(width, count, random);
                    float[] out = multiply(tensor, in, rows, threads);
                    assertMatchesReference(tensor, tensor.inputFor(in).values(), out, rows, width, count,
                            type + " rows of " + width + " x" + count + " on " + threads);
                }
            }
        }
    }

    /** A slice of whole rows (a part of a fused matrix) reads the whole tensor's values and multiplies as they do. */
    @ParameterizedTest
    @MethodSource("dev.jollama.engine.tensor.FloatTensor#supportedTypes")
    void aSliceOfRowsIsThoseRowsOfTheTensor(GgmlType type) {
        Random random = new Random(17 + type.id);
        int width = type.blockSize == 256 ? 512 : 96, firstRow = 5, rows = 7;
        FloatTensor whole = randomTensor(type, 13 * width, random);
        FloatTensor slice = whole.slice((long) firstRow * width, (long) rows * width);
        assertThat(slice.size()).isEqualTo((long) rows * width);
        for (int i = 0; i < rows * width; i++) {
            assertThat(slice.getFloat(i)).as("value %d", i).isEqualTo(whole.getFloat((long) firstRow * width + i));
        }
        for (int count : new int[]{1, 6}) {
            MatmulInput in = randomInput(width, count, random);
            assertMatchesReference(slice, slice.inputFor(in).values(), multiply(slice, in, rows, 2), rows, width, count, type + " slice x" + count);
        }
        assertThatThrownBy(() -> whole.slice(12L * width + 1, width)).as("past the end").isInstanceOf(IllegalArgumentException.class);
        if (type.blockSize > 1) {
            assertThatThrownBy(() -> whole.slice(1, width)).as("inside a block").isInstanceOf(IllegalArgumentException.class);
        }
    }

    /** The vector soft-cap against the formula in double, over a range that starts inside the array. */
    @Test
    void softCapAgreesWithTheFormula() {
        Random random = new Random(13);
        float[] x = new float[60];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (40 * random.nextGaussian());
        }
        float[] original = x.clone();
        FloatKernels.softCap(x, 3, 57, 30f);
        for (int i = 3; i < 57; i++) {
            assertThat((double) x[i]).as("value %d", i).isCloseTo(30 * Math.tanh(original[i] / 30.0), within(1e-5));
        }
        assertThat(x[2]).isEqualTo(original[2]);
        assertThat(x[57]).isEqualTo(original[57]);
    }

    /** The vector softmax against the formula in double, over a range that starts inside the array. */
    @Test
    void softmaxAgreesWithTheFormula() {
        Random random = new Random(11);
        float[] x = new float[60];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (4 * random.nextGaussian());
        }
        float[] original = x.clone();
        FloatKernels.softmax(x, 3, 57);
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (int i = 3; i < 57; i++) {
            max = Math.max(max, original[i]);
        }
        for (int i = 3; i < 57; i++) {
            sum += Math.exp(original[i] - max);
        }
        for (int i = 3; i < 57; i++) {
            assertThat((double) x[i]).as("value %d", i).isCloseTo(Math.exp(original[i] - max) / sum, within(1e-6));
        }
        assertThat(x[2]).isEqualTo(original[2]);
        assertThat(x[57]).isEqualTo(original[57]);
    }

    /** The vector SiLU-times-up against the formula in double, over whole vectors and a rest. */
    @Test
    void siluTimesAgreesWithTheFormula() {
        Random random = new Random(5);
        int n = 77;
        float[] gate = new float[n], up = new float[n], out = new float[n];
        for (int i = 0; i < n; i++) {
            gate[i] = (float) (8 * random.nextGaussian());
            up[i] = (float) random.nextGaussian();
        }
        FloatKernels.siluTimes(gate, up, out, n);
        for (int i = 0; i < n; i++) {
            double expected = gate[i] / (1 + Math.exp(-gate[i])) * up[i];
            assertThat((double) out[i]).as("value %d (gate %f)", i, gate[i]).isCloseTo(expected, within(1e-6 * Math.abs(expected) + 1e-7));
        }
    }

    /**
     * Two or three input vectors go through the fused kernels one by one, a run of rows (256 KB of weights: 120 Q8_0
     * rows of 2048) at a time: 250 rows make two whole runs and a partial one, split between two threads.
     */
    @Test
    void fewVectorsGoThroughRunsOfRows() {
        Random random = new Random(250);
        int rows = 250, cols = 2048;
        FloatTensor tensor = randomTensor(GgmlType.Q8_0, rows * cols, random);
        for (int count : new int[]{2, 3}) {
            MatmulInput in = randomInput(cols, count, random);
            float[] out = multiply(tensor, in, rows, 2);
            assertMatchesReference(tensor, in.values(), out, rows, cols, count, "Q8_0 rows of 2048 x" + count);
        }
    }

    /** Rows of 172 values run across Q8_0 blocks: the product takes the reference path. */
    @Test
    void matmulOfRowsAcrossBlocks() {
        Random random = new Random(172);
        int rows = 8, cols = 172;
        FloatTensor tensor = randomTensor(GgmlType.Q8_0, 43 * 32, random);
        for (int count : new int[]{1, 3}) {
            MatmulInput in = randomInput(cols, count, random);
            float[] out = multiply(tensor, in, rows, 2);
            assertMatchesReference(tensor, in.values(), out, rows, cols, count, "Q8_0 rows of 172 x" + count);
        }
    }

    private static MatmulInput randomInput(int cols, int count, Random random) {
        MatmulInput in = new MatmulInput(cols, count);
        for (int i = 0; i < cols * count; i++) {
            in.values()[i] = (float) random.nextGaussian();
        }
        in.count(count);
        return in;
    }

    private static float[] multiply(FloatTensor tensor, MatmulInput in, int rows, int threads) {
        float[] out = new float[rows * in.count()];
        try (WorkerPool pool = new WorkerPool(threads)) {
            new Matmul(pool).multiply(tensor, in, out, rows);
        }
        return out;
    }

    private static void assertMatchesReference(FloatTensor tensor, float[] x, float[] out, int rows, int cols, int count, String what) {
        for (int t = 0; t < count; t++) {
            for (int r = 0; r < rows; r++) {
                double expected = 0, magnitude = 0;
                for (int i = 0; i < cols; i++) {
                    double p = (double) tensor.getFloat((long) r * cols + i) * x[t * cols + i];
                    expected += p;
                    magnitude += Math.abs(p);
                }
                assertThat((double) out[t * rows + r]).as("%s row %d input %d", what, r, t).isCloseTo(expected, within(1e-5 * magnitude + 1e-6));
            }
        }
    }

    @Test
    void q4_0BlockDecodesByTheLayout() {
        byte[] block = new byte[18];
        short d = Float.floatToFloat16(0.5f);
        block[0] = (byte) d;
        block[1] = (byte) (d >> 8);
        block[2] = (byte) 0x9F; // value 0: low nibble 15 -> (15 - 8) * 0.5; value 16: high nibble 9 -> (9 - 8) * 0.5
        FloatTensor t = FloatTensor.of(null, new GgufTensorInfo("t", new long[]{32}, GgmlType.Q4_0, 0, MemorySegment.ofArray(block)));
        assertThat(t.getFloat(0)).isEqualTo(3.5f);
        assertThat(t.getFloat(16)).isEqualTo(0.5f);
        assertThat(t.getFloat(1)).isEqualTo(-4f);
    }

    @Test
    void anUnsupportedTypeIsAFormatErrorNamingTheSupportedOnes() {
        // Q8_1 holds activations in the reference, never weights.
        GgufTensorInfo info = new GgufTensorInfo("blk.0.ffn_up.weight", new long[]{32}, GgmlType.Q8_1, 0,
                MemorySegment.ofArray(new byte[36]));
        assertThatThrownBy(() -> FloatTensor.of(Path.of("model.gguf"), info))
                .isInstanceOf(GgufFormatException.class)
                .hasMessageContaining("tensor 'blk.0.ffn_up.weight' has type Q8_1, which this engine does not support yet"
                        + " (supported: F32, F16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, IQ2_XXS, IQ2_XS,"
                        + " IQ3_XXS, IQ1_S, IQ4_NL, IQ3_S, IQ2_S, IQ4_XS, IQ1_M, BF16, TQ1_0, TQ2_0, MXFP4)");
    }

    @Test
    void fp16TableHoldsTheJdkConversionOfEveryBitPattern() {
        byte[] bytes = new byte[2];
        MemorySegment segment = MemorySegment.ofArray(bytes);
        for (int bits = 0; bits < 1 << 16; bits++) {
            bytes[0] = (byte) bits;
            bytes[1] = (byte) (bits >> 8);
            float expected = Float.float16ToFloat((short) bits);
            assertThat(Float.floatToRawIntBits(FloatTensor.f16(segment, 0))).as("fp16 bits %04x", bits)
                    .isEqualTo(Float.floatToRawIntBits(expected));
        }
    }

    @Test
    void f16VectorConversionIsExactForEveryFiniteHalf() {
        byte[] bytes = new byte[2 << 16];
        for (int bits = 0; bits < 1 << 16; bits++) {
            bytes[2 * bits] = (byte) bits;
            bytes[2 * bits + 1] = (byte) (bits >> 8);
        }
        float[] values = new float[1 << 16];
        new F16Tensor(MemorySegment.ofArray(bytes), 1 << 16).dequantize(0, 1 << 16, values, 0);
        for (int bits = 0; bits < 1 << 16; bits++) {
            float expected = Float.float16ToFloat((short) bits);
            if (Float.isFinite(expected)) { // infinities and NaNs come out as large finite values, as documented
                assertThat(Float.floatToRawIntBits(values[bits])).as("fp16 bits %04x", bits)
                        .isEqualTo(Float.floatToRawIntBits(expected));
            }
        }
    }

    /** Random bytes for every block, with finite, moderate fp16/bf16 scales where the layout has them. */
    static FloatTensor randomTensor(GgmlType type, int n, Random random) {
        int blocks = n / type.blockSize;
        byte[] bytes = new byte[blocks * type.bytesPerBlock];
        random.nextBytes(bytes);
        for (int b = 0; b < blocks; b++) {
            int base = b * type.bytesPerBlock;
            switch (type) {
                case F32 -> putFloat(bytes, base, (float) random.nextGaussian());
                case F16 -> putShort(bytes, base, Float.floatToFloat16((float) random.nextGaussian()));
                case BF16 -> putShort(bytes, base, (short) (Float.floatToIntBits((float) random.nextGaussian()) >>> 16));
                case Q8_0, Q4_0, Q5_0, IQ4_NL, IQ4_XS -> putShort(bytes, base, Float.floatToFloat16(random.nextFloat() * 0.1f));
                case Q4_K, Q5_K -> {
                    putShort(bytes, base, Float.floatToFloat16(random.nextFloat() * 0.01f));
                    putShort(bytes, base + 2, Float.floatToFloat16(random.nextFloat() * 0.01f));
                }
                case Q6_K -> putShort(bytes, base + 208, Float.floatToFloat16(random.nextFloat() * 0.01f));
                case Q2_K -> {
                    putShort(bytes, base + 80, Float.floatToFloat16(random.nextFloat() * 0.01f));
                    putShort(bytes, base + 82, Float.floatToFloat16(random.nextFloat() * 0.01f));
                }
                case Q3_K -> putShort(bytes, base + 108, Float.floatToFloat16(random.nextFloat() * 0.01f));
                case MXFP4 -> bytes[base] = (byte) (120 + random.nextInt(12));
                case Q4_1, Q5_1 -> {
                    putShort(bytes, base, Float.floatToFloat16(random.nextFloat() * 0.1f));
                    putShort(bytes, base + 2, Float.floatToFloat16((random.nextFloat() - 0.5f) * 0.5f));
                }
                case IQ2_XXS, IQ2_XS, IQ2_S, IQ3_XXS, IQ3_S, IQ1_S -> putShort(bytes, base, Float.floatToFloat16(random.nextFloat() * 0.01f));
                case TQ1_0 -> putShort(bytes, base + 52, Float.floatToFloat16(random.nextFloat() * 0.1f));
                case TQ2_0 -> putShort(bytes, base + 64, Float.floatToFloat16(random.nextFloat() * 0.1f));
                case IQ1_M -> {
                    // The fp16 scale is the top nibbles of the four uint16 at 48..55: the high nibbles of bytes 49, 51, 53, 55.
                    short d = Float.floatToFloat16(random.nextFloat() * 0.01f);
                    for (int m = 0; m < 4; m++) {
                        bytes[base + 49 + 2 * m] = (byte) ((bytes[base + 49 + 2 * m] & 0x0F) | (d >> 4 * m & 0xF) << 4);
                    }
                }
                default -> throw new IllegalArgumentException(type.toString());
            }
        }
        return FloatTensor.of(null, new GgufTensorInfo("random", new long[]{n}, type, 0, MemorySegment.ofArray(bytes)));
    }

    private static void putShort(byte[] bytes, int at, short value) {
        bytes[at] = (byte) value;
        bytes[at + 1] = (byte) (value >> 8);
    }

    private static void putFloat(byte[] bytes, int at, float value) {
        int bits = Float.floatToIntBits(value);
        for (int i = 0; i < 4; i++) {
            bytes[at + i] = (byte) (bits >> (8 * i));
        }
    }
}
