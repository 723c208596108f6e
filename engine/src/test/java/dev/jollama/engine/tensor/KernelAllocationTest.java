package dev.jollama.engine.tensor;

import dev.jollama.engine.gguf.GgmlType;
import dev.jollama.engine.gguf.GgufTensorInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Once compiled, the matrix products and attention's kernels allocate nothing: a vector operation C2 cannot turn into instructions boxes
 * every vector, which runs several times slower and shows as allocation (a one-long vector did this with eight float
 * lanes). Runs in JVMs of its own (surefire executions kernel-allocation, with the machine's vector width, and
 * eight-lane-kernel-allocation): tensors of other kinds of memory segment, as other tests make, change how C2
 * compiles the kernels.
 */
class KernelAllocationTest {
    private static final int ROWS = 32, COLS = 512;
    /** How long a kernel may take to be compiled before its rounds count as allocating. */
    private static final long COMPILE_WAIT_NANOS = 20_000_000_000L;

    @ParameterizedTest
    @MethodSource("dev.jollama.engine.tensor.FloatTensor#supportedTypes")
    void productsAllocateNothingOnceCompiled(GgmlType type) throws IOException {
        Random random = new Random(type.id);
        // In a mapped file, as a model is: vector loads from a heap segment's byte[] are not intrinsics, and a second
        // kind of segment in the JVM (native memory) made C2 recompile the kernels bigger (ForwardAllocationTest
        // maps model files in this JVM): Q4_K then failed here in one run out of eight.
        MemorySegment heap = TensorKernelTest.randomTensor(type, ROWS * COLS, random).data;
        MemorySegment data = mapped(heap);
        FloatTensor tensor = FloatTensor.of(null, new GgufTensorInfo("t", new long[]{ROWS * COLS}, type, 0, data));
        assertProductsAllocateNothing(tensor, ROWS, random, type.toString());
    }

    /**
     * The same for the copies in layouts of their own ({@link RowGroupsTensor}), filled, in a private mapping of the
     * file as the loader gives them: their decode kernels, and with 16 lanes the prompts' bands (64 rows: a band is 48).
     */
    @ParameterizedTest
    @EnumSource(names = {"Q4_0", "Q4_K", "Q5_K", "Q6_K"})
    void rowGroupProductsAllocateNothingOnceCompiled(GgmlType type) throws IOException, InterruptedException {
        Random random = new Random(type.id + 100);
        int rows = 64;
        Path file = written(TensorKernelTest.randomTensor(type, rows * COLS, random).data);
        MemorySegment data;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            data = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), Arena.ofAuto());
        }
        FloatTensor tensor = FloatTensor.of(null, new GgufTensorInfo("t", new long[]{rows * COLS}, type, 0, data));
        try (Repacker repacker = new Repacker("test")) {
            FloatTensor copy = repacker.matrix(tensor, COLS, bytes -> {
                try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                    return channel.map(FileChannel.MapMode.PRIVATE, 0, bytes, Arena.ofAuto());
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            assertThat(copy).isInstanceOf(RowGroupsTensor.class);
            copy.forProducts(1);
            repacker.awaitFilled();
            assertProductsAllocateNothing(copy, rows, random, type + " in row groups");
        }
    }

    /**
     * Products of {@code tensor} ({@code rows} rows) by one input vector (the fused kernels), a group padded with
     * zeros, and whole groups with a rest for the row-major kernel, each warmed up, then measured until a round of
     * them allocates (next to) nothing.
     */
    private static void assertProductsAllocateNothing(FloatTensor tensor, int rows, Random random, String what) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (WorkerPool pool = new WorkerPool(1)) {
            Matmul matmul = new Matmul(pool);
            for (int count : new int[]{1, 4, 24, MatmulInput.WIDE_GROUP + 6}) {
                MatmulInput in = new MatmulInput(COLS, count);
                for (int i = 0; i < COLS * count; i++) {
                    in.values()[i] = (float) random.nextGaussian();
                }
                in.count(count);
                float[] out = new float[rows * count];
                int warmUp = count == 1 ? 20_000 : 1_500;
                for (int i = 0; i < warmUp; i++) {
                    matmul.multiply(tensor, in, out, rows);
                }
                // Rounds until one allocates (next to) nothing: on a busy machine C2's queue is long, and a kernel
                // still interpreted allocates its vectors; one compiled with them boxed allocates in every round. Up
                // to seconds, not a count of rounds: 50 rounds took a tenth of a second, and a clean clone's CI run
                // once measured Q2_K's 8-lane kernel (20K nodes to compile) before C2 had it.
                long allocated = Long.MAX_VALUE;
                for (long deadline = System.nanoTime() + COMPILE_WAIT_NANOS; allocated >= 16 * 1024 && System.nanoTime() < deadline; ) {
                    long before = threads.getCurrentThreadAllocatedBytes();
                    for (int i = 0; i < 200; i++) {
                        matmul.multiply(tensor, in, out, rows);
                    }
                    allocated = threads.getCurrentThreadAllocatedBytes() - before;
                }
                assertThat(allocated).as("%s bytes allocated by the last round of 200 products of %d rows by %d input vectors", what, rows, count)
                        .isLessThan(16 * 1024);
            }
        }
    }

    /**
     * Attention's kernels, on whole 32-position blocks, partial ones, a range ending where the keys' array does and
     * value vectors with a rest, four queries at a time, and the half and q8_0 caches' conversions to floats. Rounds of calls until one allocates nothing, so that C2 has
     * compiled them (its queue is long on a busy machine); vector operations left as calls allocate in every round.
     */
    @Test
    void attentionKernelsAllocateNothingOnceCompiled() {
        int n = 80, block = 32;
        Random random = new Random(32);
        float[] keys = new float[n * block * 2], values = new float[n * block * 2], q = new float[n], scores = new float[block], out = new float[n];
        float[] scores4 = new float[4 * block], out4 = new float[4 * n], keys4 = new float[n * block];
        short[] halfKeys = new short[keys.length], halfValues = new short[values.length];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = (float) random.nextGaussian();
            values[i] = (float) random.nextGaussian();
        }
        F16Kernels.toHalf(keys, 0, halfKeys, 0, keys.length);
        F16Kernels.toHalf(values, 0, halfValues, 0, values.length);
        int q8Width = 64; // q8_0 rows are whole blocks of 32
        byte[] q8 = new byte[q8Width * block];
        float[] q8Scales = new float[q8.length / Q8Kernels.BLOCK];
        Q8Kernels.quantize(keys, 0, q8, 0, q8Scales, 0, q8.length);
        int last = keys.length - n * block; // the second block: its last row ends the array
        int[][] ranges = {{0, 32}, {3, 20}, {0, 7}, {17, 32}};
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long allocated = Long.MAX_VALUE;
        for (int round = 0; round < 100 && allocated >= 1024; round++) {
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 2_000; i++) {
                for (int[] r : ranges) {
                    FloatKernels.columnDots(q, 0, n, keys, 2 * block, scores4, 0); // a whole number of four vectors
                    FloatKernels.weightedSum(scores, r[0], r[1], values, 0, n, out, 0, n);
                    FloatKernels.columnDotsFour(q, 0, 0, n, keys, block, scores4, 0, block);
                    FloatKernels.weightedSumFour(scores4, r[0], block, r[1] - r[0], values, 0, n, out4, 0, n);
                    FloatKernels.weightedSumFour(scores4, r[0], block, r[1] - r[0], values, 0, 37, out4, 0, n);
                    F16Kernels.toFloats(halfKeys, last, keys4, 0, n * block);
                    Q8Kernels.dequantize(q8, r[0] * q8Width, q8Scales, r[0] * q8Width / Q8Kernels.BLOCK, out, 0, q8Width);
                }
            }
            allocated = threads.getCurrentThreadAllocatedBytes() - before;
        }
        assertThat(allocated).as("bytes allocated by the last round of 56,000 attention kernel calls").isLessThan(1024);
    }

    /** The bytes of {@code segment} in a file under target/, mapped read-only. */
    private static MemorySegment mapped(MemorySegment segment) throws IOException {
        try (FileChannel channel = FileChannel.open(written(segment), StandardOpenOption.READ)) {
            return channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), Arena.ofAuto());
        }
    }

    /** The bytes of {@code segment} in a file under target/. */
    private static Path written(MemorySegment segment) throws IOException {
        Path file = Files.createTempFile(Files.createDirectories(Path.of("target", "kernel-allocation")), "tensor", ".bin");
        file.toFile().deleteOnExit();
        Files.write(file, segment.toArray(ValueLayout.JAVA_BYTE));
        return file;
    }
}
