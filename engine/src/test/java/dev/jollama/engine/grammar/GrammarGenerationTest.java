package dev.jollama.engine.grammar;

import dev.jollama.engine.SharedTestData;
import dev.jollama.engine.generation.GenerationRequest;
import dev.jollama.engine.generation.GenerationResult;
import dev.jollama.engine.generation.Generator;
import dev.jollama.engine.model.Model;
import dev.jollama.engine.sampling.SamplingOptions;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.jollama.engine.grammar.Expression.choice;
import static dev.jollama.engine.grammar.Expression.literal;
import static dev.jollama.engine.grammar.Expression.repeat;
import static dev.jollama.engine.grammar.Expression.sequence;
import static org.assertj.core.api.Assertions.assertThat;

/** The generator under a grammar on stories260K: output confined to the grammar, "stop" when the match is over. */
class GrammarGenerationTest {
    private static final SamplingOptions GREEDY = new SamplingOptions(0f, 40, 0.9f, 0f, 1f, 1f, 64, 0f, 0f, 1);

    @Test
    void stopsWhenTheMatchIsCompleteAndNothingMayFollow() {
        try (Model model = Model.load(SharedTestData.model("stories260K.gguf"))) {
            int[] prompt = model.tokenizer().encode("Once upon a time", true, false);
            Grammar grammar = Grammar.of(sequence(literal(", there was a "), choice(literal("cat"), literal("dog")), literal(".")));
            StringBuilder text = new StringBuilder();
            GenerationResult result = new Generator(model).generate(model.newSequence(128),
                    GenerationRequest.of(prompt, GREEDY, 64, List.of()).withConstraint(new GrammarConstraint(grammar, model.tokenizer())),
                    (piece, logprobs) -> text.append(piece), () -> false);
            assertThat(text.toString()).isIn(", there was a cat.", ", there was a dog.");
            assertThat(result.doneReason()).isEqualTo("stop");
        }
    }

    @Test
    void theTokenLimitStillCutsAnOpenMatch() {
        try (Model model = Model.load(SharedTestData.model("stories260K.gguf"))) {
            int[] prompt = model.tokenizer().encode("Once upon a time", true, false);
            Grammar grammar = Grammar.of(repeat(Expression.chars('a', 'z'), 50, 50));
            StringBuilder text = new StringBuilder();
            GenerationResult result = new Generator(model).generate(model.newSequence(128),
                    GenerationRequest.of(prompt, GREEDY, 5, List.of()).withConstraint(new GrammarConstraint(grammar, model.tokenizer())),
                    (piece, logprobs) -> text.append(piece), () -> false);
            assertThat(result.doneReason()).isEqualTo("length");
            assertThat(text.toString()).matches("[a-z]+");
        }
    }
}
