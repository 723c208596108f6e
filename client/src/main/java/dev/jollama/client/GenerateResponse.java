package dev.jollama.client;

import java.time.Instant;
import java.util.List;

/**
 * A {@code /api/generate} reply, or one chunk of a streamed one. Chunks carry a piece of {@code response} (and of
 * {@code thinking}); the last chunk has {@code done} true and the figures. Durations are in nanoseconds; absent
 * figures are 0.
 *
 * @param doneReason {@code "stop"}, {@code "length"}, {@code "load"} or {@code "unload"}; null before the end
 * @param context    deprecated token continuation, to pass back in the next request
 */
public record GenerateResponse(
        String model,
        Instant createdAt,
        String response,
        String thinking,
        boolean done,
        String doneReason,
        List<Integer> context,
        long totalDuration,
        long loadDuration,
        int promptEvalCount,
        long promptEvalDuration,
        int evalCount,
        long evalDuration,
        List<ToolCall> toolCalls,
        List<TokenLogprob> logprobs) {

    /** Generated tokens per second, or 0 when the reply has no timing. */
    public double tokensPerSecond() {
        return evalDuration == 0 ? 0 : evalCount * 1e9 / evalDuration;
    }

    /** This reply with the next chunk added: the texts and lists joined, the rest taken from the later chunk. */
    GenerateResponse followedBy(GenerateResponse next) {
        return new GenerateResponse(next.model, next.createdAt, Concat.strings(response, next.response),
                Concat.strings(thinking, next.thinking), next.done, next.doneReason, next.context, next.totalDuration,
                next.loadDuration, next.promptEvalCount, next.promptEvalDuration, next.evalCount, next.evalDuration,
                Concat.lists(toolCalls, next.toolCalls), Concat.lists(logprobs, next.logprobs));
    }
}
