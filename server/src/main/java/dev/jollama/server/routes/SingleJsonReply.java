package dev.jollama.server.routes;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jollama.server.api.GoJson;
import dev.jollama.server.api.TokenLogprob;
import dev.jollama.server.api.ToolCall;
import dev.jollama.server.completion.CompletionEvent;
import dev.jollama.server.completion.CompletionSink;
import io.javalin.http.Context;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** A completion answered as one JSON object (stream: false): the deltas' text, thinking, tool calls and logprobs gathered. */
public final class SingleJsonReply implements CompletionSink {
    /** Lays out the reply from everything the completion said. */
    @FunctionalInterface
    public interface Body {
        ObjectNode of(String text, String thinking, List<ToolCall> toolCalls, List<TokenLogprob> logprobs, CompletionEvent.Done done);
    }

    private final Context ctx;
    private final ClientConnection client;
    private final Body layout;
    private final StringBuilder text = new StringBuilder();
    private final StringBuilder thinking = new StringBuilder();
    private final List<ToolCall> toolCalls = new ArrayList<>();
    private final List<TokenLogprob> logprobs = new ArrayList<>();
    private OutputStream body;

    public SingleJsonReply(Context ctx, ClientConnection client, Body layout) {
        this.ctx = ctx;
        this.client = client;
        this.layout = layout;
    }

    @Override
    public void start() {
        ctx.status(200);
        JsonReply.setJsonContentType(ctx);
        body = JsonReply.servletOutput(ctx);
        try {
            body.flush(); // headers now: Java clients time out waiting for headers, not for the body
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void accept(CompletionEvent event) {
        switch (event) {
            case CompletionEvent.Delta d -> {
                text.append(d.text());
                thinking.append(d.thinking());
                toolCalls.addAll(d.toolCalls());
                logprobs.addAll(d.logprobs());
            }
            case CompletionEvent.Done done -> {
                toolCalls.addAll(done.toolCalls());
                ObjectNode reply = layout.of(text + done.text(), thinking + done.thinking(), toolCalls, logprobs, done);
                if (client.serverStopping()) {
                    reply = GoJson.object().put("error", Drain.ERROR);
                }
                try {
                    body.write(GoJson.bytes(reply));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
    }

    /** Nothing is written until the end, so the connection is asked. */
    @Override
    public boolean cancelled() {
        return client.gone();
    }

    /** The headers are out, so the error goes to the exception handler, which writes it as the body. */
    @Override
    public void fail(RuntimeException e) {
        throw e;
    }
}
