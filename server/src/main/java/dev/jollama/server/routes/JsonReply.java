package dev.jollama.server.routes;

import dev.jollama.server.api.GoJson;
import io.javalin.http.Context;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/** Writes one JSON object as Ollama's gin does: status, {@code application/json; charset=utf-8}, compact body. */
public final class JsonReply {
    public static final String CONTENT_TYPE = "application/json; charset=utf-8";

    private JsonReply() {
    }

    public static void send(Context ctx, int status, Object body) {
        ctx.status(status);
        setJsonContentType(ctx);
        ctx.result(GoJson.bytes(body));
    }

    /** Jetty writes it as {@code application/json;charset=utf-8}, which every client parses alike. */
    public static void setJsonContentType(Context ctx) {
        ctx.contentType(CONTENT_TYPE);
    }

    /**
     * The servlet's own output stream: Javalin's wrapper (ctx.outputStream()) buffers and does not pass flush() on,
     * and streamed tokens and early headers must leave at once.
     */
    static OutputStream servletOutput(Context ctx) {
        try {
            return ctx.res().getOutputStream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
