package dev.jollama.server.openai;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jollama.server.api.TokenLogprob;
import dev.jollama.server.api.ToolCall;
import dev.jollama.server.completion.CompletionEvent;
import dev.jollama.server.completion.CompletionSink;
import dev.jollama.server.routes.JsonReply;
import dev.jollama.server.routes.LogprobsJson;
import dev.jollama.server.routes.Replies;
import dev.jollama.server.routes.ClientConnection;
import dev.jollama.server.routes.SingleJsonReply;
import io.javalin.http.Context;

import java.util.List;

/**
 * A chat completion in OpenAI's shapes: one {@code chat.completion} object, or {@code chat.completion.chunk} events
 * (the first with the role, a finish chunk with an empty delta, a usage chunk when asked for, then {@code [DONE]}).
 * Thinking goes in {@code reasoning}, as Ollama sends it; tool calls in {@code tool_calls}, each whole in one chunk,
 * with the finish reason {@code tool_calls}.
 */
final class ChatCompletionReplies implements Replies {
    private final String id = Wire.id("chatcmpl");
    private final boolean includeUsage;

    ChatCompletionReplies(boolean includeUsage) {
        this.includeUsage = includeUsage;
    }

    @Override
    public CompletionSink reply(Context ctx, ClientConnection client, String model, boolean stream) {
        return stream ? new Chunks(ctx, client, model)
                : new SingleJsonReply(ctx, client, (text, thinking, toolCalls, logprobs, done) -> completion(model, text, thinking,
                toolCalls, logprobs, finishReason(done.doneReason(), !toolCalls.isEmpty()), done.metrics()));
    }

    @Override
    public void loaded(Context ctx, String model, String doneReason) {
        JsonReply.send(ctx, 200, completion(model, "", "", List.of(), List.of(), doneReason, Wire.noMetrics()));
    }

    private ObjectNode completion(String model, String text, String thinking, List<ToolCall> toolCalls,
                                  List<TokenLogprob> logprobs, String finishReason, CompletionEvent.Metrics metrics) {
        ObjectNode reply = Wire.head(id, "chat.completion", Wire.now(), model);
        ObjectNode choice = reply.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        message.put("content", text);
        if (!thinking.isEmpty()) {
            message.put("reasoning", thinking);
        }
        putToolCalls(message, toolCalls);
        choice.put("finish_reason", finishReason);
        putLogprobs(choice, logprobs);
        reply.set("usage", Wire.usage(metrics));
        return reply;
    }

    /** A generation that stopped after calling tools finishes with "tool_calls", as OpenAI reports it. */
    private static String finishReason(String doneReason, boolean calledTools) {
        return doneReason.equals("stop") && calledTools ? "tool_calls" : doneReason;
    }

    /** {@code tool_calls}: OpenAI's arguments are a JSON string; the index lets streaming clients join the calls. */
    private static void putToolCalls(ObjectNode message, List<ToolCall> toolCalls) {
        if (toolCalls.isEmpty()) {
            return;
        }
        ArrayNode calls = message.putArray("tool_calls");
        for (ToolCall call : toolCalls) {
            ObjectNode c = calls.addObject();
            c.put("index", call.index());
            c.put("id", Wire.callId(call));
            c.put("type", "function");
            ObjectNode function = c.putObject("function");
            function.put("name", call.name());
            function.put("arguments", Wire.text(call.arguments()));
        }
    }

    private static void putLogprobs(ObjectNode choice, List<TokenLogprob> logprobs) {
        if (!logprobs.isEmpty()) {
            LogprobsJson.putEntries(choice.putObject("logprobs").putArray("content"), logprobs);
        }
    }

    /** The streamed reply: every chunk carries the same id and created time. */
    private final class Chunks extends EventStreamReply {
        private boolean roleSent;
        private boolean calledTools;

        Chunks(Context ctx, ClientConnection client, String model) {
            super(ctx, client, model);
        }

        @Override
        public void accept(CompletionEvent event) {
            switch (event) {
                case CompletionEvent.Delta d -> delta(d.text(), d.thinking(), d.toolCalls(), d.logprobs());
                case CompletionEvent.Done done -> {
                    if (!done.text().isEmpty() || !done.thinking().isEmpty() || !done.toolCalls().isEmpty() || !roleSent) {
                        delta(done.text(), done.thinking(), done.toolCalls(), List.of());
                    }
                    ObjectNode finish = chunk();
                    ObjectNode choice = finish.putArray("choices").addObject();
                    choice.put("index", 0);
                    choice.putObject("delta");
                    choice.put("finish_reason", finishReason(done.doneReason(), calledTools));
                    out.write(finish);
                    if (includeUsage) {
                        ObjectNode usage = chunk();
                        usage.putArray("choices");
                        usage.set("usage", Wire.usage(done.metrics()));
                        out.write(usage);
                    }
                    out.writeData("[DONE]");
                }
            }
        }

        /**
         * Thinking and answer text or calls in one delta go out as two chunks, the reasoning first, as Ollama splits
         * them.
         */
        private void delta(String text, String thinking, List<ToolCall> toolCalls, List<TokenLogprob> logprobs) {
            calledTools |= !toolCalls.isEmpty();
            if (!thinking.isEmpty() && (!text.isEmpty() || !toolCalls.isEmpty())) {
                out.write(chunk(null, thinking, List.of(), logprobs));
                out.write(chunk(text, "", toolCalls, List.of()));
            } else {
                out.write(chunk(text, thinking, toolCalls, logprobs));
            }
        }

        /** A delta chunk; {@code text} null leaves content out (a reasoning-only chunk of a split delta). */
        private ObjectNode chunk(String text, String thinking, List<ToolCall> toolCalls, List<TokenLogprob> logprobs) {
            ObjectNode c = chunk();
            ObjectNode choice = c.putArray("choices").addObject();
            choice.put("index", 0);
            ObjectNode delta = choice.putObject("delta");
            if (!roleSent) {
                delta.put("role", "assistant");
                roleSent = true;
            }
            if (text != null) {
                delta.put("content", text);
            }
            if (!thinking.isEmpty()) {
                delta.put("reasoning", thinking);
            }
            putToolCalls(delta, toolCalls);
            choice.putNull("finish_reason");
            putLogprobs(choice, logprobs);
            return c;
        }

        private ObjectNode chunk() {
            return Wire.head(id, "chat.completion.chunk", created, model);
        }
    }
}
