package dev.jollama.client;

import java.time.Instant;
import java.util.List;

/**
 * A model in the server's store, as {@code /api/tags} lists it.
 *
 * @param name         for example {@code "llama3.2:latest"}
 * @param size         total size of its blobs in bytes
 * @param digest       sha256 of its manifest, in hex
 * @param capabilities {@code completion}, {@code embedding}, {@code thinking}, ... (newer servers only)
 */
public record LocalModel(
        String name,
        String model,
        Instant modifiedAt,
        long size,
        String digest,
        ModelDetails details,
        List<String> capabilities) {
}
