package dev.jollama.server.openai;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jollama.server.completion.CompletionSink;
import dev.jollama.server.routes.ChunkStream;
import dev.jollama.server.routes.ClientConnection;
import io.javalin.http.Context;

import java.lang.System.Logger.Level;

/**
 * What the streamed /v1 replies share: a Server-Sent Events stream opened when generation starts, the client's
 * leaving noticed through it, and a failure written as one more event.
 */
abstract class EventStreamReply implements CompletionSink {
    private static final System.Logger LOG = System.getLogger(EventStreamReply.class.getName());

    private final Context ctx;
    private final ClientConnection client;
    protected final String model;
    /** Every chunk of a stream carries the same created time, as OpenAI's do. */
    protected final long created = Wire.now();
    protected ChunkStream out;

    EventStreamReply(Context ctx, ClientConnection client, String model) {
        this.ctx = ctx;
        this.client = client;
        this.model = model;
    }

    @Override
    public final void start() {
        out = ChunkStream.serverSentEvents(ctx);
        opened();
    }

    /** The stream is open: the events that come before any output. */
    protected void opened() {
    }

    @Override
    public final boolean cancelled() {
        return out.closed() || client.gone();
    }

    @Override
    public final void fail(RuntimeException e) {
        LOG.log(Level.ERROR, "generation failed mid-stream", e);
        writeError(String.valueOf(e.getMessage()));
    }

    /** By default OpenAI's error object as the data of an event, which the SDKs raise as an error. */
    protected void writeError(String message) {
        ObjectNode error = OpenAiError.body(500, message);
        out.write(error);
    }
}
