package dev.jollama.server.routes;

import dev.jollama.server.api.GoJson;
import io.javalin.http.Context;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes one compact JSON object per line and flushes it, so clients see each token as it comes. A write that fails
 * means the client went away: {@link #closed()} turns true and generation stops at the next token.
 */
final class NdjsonStream {
    private final OutputStream out;
    private volatile boolean closed;

    NdjsonStream(Context ctx) {
        ctx.status(200);
        ctx.contentType("application/x-ndjson");
        this.out = JsonReply.servletOutput(ctx);
    }

    void write(Object json) {
        if (closed) {
            return;
        }
        try {
            out.write(GoJson.bytes(json));
            out.write('\n');
            out.flush();
        } catch (IOException | RuntimeException e) {
            closed = true;
        }
    }

    boolean closed() {
        return closed;
    }
}
