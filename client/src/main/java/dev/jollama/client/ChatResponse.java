package dev.jollama.client;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A {@code /api/chat} reply, or one chunk of a streamed one: the assistant {@code message} (a piece of it per
 * chunk), and on the last chunk {@code done} true and the figures. Durations are in nanoseconds; absent figures are 0.
 *
 * @param doneReason {@code "stop"}, {@code "length"}, {@code "load"} or {@code "unload"}; null before the end
 */
public record ChatResponse(
        String model,
        Instant createdAt,
        Message message,
        boolean done,
        String doneReason,
        long totalDuration,
        long loadDuration,
        int promptEvalCount,
        long promptEvalDuration,
        int evalCount,
        long evalDuration,
        List<TokenLogprob> logprobs) {

    /** Generated tokens per second, or 0 when the reply has no timing. */
    public double tokensPerSecond() {
        return evalDuration == 0 ? 0 : evalCount * 1e9 / evalDuration;
    }

    /** This reply with the next chunk added: the message pieces and lists joined, the rest from the later chunk. */
    ChatResponse followedBy(ChatResponse next) {
        Message joined = message == null || next.message == null
                ? Objects.requireNonNullElse(next.message, message)
                : message.followedBy(next.message);
        return new ChatResponse(next.model, next.createdAt, joined, next.done, next.doneReason, next.totalDuration,
                next.loadDuration, next.promptEvalCount, next.promptEvalDuration, next.evalCount, next.evalDuration,
                Concat.lists(logprobs, next.logprobs));
    }
}
