package dev.jollama.engine.generation;

import dev.jollama.engine.SharedTestData;
import dev.jollama.engine.model.Model;
import dev.jollama.engine.model.Sequence;
import dev.jollama.engine.sampling.SamplingOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The token loop on stories260K: stop sequences, limits, context shift, prefix reuse, cancellation, seeds. */
class GeneratorTest {
    private static final SamplingOptions GREEDY = new SamplingOptions(0f, 40, 0.9f, 0f, 1f, 1f, 64, 0f, 0f, 1);
    private static final String GREEDY_TEXT = ", there was a little girl named Lily. She loved to play outside in the park.";
    private static Model model;
    private static int[] prompt;

    @BeforeAll
    static void load() {
        model = Model.load(SharedTestData.model("stories260K.gguf"));
        prompt = model.tokenizer().encode("Once upon a time", true, false);
    }

    @AfterAll
    static void close() {
        if (model != null) {
            model.close();
        }
    }

    private record Run(String text, GenerationResult result) {}

    private static Run run(Sequence sequence, GenerationRequest request) {
        StringBuilder text = new StringBuilder();
        GenerationResult result = new Generator(model).generate(sequence, request, (piece, logprobs) -> text.append(piece), () -> false);
        return new Run(text.toString(), result);
    }

    @Test
    void stopSequenceCutsTheTextAndEndsWithStop() {
        Run r = run(model.newSequence(128), GenerationRequest.of(prompt, GREEDY, 64, List.of("girl")));
        assertThat(r.text()).isEqualTo(", there was a little ");
        assertThat(r.result().doneReason()).isEqualTo("stop");
    }

    @Test
    void tokenLimitEndsWithLength() {
        Run r = run(model.newSequence(128), GenerationRequest.of(prompt, GREEDY, 5, List.of()));
        assertThat(r.result().generatedTokens()).isEqualTo(5);
        assertThat(r.result().doneReason()).isEqualTo("length");
        assertThat(GREEDY_TEXT).startsWith(r.text());
    }

    @Test
    void fullContextWithoutShiftEndsWithLength() {
        Run r = run(model.newSequence(16), GenerationRequest.of(prompt, GREEDY, 100, List.of()));
        assertThat(r.result().doneReason()).isEqualTo("length");
        assertThat(prompt.length + r.result().generatedTokens()).isEqualTo(17);
    }

    @Test
    void contextShiftKeepsGenerating() {
        Run r = run(model.newSequence(16), new GenerationRequest(prompt, GREEDY, 40, List.of(), true, 2, -1));
        assertThat(r.result().generatedTokens()).isEqualTo(40);
        assertThat(r.result().doneReason()).isEqualTo("length");
    }

    @Test
    void aSequenceReusesTheCachedPrefixAndGivesTheSameText() {
        Sequence sequence = model.newSequence(128);
        Run first = run(sequence, GenerationRequest.of(prompt, GREEDY, 10, List.of()));
        Run second = run(sequence, GenerationRequest.of(prompt, GREEDY, 10, List.of()));
        assertThat(second.text()).isEqualTo(first.text());
    }

    @Test
    void cancellationStopsAtTheNextToken() {
        AtomicInteger pieces = new AtomicInteger();
        GenerationResult result = new Generator(model).generate(model.newSequence(128),
                GenerationRequest.of(prompt, GREEDY, 50, List.of()), (t, l) -> pieces.incrementAndGet(), () -> pieces.get() >= 3);
        assertThat(result.doneReason()).isEqualTo("cancelled");
        assertThat(result.generatedTokens()).isEqualTo(3);
    }

    @Test
    void aFixedSeedRepeatsAndAnotherSeedDiffers() {
        SamplingOptions seeded = new SamplingOptions(1.5f, 0, 1f, 0f, 1f, 1f, 64, 0f, 0f, 1234);
        SamplingOptions other = new SamplingOptions(1.5f, 0, 1f, 0f, 1f, 1f, 64, 0f, 0f, 99);
        String a = run(model.newSequence(128), GenerationRequest.of(prompt, seeded, 40, List.of())).text();
        String b = run(model.newSequence(128), GenerationRequest.of(prompt, seeded, 40, List.of())).text();
        String c = run(model.newSequence(128), GenerationRequest.of(prompt, other, 40, List.of())).text();
        assertThat(b).isEqualTo(a);
        assertThat(c).isNotEqualTo(a);
    }
}
