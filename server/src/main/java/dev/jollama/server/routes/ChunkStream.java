package dev.jollama.server.routes;

import dev.jollama.server.api.GoJson;
import io.javalin.http.Context;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes a reply as a stream of compact JSON chunks, each flushed so clients see every token as it comes: NDJSON
 * lines for Ollama's routes, Server-Sent Events ({@code data: {...}} frames) for the OpenAI-compatible ones. A write
 * that fails means the client went away: {@link #closed()} turns true and generation stops at the next token.
 */
public final class ChunkStream {
    private final OutputStream out;
    private final boolean events;
    private volatile boolean closed;

    private ChunkStream(Context ctx, String contentType, boolean events) {
        ctx.status(200);
        ctx.contentType(contentType);
        this.out = JsonReply.servletOutput(ctx);
        this.events = events;
    }

    public static ChunkStream ndjson(Context ctx) {
        return new ChunkStream(ctx, "application/x-ndjson", false);
    }

    public static ChunkStream serverSentEvents(Context ctx) {
        ctx.header("Cache-Control", "no-cache");
        return new ChunkStream(ctx, "text/event-stream", true);
    }

    public void write(Object json) {
        frame(null, GoJson.bytes(json));
    }

    /** A named Server-Sent Event ({@code event: name} before the data), as the Responses API sends them. */
    public void writeEvent(String name, Object json) {
        frame(name, GoJson.bytes(json));
    }

    /** A data frame that is not JSON, such as the {@code [DONE]} that ends an OpenAI stream. */
    public void writeData(String data) {
        frame(null, data.getBytes(StandardCharsets.UTF_8));
    }

    private void frame(String event, byte[] data) {
        if (closed) {
            return;
        }
        try {
            if (events) {
                if (event != null) {
                    out.write(("event: " + event + "\n").getBytes(StandardCharsets.UTF_8));
                }
                out.write("data: ".getBytes(StandardCharsets.UTF_8));
            }
            out.write(data);
            out.write(events ? "\n\n".getBytes(StandardCharsets.UTF_8) : new byte[] {'\n'});
            out.flush();
        } catch (IOException | RuntimeException e) {
            closed = true;
        }
    }

    public boolean closed() {
        return closed;
    }
}
