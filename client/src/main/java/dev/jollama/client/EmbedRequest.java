package dev.jollama.client;

import java.util.List;

/**
 * A {@code POST /api/embed} request: one embedding per input text. Null fields are not sent.
 *
 * @param truncate   false to fail rather than cut inputs longer than the context
 * @param dimensions a smaller output size, for models trained to allow it
 */
public record EmbedRequest(
        String model,
        List<String> input,
        Boolean truncate,
        Integer dimensions,
        Options options,
        KeepAlive keepAlive) {

    public static EmbedRequest of(String model, String... inputs) {
        return new EmbedRequest(model, List.of(inputs), null, null, null, null);
    }
}
