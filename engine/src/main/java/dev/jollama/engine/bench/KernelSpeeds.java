package dev.jollama.engine.bench;

import dev.jollama.engine.gguf.GgmlType;
import dev.jollama.engine.gguf.GgufTensorInfo;
import dev.jollama.engine.model.Model;
import dev.jollama.engine.tensor.FloatTensor;
import dev.jollama.engine.tensor.Matmul;
import dev.jollama.engine.tensor.MatmulInput;
import dev.jollama.engine.tensor.Repacker;
import dev.jollama.engine.tensor.WorkerPool;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

/**
 * Matrix-vector speed per weight type, in GB/s of weights, of the fast kernels against the scalar reference kernel
 * (what the engine ran before the fast kernels), both split over the same workers, over every matrix of the model
 * of that type so the weights come from memory, not cache. The fast kernels read the matrices as decoding does: in
 * their layouts of their own where they have one (filled first, {@link Repacker}), which adds those copies to the
 * process's memory while it measures.
 */
final class KernelSpeeds {
    private static final int PASSES = 3;

    record Row(GgmlType type, double referenceGbps, double fastGbps) {}

    /** A matrix to multiply, as its file holds it and as decoding reads it. */
    private record Matrix(FloatTensor inFile, FloatTensor forDecode, int rows, long bytes) {}

    private KernelSpeeds() {
    }

    static Row[] measure(Model model, int threads) {
        List<Row> rows = new ArrayList<>();
        try (WorkerPool pool = new WorkerPool(threads); Repacker repacker = new Repacker(model.file().path() + " (bench --kernels)")) {
            Map<GgmlType, List<Matrix>> byType = new EnumMap<>(GgmlType.class);
            for (GgufTensorInfo t : model.file().tensors().values()) {
                if (t.shape().length == 2 && !t.name().equals("token_embd.weight")) {
                    byType.computeIfAbsent(t.type(), k -> new ArrayList<>()).add(new Matrix(FloatTensor.of(model.file().path(), t),
                            repacker.matrix(model.file(), t, t.shape()[0]), (int) t.shape()[1], t.data().byteSize()));
                }
            }
            try {
                repacker.awaitFilled();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Row[0];
            }
            Matmul matmul = new Matmul(pool);
            for (Map.Entry<GgmlType, List<Matrix>> e : byType.entrySet()) {
                double reference = speed(e.getValue(), Matrix::inFile, (tensor, in, out, rowCount) ->
                        pool.run(rowCount, 16, (worker, from, to) -> {
                            int cols = in.width();
                            for (int r = from; r < to; r++) {
                                out[r] = tensor.dot((long) r * cols, in.values(), 0, cols);
                            }
                        }), 1);
                double fast = speed(e.getValue(), Matrix::forDecode, matmul::multiply, PASSES);
                rows.add(new Row(e.getKey(), reference, fast));
            }
        }
        return rows.toArray(Row[]::new);
    }

    private interface Product {
        void multiply(FloatTensor tensor, MatmulInput in, float[] out, int rows);
    }

    /** Best GB/s over the passes (after one warm-up pass) of multiplying every matrix by a random vector. */
    private static double speed(List<Matrix> matrices, Function<Matrix, FloatTensor> layout, Product product, int passes) {
        double best = 0;
        for (int pass = 0; pass <= passes; pass++) {
            long bytes = 0, nanos = 0;
            for (Matrix m : matrices) {
                int cols = (int) (m.inFile().size() / m.rows());
                MatmulInput in = new MatmulInput(cols, 1);
                Random random = new Random(cols);
                for (int i = 0; i < cols; i++) {
                    in.values()[i] = (float) random.nextGaussian();
                }
                float[] out = new float[m.rows()];
                long start = System.nanoTime();
                product.multiply(layout.apply(m), in, out, m.rows());
                nanos += System.nanoTime() - start;
                bytes += m.bytes();
            }
            if (pass > 0) {
                best = Math.max(best, bytes / (double) nanos);
            }
        }
        return best;
    }
}
