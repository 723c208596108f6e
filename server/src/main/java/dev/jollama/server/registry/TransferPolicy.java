package dev.jollama.server.registry;

import java.time.Duration;

/**
 * How a blob download copes with trouble. A connection that drops after delivering bytes is resumed at once; attempts
 * that deliver nothing wait {@code backoff} times their count, and {@code maxFailuresWithoutProgress} of them in a row
 * fail the download. A body that delivers nothing for {@code stallTimeout} counts as dropped.
 */
public record TransferPolicy(int maxFailuresWithoutProgress, Duration backoff, Duration stallTimeout) {
    public static final TransferPolicy DEFAULT = new TransferPolicy(4, Duration.ofSeconds(1), Duration.ofSeconds(30));
}
