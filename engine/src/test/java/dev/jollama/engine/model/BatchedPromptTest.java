package dev.jollama.engine.model;

import dev.jollama.engine.SharedTestData;
import dev.jollama.engine.kvcache.KvCacheType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Feeding a prompt in batches (matrix-matrix products, attention over the chunk with causal masking) gives the
 * logits that feeding it token by token gives, up to float rounding. The prompt spans three chunks, and more than
 * Gemma's 16-token sliding window.
 */
class BatchedPromptTest {

    @ParameterizedTest
    @ValueSource(strings = {"syn-llama-f16.gguf", "syn-llama-bf16.gguf", "syn-llama-q8_0.gguf", "syn-llama-q4_0.gguf",
            "syn-llama-q4_k_m.gguf", "syn-llama-q5_k_m.gguf", "syn-llama-q6_k.gguf", "syn-qwen2-q8_0.gguf",
            "syn-qwen3-q4_k_m.gguf", "syn-gemma3-q8_0.gguf", "syn-gemma2-q8_0.gguf", "syn-granite-q4_k_m.gguf",
            "syn-olmo2-q8_0.gguf", "syn-smollm3-q8_0.gguf", "syn-phi3-q4_k_m.gguf", "syn-qwen3moe-q4_k_m.gguf", "syn-gptoss-f32.gguf",
            "stories260K-gguf-v2-q8_0.gguf"})
    void batchedPromptGivesTheLogitsOfTokenByToken(String modelName) {
        // An f32 cache: an f16 one rounds keys and values, and a last-bit difference between the kernels of a
        // batch and of a single token can flip a rounding, which Gemma's six layers amplify past this bound.
        try (Model model = Model.load(SharedTestData.model(modelName), new Model.Options(0, KvCacheType.F32, Model.Options.DEFAULT.sequences(), 0))) {
            int length = 2 * Model.BATCH_CAPACITY + 22;
            int[] prompt = new Random(7).ints(length, 1, model.tokenizer().vocabularySize()).toArray();

            // A product of one row with Q4_0 or Q4_K weights takes 8-bit input, of several floats: such models go two
            // tokens at a time, through kernels of several rows other than the prompt's.
            int step = LogitAssertions.quantizesOneRowInput(modelName) ? 2 : 1;
            Sequence stepByStep = model.newSequence(length + 1);
            float[] expected = null;
            for (int i = 0; i < length; i += step) {
                expected = model.forward(stepByStep, prompt, i, i + step).clone();
            }
            Sequence batched = model.newSequence(length + 1);
            float[] actual = model.forward(batched, prompt, 0, prompt.length);

            LogitAssertions.assertClose(expected, actual, "batched " + modelName, modelName);
            assertThat(batched.length()).isEqualTo(length);
            assertThat(batched.tokens(0, length)).isEqualTo(prompt);
        }
    }
}
