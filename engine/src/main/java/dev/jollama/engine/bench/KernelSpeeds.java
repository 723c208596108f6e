package dev.jollama.engine.bench;

import dev.jollama.engine.gguf.GgmlType;
import dev.jollama.engine.gguf.GgufTensorInfo;
import dev.jollama.engine.model.Model;
import dev.jollama.engine.tensor.FloatTensor;
import dev.jollama.engine.tensor.Matmul;
import dev.jollama.engine.tensor.MatmulInput;
import dev.jollama.engine.tensor.WorkerPool;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Matrix-vector speed per weight type, in GB/s of weights, of the fast kernels against the scalar reference kernel
 * (what the engine ran before the fast kernels), both split over the same workers, over every matrix of the model
 * of that type so the weights come from memory, not cache.
 */
final class KernelSpeeds {
    private static final int PASSES = 3;

    record Row(GgmlType type, double referenceGbps, double fastGbps) {}

    private KernelSpeeds() {
    }

    static Row[] measure(Model model, int threads) {
        Map<GgmlType, List<GgufTensorInfo>> byType = new EnumMap<>(GgmlType.class);
        for (GgufTensorInfo t : model.file().tensors().values()) {
            if (t.shape().length == 2 && !t.name().equals("token_embd.weight")) {
                byType.computeIfAbsent(t.type(), k -> new ArrayList<>()).add(t);
            }
        }
        List<Row> rows = new ArrayList<>();
        try (WorkerPool pool = new WorkerPool(threads)) {
            Matmul matmul = new Matmul(pool);
            for (Map.Entry<GgmlType, List<GgufTensorInfo>> e : byType.entrySet()) {
                double reference = speed(e.getValue(), model, (tensor, in, out, rowCount) ->
                        pool.run(rowCount, 16, (worker, from, to) -> {
                            int cols = in.width();
                            for (int r = from; r < to; r++) {
                                out[r] = tensor.dot((long) r * cols, in.values(), 0, cols);
                            }
                        }), 1);
                double fast = speed(e.getValue(), model, matmul::multiply, PASSES);
                rows.add(new Row(e.getKey(), reference, fast));
            }
        }
        return rows.toArray(Row[]::new);
    }

    private interface Product {
        void multiply(FloatTensor tensor, MatmulInput in, float[] out, int rows);
    }

    /** Best GB/s over the passes (after one warm-up pass) of multiplying every matrix by a random vector. */
    private static double speed(List<GgufTensorInfo> tensors, Model model, Product product, int passes) {
        double best = 0;
        for (int pass = 0; pass <= passes; pass++) {
            long bytes = 0, nanos = 0;
            for (GgufTensorInfo t : tensors) {
                int cols = (int) t.shape()[0], rows = (int) t.shape()[1];
                FloatTensor tensor = FloatTensor.of(model.file().path(), t);
                MatmulInput in = new MatmulInput(cols, 1);
                Random random = new Random(cols);
                for (int i = 0; i < cols; i++) {
                    in.values()[i] = (float) random.nextGaussian();
                }
                float[] out = new float[rows];
                long start = System.nanoTime();
                product.multiply(tensor, in, out, rows);
                nanos += System.nanoTime() - start;
                bytes += t.data().byteSize();
            }
            if (pass > 0) {
                best = Math.max(best, bytes / (double) nanos);
            }
        }
        return best;
    }
}
