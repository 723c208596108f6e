package dev.jollama.engine.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jollama.engine.SharedTestData;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The reference's embeddings in {@code ../shared/golden/embed}: the pooled vector of each input's tokens, all
 * inputs of a file in one call (so they share passes). Tolerances of {@code ../shared/README.md}: the normalised
 * vector within 1e-3 per component and cosine at least 0.99999 (5e-3 and 0.9999 for Q8_0 weights), the norm within
 * 0.1%.
 */
class EmbeddingGoldenTest {

    @TestFactory
    Stream<DynamicTest> everyEmbeddingGoldenMatchesTheReference() throws IOException {
        Path folder = SharedTestData.root().resolve("golden").resolve("embed");
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(f -> f.toString().endsWith(".json")).sorted().toList().stream()
                    .map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> check(f)));
        }
    }

    private static void check(Path goldenFile) throws IOException {
        JsonNode golden = new ObjectMapper().readTree(goldenFile.toFile());
        String modelName = golden.get("model").asText();
        Assumptions.assumeTrue(Model.supportedArchitectures().contains(golden.get("architecture").asText()),
                modelName + ": architecture '" + golden.get("architecture").asText() + "' is not supported yet");
        boolean quantized = modelName.contains("q8_0");
        double componentBound = quantized ? 5e-3 : 1e-3, cosineBound = quantized ? 0.9999 : 0.99999;
        try (Model model = Model.load(SharedTestData.model(modelName))) {
            List<int[]> inputs = new ArrayList<>();
            for (JsonNode c : golden.get("cases")) {
                inputs.add(ints(c.get("tokens")));
            }
            List<float[]> vectors = model.embed(inputs);
            int i = 0;
            for (JsonNode c : golden.get("cases")) {
                float[] actual = vectors.get(i++);
                double[] expected = doubles(c.get("embedding"));
                double actualNorm = norm(actual), expectedNorm = norm(expected);
                double worst = 0, dot = 0;
                for (int k = 0; k < expected.length; k++) {
                    double a = actual[k] / actualNorm, e = expected[k] / expectedNorm;
                    worst = Math.max(worst, Math.abs(a - e));
                    dot += a * e;
                }
                System.out.printf("embed %-26s input %d: max |Δ| %.1e, cosine %.7f, norm %.5f of the reference's%n",
                        modelName, i, worst, dot, actualNorm / expectedNorm);
                assertThat(worst).as("%s input %d: largest difference of the normalised vectors", modelName, i).isLessThanOrEqualTo(componentBound);
                assertThat(dot).as("%s input %d: cosine similarity", modelName, i).isGreaterThanOrEqualTo(cosineBound);
                assertThat(actualNorm / expectedNorm).as("%s input %d: norm against the reference's", modelName, i).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-3));
            }
        }
    }

    private static double norm(float[] v) {
        double sum = 0;
        for (float x : v) {
            sum += (double) x * x;
        }
        return Math.sqrt(sum);
    }

    private static double norm(double[] v) {
        double sum = 0;
        for (double x : v) {
            sum += x * x;
        }
        return Math.sqrt(sum);
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    private static double[] doubles(JsonNode array) {
        double[] out = new double[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asDouble();
        }
        return out;
    }
}
