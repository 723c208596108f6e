package dev.jollama.engine.generation;

import dev.jollama.engine.sampling.Logprob;

import java.util.List;

/** Receives generated text as it becomes final, with the log-probabilities of the tokens that produced it. */
@FunctionalInterface
public interface TextListener {
    /**
     * @param logprobs one entry per token whose text is in (or ends) this piece, when the request asked for them;
     *                 empty otherwise
     */
    void onText(String text, List<Logprob> logprobs);
}
