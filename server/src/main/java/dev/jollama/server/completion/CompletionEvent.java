package dev.jollama.server.completion;

import dev.jollama.server.api.TokenLogprob;
import dev.jollama.server.api.ToolCall;

import java.util.List;

/** What a running completion reports, in order: any number of {@link Delta}s, then one {@link Done}. */
public sealed interface CompletionEvent {

    /**
     * Output as it becomes final; never all empty.
     *
     * @param text     answer text, possibly ""
     * @param thinking thinking text, possibly ""
     * @param toolCalls tool calls completed in this delta, each whole, possibly none
     * @param logprobs one entry per token whose text is in (or ends) this delta, when the request asked for them
     */
    record Delta(String text, String thinking, List<ToolCall> toolCalls, List<TokenLogprob> logprobs) implements CompletionEvent {
    }

    /**
     * The end of generation.
     *
     * @param text       answer text the output parser held back until the end, possibly ""
     * @param thinking   likewise for thinking
     * @param toolCalls  tool calls completed by what the output parser held back until the end (a harmony call)
     * @param doneReason "stop" or "length"
     * @param tokens     the prompt as fed to the model (without BOS) followed by every sampled token: what a later
     *                   request can continue from
     */
    record Done(String text, String thinking, List<ToolCall> toolCalls, String doneReason, int[] tokens, Metrics metrics) implements CompletionEvent {
    }

    /**
     * What the request cost.
     *
     * @param totalNanos      from the start of the request
     * @param loadNanos       from the start of the request until the model was ready
     * @param promptEvalCount tokens in the prompt, cached ones included
     * @param promptEvalNanos computing the prompt tokens that were not cached
     * @param evalCount       tokens sampled
     * @param evalNanos       from the first sampled token to the end
     * @param truncated       prompt tokens dropped to fit the context
     */
    record Metrics(long totalNanos, long loadNanos, int promptEvalCount, long promptEvalNanos, int evalCount, long evalNanos,
                   int truncated) {
    }
}
