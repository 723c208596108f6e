package dev.jollama.server.routes;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jollama.server.api.GoJson;
import dev.jollama.server.api.ToolCall;
import dev.jollama.server.completion.CompletionEvent;
import dev.jollama.server.completion.CompletionSink;
import io.javalin.http.Context;

import java.time.Instant;
import java.util.List;

/**
 * How an Ollama endpoint lays out its reply chunks: where text and thinking sit (/api/generate: "response",
 * /api/chat: "message") and what the final chunk adds.
 */
interface ReplyShape extends Replies {
    /** Puts the answer text (always, even ""), the thinking and the tool calls (only when there are any). */
    void putText(ObjectNode chunk, String text, String thinking, List<ToolCall> toolCalls);

    void putFinalExtras(ObjectNode chunk, CompletionEvent.Done done);

    /** The writer of a completion's reply: NDJSON chunks, or one JSON object once it is done. */
    @Override
    default CompletionSink reply(Context ctx, ClientConnection client, String model, boolean stream) {
        return stream ? new NdjsonReply(ctx, client, model, this) : new SingleJsonReply(ctx, client, (text, thinking, toolCalls, logprobs, done) -> {
            ObjectNode reply = finalChunk(model, text, thinking, toolCalls, done);
            LogprobsJson.put(reply, logprobs);
            return reply;
        });
    }

    @Override
    default void loaded(Context ctx, String model, String doneReason) {
        JsonReply.send(ctx, 200, loadReply(model, doneReason));
    }

    /** The last chunk, or the whole reply when not streaming, with the given text and the done event's metrics. */
    default ObjectNode finalChunk(String model, String text, String thinking, List<ToolCall> toolCalls, CompletionEvent.Done done) {
        ObjectNode c = chunk(model);
        putText(c, text, thinking, toolCalls);
        c.put("done", true);
        c.put("done_reason", done.doneReason());
        putFinalExtras(c, done);
        CompletionEvent.Metrics m = done.metrics();
        putNonZero(c, "total_duration", m.totalNanos());
        putNonZero(c, "load_duration", m.loadNanos());
        putNonZero(c, "prompt_eval_count", m.promptEvalCount());
        putNonZero(c, "prompt_eval_duration", m.promptEvalNanos());
        putNonZero(c, "eval_count", m.evalCount());
        putNonZero(c, "eval_duration", m.evalNanos());
        putNonZero(c, "truncated", m.truncated());
        return c;
    }

    /** The single-object reply to a load or unload request. */
    default ObjectNode loadReply(String model, String doneReason) {
        ObjectNode c = chunk(model);
        putText(c, "", "", List.of());
        c.put("done", true);
        c.put("done_reason", doneReason);
        return c;
    }

    /** The reply to {@code _debug_render_only}: the prompt that would have run, and no answer (Ollama's DebugInfo). */
    default ObjectNode debugReply(String model, String renderedPrompt, int imageCount) {
        ObjectNode c = chunk(model);
        putText(c, "", "", List.of());
        c.put("done", false);
        ObjectNode debug = c.putObject("_debug_info");
        debug.put("rendered_template", renderedPrompt);
        if (imageCount > 0) {
            debug.put("image_count", imageCount);
        }
        return c;
    }

    /** A chunk's first fields, in Ollama's order. */
    static ObjectNode chunk(String model) {
        ObjectNode c = GoJson.object();
        c.put("model", model);
        c.put("created_at", GoJson.timestamp(Instant.now()));
        return c;
    }

    private static void putNonZero(ObjectNode c, String field, long value) {
        if (value != 0) {
            c.put(field, value);
        }
    }
}
