package dev.jollama.server.routes;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jollama.server.api.GoJson;
import dev.jollama.server.completion.CompletionEvent;
import dev.jollama.server.completion.CompletionSink;
import io.javalin.http.Context;

import java.lang.System.Logger.Level;

/**
 * A completion streamed as Ollama streams it: one NDJSON chunk per delta, then the final chunk; a failure once
 * streaming is one more line, {@code {"error": ...}}, and no final chunk.
 */
final class NdjsonReply implements CompletionSink {
    private static final System.Logger LOG = System.getLogger(NdjsonReply.class.getName());

    private final Context ctx;
    private final ClientConnection client;
    private final String model;
    private final ReplyShape shape;
    private ChunkStream out;

    NdjsonReply(Context ctx, ClientConnection client, String model, ReplyShape shape) {
        this.ctx = ctx;
        this.client = client;
        this.model = model;
        this.shape = shape;
    }

    @Override
    public void start() {
        out = ChunkStream.ndjson(ctx);
    }

    @Override
    public void accept(CompletionEvent event) {
        switch (event) {
            case CompletionEvent.Delta d -> {
                ObjectNode c = ReplyShape.chunk(model);
                shape.putText(c, d.text(), d.thinking(), d.toolCalls());
                c.put("done", false);
                LogprobsJson.put(c, d.logprobs());
                out.write(c);
            }
            case CompletionEvent.Done done -> out.write(client.serverStopping() ? GoJson.object().put("error", Drain.ERROR)
                    : shape.finalChunk(model, done.text(), done.thinking(), done.toolCalls(), done));
        }
    }

    @Override
    public boolean cancelled() {
        return out.closed() || client.gone();
    }

    @Override
    public void fail(RuntimeException e) {
        LOG.log(Level.ERROR, "generation failed mid-stream", e);
        out.write(GoJson.object().put("error", String.valueOf(e.getMessage())));
    }
}
