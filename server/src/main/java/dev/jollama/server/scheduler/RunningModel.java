package dev.jollama.server.scheduler;

import dev.jollama.server.store.StoredModel;

import java.time.Instant;

/** A loaded model as /api/ps reports it. */
public record RunningModel(StoredModel stored, long sizeBytes, Instant expiresAt, int contextLength) {
}
