package dev.jollama.engine.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jollama.engine.SharedTestData;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.jollama.engine.generation.GenerationRequest;
import dev.jollama.engine.generation.GenerationResult;
import dev.jollama.engine.generation.Generator;
import dev.jollama.engine.sampling.SamplingOptions;

import java.io.IOException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** stories260K as GGUF v3, v1 and v2 (Q8_0, rows across blocks) loads and greedily writes the reference's tokens. */
class StoriesGenerationTest {

    @ParameterizedTest
    @ValueSource(strings = {"stories260K.gguf", "stories260K-gguf-v1-f32.gguf", "stories260K-gguf-v2-q8_0.gguf"})
    void greedyGenerationReproducesTheGolden(String modelName) throws IOException {
        JsonNode golden = new ObjectMapper().readTree(SharedTestData.root().resolve("golden/stories260K.json").toFile());
        try (Model model = Model.load(SharedTestData.model(modelName))) {
            for (JsonNode c : golden.get("cases")) {
                int[] prompt = GoldenDistributionTest.ints(c.get("prompt_tokens"));
                int[] expected = GoldenDistributionTest.ints(c.get("generated_tokens"));
                Sequence sequence = model.newSequence(prompt.length + expected.length);
                float[] logits = null;
                for (int token : prompt) {
                    logits = model.forward(sequence, token);
                }
                int[] generated = new int[expected.length];
                for (int i = 0; i < generated.length; i++) {
                    generated[i] = GoldenDistributionTest.argmax(GoldenDistributionTest.logSoftmax(logits));
                    logits = model.forward(sequence, generated[i]);
                }
                assertThat(generated).as("%s from '%s'", modelName, c.get("prompt").asText()).containsExactly(expected);

                // The whole pipeline: tokenizer, greedy sampler, streaming decoder.
                StringBuilder text = new StringBuilder();
                GenerationResult result = new Generator(model).generate(model.newSequence(prompt.length + expected.length + 1),
                        GenerationRequest.of(model.tokenizer().encode(c.get("prompt").asText(), true, false),
                                new SamplingOptions(0f, 40, 0.9f, 0f, 1f, 1f, 64, 0f, 0f, 42), expected.length, List.of()),
                        (piece, logprobs) -> text.append(piece), () -> false);
                assertThat(text.toString()).isEqualTo(c.get("generated_text").asText());
                assertThat(result.doneReason()).isEqualTo("length");
            }
        }
    }
}
