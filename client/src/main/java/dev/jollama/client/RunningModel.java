package dev.jollama.client;

import java.time.Instant;

/**
 * A model loaded in memory, as {@code /api/ps} lists it.
 *
 * @param size          memory it uses in bytes
 * @param sizeVram      of which in GPU memory
 * @param expiresAt     when it will be unloaded if idle; centuries ahead for a model kept forever
 * @param contextLength context window it was loaded with, 0 when the server does not say
 */
public record RunningModel(
        String name,
        String model,
        long size,
        String digest,
        ModelDetails details,
        Instant expiresAt,
        long sizeVram,
        int contextLength) {
}
