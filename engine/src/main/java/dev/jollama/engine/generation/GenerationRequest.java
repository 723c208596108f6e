package dev.jollama.engine.generation;

import dev.jollama.engine.model.PromptImage;
import dev.jollama.engine.sampling.SamplingOptions;
import dev.jollama.engine.sampling.TokenConstraint;

import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * What to generate: the prompt's tokens, how to sample, when to stop.
 *
 * @param maxTokens     tokens to generate at most; negative means until a stop or the context is full
 * @param stop          stop sequences matched on the decoded text; the match and what follows are not emitted
 * @param contextShift  when the context fills up, drop half of the tokens after the first {@code keepTokens} and
 *                      go on; otherwise end with "length"
 * @param keepTokens    tokens at the start that a context shift never drops (num_keep, plus BOS)
 * @param logprobs      -1 for no log-probabilities, else how many alternatives to list with each token (0 to 20)
 * @param constraint    null, or the grammar the output must match (structured outputs); it holds the match state,
 *                      so it serves one generation only. Generation stops when the match is complete and nothing
 *                      else may follow.
 * @param constraintActive null when the grammar applies from the first token; else asked before each token, the
 *                      grammar applying from the first token it says yes to (a thinking model thinks freely, then
 *                      answers under the grammar)
 * @param images        the images whose rows' keys {@code promptTokens} holds ({@link PromptImage#key}); empty for
 *                      text
 */
public record GenerationRequest(int[] promptTokens, SamplingOptions sampling, int maxTokens, List<String> stop,
                                boolean contextShift, int keepTokens, int logprobs, TokenConstraint constraint,
                                BooleanSupplier constraintActive, List<PromptImage> images) {

    /** A request without a grammar. */
    public GenerationRequest(int[] promptTokens, SamplingOptions sampling, int maxTokens, List<String> stop,
                             boolean contextShift, int keepTokens, int logprobs) {
        this(promptTokens, sampling, maxTokens, stop, contextShift, keepTokens, logprobs, null, null, List.of());
    }

    /** A request without context shift or log-probabilities, for callers that size the context to fit. */
    public static GenerationRequest of(int[] promptTokens, SamplingOptions sampling, int maxTokens, List<String> stop) {
        return new GenerationRequest(promptTokens, sampling, maxTokens, stop, false, 0, -1);
    }

    /** This request with its output constrained to a grammar. */
    public GenerationRequest withConstraint(TokenConstraint constraint) {
        return withConstraint(constraint, null);
    }

    /** This request with its output constrained to a grammar once {@code activeWhen} says so. */
    public GenerationRequest withConstraint(TokenConstraint constraint, BooleanSupplier activeWhen) {
        return new GenerationRequest(promptTokens, sampling, maxTokens, stop, contextShift, keepTokens, logprobs,
                constraint, activeWhen, images);
    }

    /** This request with images, whose rows' keys its prompt holds. */
    public GenerationRequest withImages(List<PromptImage> images) {
        return new GenerationRequest(promptTokens, sampling, maxTokens, stop, contextShift, keepTokens, logprobs,
                constraint, constraintActive, List.copyOf(images));
    }
}
