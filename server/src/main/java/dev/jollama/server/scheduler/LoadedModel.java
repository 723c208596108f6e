package dev.jollama.server.scheduler;

import dev.jollama.engine.model.ImageEncoder;
import dev.jollama.engine.model.Model;
import dev.jollama.server.store.StoredModel;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;

/**
 * A model in memory with its slots: OLLAMA_NUM_PARALLEL requests at once, each with a sequence of up to num_ctx
 * tokens in the model's KV cache (sized for all of them), where a new sequence takes over the cached prefix of any
 * earlier one. Fields other than the final ones are guarded by the {@link Scheduler}'s lock.
 */
final class LoadedModel {
    private static final int MIN_CONTEXT = 4;

    final StoredModel stored;
    final Model model;
    /** The model's image projector, or null for a text-only model. */
    final ImageEncoder images;
    /** num_ctx as requested (reuse compares this), and as used: clamped to 4..the model's trained context. */
    final int requestedContextLength;
    final int contextLength;
    final Semaphore slots;
    final Instant loadedAt = Instant.now();

    /** How long the model stays loaded once idle; null means forever. */
    Duration sessionDuration;
    int inFlight;
    Instant expiresAt;
    ScheduledFuture<?> expiryTimer;
    boolean unloaded;

    LoadedModel(StoredModel stored, Model model, ImageEncoder images, int requestedContextLength, int parallel, Duration sessionDuration) {
        this.stored = stored;
        this.model = model;
        this.images = images;
        this.requestedContextLength = requestedContextLength;
        this.contextLength = Math.clamp(requestedContextLength, MIN_CONTEXT, Math.max(MIN_CONTEXT, model.config().contextLength()));
        this.sessionDuration = sessionDuration;
        this.slots = new Semaphore(parallel, true);
    }
}
