package dev.jollama.server.scheduler;

import dev.jollama.engine.model.Model;
import dev.jollama.engine.model.Sequence;
import dev.jollama.server.store.StoredModel;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ScheduledFuture;

/**
 * A model in memory with its slots: one {@link Sequence} per parallel request, each sized by num_ctx. Fields other
 * than the final ones are guarded by the {@link Scheduler}'s lock.
 */
final class LoadedModel {
    private static final int MIN_CONTEXT = 4;

    final StoredModel stored;
    final Model model;
    /** num_ctx as requested (reuse compares this), and as used: clamped to 4..the model's trained context. */
    final int requestedContextLength;
    final int contextLength;
    final BlockingQueue<Sequence> freeSequences;
    final Instant loadedAt = Instant.now();

    /** How long the model stays loaded once idle; null means forever. */
    Duration sessionDuration;
    int inFlight;
    Instant expiresAt;
    ScheduledFuture<?> expiryTimer;
    boolean unloaded;

    LoadedModel(StoredModel stored, Model model, int requestedContextLength, int parallel, Duration sessionDuration) {
        this.stored = stored;
        this.model = model;
        this.requestedContextLength = requestedContextLength;
        this.contextLength = Math.clamp(requestedContextLength, MIN_CONTEXT, Math.max(MIN_CONTEXT, model.config().contextLength()));
        this.sessionDuration = sessionDuration;
        this.freeSequences = new ArrayBlockingQueue<>(parallel);
        for (int i = 0; i < parallel; i++) {
            freeSequences.add(model.newSequence(contextLength));
        }
    }
}
