package dev.jollama.server.routes;

import dev.jollama.server.completion.CompletionSink;
import io.javalin.http.Context;

/**
 * How a completion route answers in one API's wire format: Ollama's NDJSON chunks and objects, or the
 * OpenAI-compatible shapes over the same completion events.
 */
public interface Replies {
    /** The writer of a completion's reply, streamed or as one object. */
    CompletionSink reply(Context ctx, ClientConnection client, String model, boolean stream);

    /** The answer to a request that only loads or unloads the model ({@code doneReason} "load" or "unload"). */
    void loaded(Context ctx, String model, String doneReason);
}
