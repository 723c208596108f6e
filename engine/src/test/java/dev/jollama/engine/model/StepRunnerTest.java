package dev.jollama.engine.model;

import dev.jollama.engine.SharedTestData;
import dev.jollama.engine.kvcache.KvCacheType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Passes that mix prompt chunks of some sequences with decode tokens of others give each sequence the logits it
 * gets alone; the step runner interleaves a long prompt with running streams and drops a prompt whose caller left.
 */
class StepRunnerTest {

    @ParameterizedTest
    @ValueSource(strings = {"syn-llama-q8_0.gguf", "syn-qwen2-q8_0.gguf", "syn-qwen3-q4_k_m.gguf", "syn-gemma3-q8_0.gguf",
            "syn-qwen3moe-q4_k_m.gguf", "syn-gptoss-f32.gguf"})
    void mixedPromptAndDecodeRowsGiveEachSequenceTheLogitsItGetsAlone(String modelName) {
        // An f32 cache, as in BatchedPromptTest: an f16 one rounds keys and values, and a last-bit difference between
        // the kernels of a batch and of a single row can flip a rounding (or a router's near-tie) past this bound.
        try (Model model = Model.load(SharedTestData.model(modelName), new Model.Options(0, KvCacheType.F32, Model.Options.DEFAULT.sequences(), 0))) {
            Random random = new Random(5);
            int vocabulary = model.tokenizer().vocabularySize();
            int[] decodingPrompt = random.ints(30, 1, vocabulary).toArray();
            int[] otherDecodingPrompt = random.ints(9, 1, vocabulary).toArray();
            int[] chunk = random.ints(40, 1, vocabulary).toArray();
            int decodeToken = random.nextInt(1, vocabulary), otherDecodeToken = random.nextInt(1, vocabulary);

            Sequence decoding = model.newSequence(64), prompting = model.newSequence(64), otherDecoding = model.newSequence(64);
            model.forward(decoding, decodingPrompt, 0, decodingPrompt.length);
            model.forward(otherDecoding, otherDecodingPrompt, 0, otherDecodingPrompt.length);
            Batch batch = new Batch(Model.BATCH_CAPACITY);
            batch.add(decoding, decodeToken, Batch.Output.LOGITS);
            for (int i = 0; i < chunk.length; i++) {
                batch.add(prompting, chunk[i], i == chunk.length - 1 ? Batch.Output.LOGITS : Batch.Output.NONE);
            }
            batch.add(otherDecoding, otherDecodeToken, Batch.Output.LOGITS);
            model.forward(batch);

            Sequence alone = model.newSequence(64);
            model.forward(alone, decodingPrompt, 0, decodingPrompt.length);
            LogitAssertions.assertClose(model.forward(alone, decodeToken), decoding.logits(), "mixed batch, " + modelName + " decoding", modelName);
            Sequence alonePrompting = model.newSequence(64);
            LogitAssertions.assertClose(model.forward(alonePrompting, chunk, 0, chunk.length), prompting.logits(), "mixed batch, " + modelName + " prompt chunk", modelName);
            Sequence aloneOther = model.newSequence(64);
            model.forward(aloneOther, otherDecodingPrompt, 0, otherDecodingPrompt.length);
            LogitAssertions.assertClose(model.forward(aloneOther, otherDecodeToken), otherDecoding.logits(), "mixed batch, " + modelName + " other decoding", modelName);
            assertThat(prompting.length()).isEqualTo(chunk.length);
            assertThat(decoding.tokens(30, 31)).containsExactly(decodeToken);
        }
    }

    @Test
    void aPromptWhoseCallerLeftStopsAtTheNextStepAndOthersGoOn() {
        try (Model model = Model.load(SharedTestData.model("syn-llama-q8_0.gguf"))) {
            int[] prompt = new Random(2).ints(300, 1, model.tokenizer().vocabularySize()).toArray();
            Sequence leaving = model.newSequence(512);
            AtomicInteger asked = new AtomicInteger();
            float[] logits = model.steps().feed(leaving, prompt, 0, prompt.length, () -> asked.incrementAndGet() > 1);
            assertThat(logits).as("no logits for a cancelled prompt").isNull();
            assertThat(leaving.length()).as("one step's chunk was fed before the caller left").isEqualTo(Model.BATCH_CAPACITY);

            Sequence next = model.newSequence(512);
            assertThat(model.steps().feed(next, prompt, 0, 10, () -> false)).isNotNull();
            assertThat(next.length()).isEqualTo(10);
        }
    }

    @Test
    void aLongPromptSharesItsStepsWithADecodingStream() throws Exception {
        try (Model model = Model.load(SharedTestData.model("syn-llama-q8_0.gguf"))) {
            Random random = new Random(8);
            int vocabulary = model.tokenizer().vocabularySize();
            int[] longPrompt = random.ints(24 * Model.BATCH_CAPACITY, 1, vocabulary).toArray();
            Sequence stream = model.newSequence(256);
            model.steps().feed(stream, new int[] {1, 2, 3}, 0, 3, () -> false);
            AtomicBoolean promptDone = new AtomicBoolean();
            AtomicInteger streamTokens = new AtomicInteger();
            CompletableFuture<Void> decoding = CompletableFuture.runAsync(() -> {
                while (!promptDone.get() && stream.length() < stream.contextLength()) {
                    model.steps().decode(stream, 5);
                    streamTokens.incrementAndGet();
                }
            });
            long sharedBefore = model.steps().sharedSteps();
            Sequence prompting = model.newSequence(longPrompt.length);
            AtomicInteger promptSteps = new AtomicInteger();
            int tokensBefore = streamTokens.get();
            model.steps().feed(prompting, longPrompt, 0, longPrompt.length, () -> {
                promptSteps.incrementAndGet();
                return false;
            });
            int tokensDuring = streamTokens.get() - tokensBefore;
            promptDone.set(true);
            decoding.get(60, TimeUnit.SECONDS);
            long shared = model.steps().sharedSteps() - sharedBefore;
            System.out.printf("a %d-token prompt took %d steps, %d shared with a stream that decoded %d tokens meanwhile%n",
                    longPrompt.length, promptSteps.get(), shared, tokensDuring);
            assertThat(prompting.length()).isEqualTo(longPrompt.length);
            assertThat(shared).as("steps with both the stream's token and a prompt chunk").isGreaterThanOrEqualTo(3);
            assertThat(tokensDuring).as("stream tokens decoded while the prompt was fed").isGreaterThanOrEqualTo(3);
            assertThat(model.steps().mostPromptRowsBesideDecodes()).as("prompt rows in a step beside the stream's token")
                    .isEqualTo(Model.BATCH_CAPACITY / 2);
        }
    }

    @Test
    void aBothWaysImageGoesWholeIntoAStepBesideADecodingStream() throws Exception {
        try (Model model = Model.load(SharedTestData.model("syn-gemma3-q8_0.gguf"), new Model.Options(0, KvCacheType.F32, Model.Options.DEFAULT.sequences(), 0))) {
            Random random = new Random(11);
            int vocabulary = model.tokenizer().vocabularySize();
            int rows = Model.BATCH_CAPACITY * 3 / 4; // more than the half batch of prompt rows a step takes beside decodes
            float[] embeddings = new float[rows * model.config().embeddingLength()];
            for (int i = 0; i < embeddings.length; i++) {
                embeddings[i] = (float) random.nextGaussian() * 0.02f;
            }
            PromptImage image = new PromptImage(7, embeddings, rows, true);
            int[] prompt = java.util.stream.IntStream.concat(java.util.stream.IntStream.concat(
                    random.ints(3, 1, vocabulary), java.util.Arrays.stream(image.keys())), random.ints(4, 1, vocabulary)).toArray();
            float[] alone = model.steps().feed(model.newSequence(128), prompt, java.util.List.of(image), 0, prompt.length, () -> false).clone();

            Sequence stream = model.newSequence(1024);
            model.steps().feed(stream, new int[] {1, 2, 3}, 0, 3, () -> false);
            AtomicBoolean imageDone = new AtomicBoolean();
            AtomicInteger streamTokens = new AtomicInteger();
            CompletableFuture<Void> decoding = CompletableFuture.runAsync(() -> {
                while (!imageDone.get() && stream.length() < stream.contextLength()) {
                    model.steps().decode(stream, 5);
                    streamTokens.incrementAndGet();
                }
            });
            while (streamTokens.get() < 3) {
                Thread.onSpinWait();
            }
            AtomicInteger imageSteps = new AtomicInteger();
            float[] beside = model.steps().feed(model.newSequence(128), prompt, java.util.List.of(image), 0, prompt.length, () -> {
                imageSteps.incrementAndGet();
                return false;
            });
            boolean streamRunning = !decoding.isDone();
            imageDone.set(true);
            decoding.get(60, TimeUnit.SECONDS);
            assertThat(streamRunning).as("the image was fed while the stream still decoded, not after it").isTrue();
            assertThat(imageSteps.get()).as("steps: the tokens before the image, the image whole, the tokens after").isLessThanOrEqualTo(3);
            LogitAssertions.assertClose(alone, beside, "an image fed beside a stream's decodes");
        }
    }
}
