package dev.jollama.server.openai;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jollama.server.api.GoJson;
import dev.jollama.server.api.ToolCall;
import dev.jollama.server.completion.CompletionEvent;
import dev.jollama.server.completion.CompletionSink;
import dev.jollama.server.routes.JsonReply;
import dev.jollama.server.routes.Replies;
import dev.jollama.server.routes.ClientConnection;
import dev.jollama.server.routes.SingleJsonReply;
import io.javalin.http.Context;

import java.util.List;

/**
 * A chat completion as a Responses API {@code response}: output items for the reasoning (thinking), the message and
 * the function calls, streamed as named events from {@code response.created} through {@code response.output_text.delta} to
 * {@code response.completed}. A reply cut by max_output_tokens is {@code incomplete}, as OpenAI reports it.
 */
final class ResponsesReplies implements Replies {
    private final String id = Wire.id("resp");
    private final String reasoningId = Wire.id("rs");
    private final long created = Wire.now();
    private final ObjectNode echo;

    ResponsesReplies(ObjectNode echo) {
        this.echo = echo;
    }

    @Override
    public CompletionSink reply(Context ctx, ClientConnection client, String model, boolean stream) {
        return stream ? new Events(ctx, client, model) : new SingleJsonReply(ctx, client, (text, thinking, toolCalls, logprobs, done) -> {
            ObjectNode response = response(model, done.doneReason());
            ArrayNode output = response.putArray("output");
            if (!thinking.isEmpty()) {
                output.add(reasoningItem(thinking));
            }
            if (!text.isEmpty() || toolCalls.isEmpty()) {
                output.add(messageItem(Wire.id("msg"), text, "completed"));
            }
            toolCalls.forEach(call -> output.add(functionCallItem(call)));
            response.set("usage", usage(done.metrics()));
            return response;
        });
    }

    @Override
    public void loaded(Context ctx, String model, String doneReason) {
        ObjectNode response = response(model, "stop");
        response.putArray("output");
        response.set("usage", usage(Wire.noMetrics()));
        JsonReply.send(ctx, 200, response);
    }

    /** The response object without output and usage; {@code doneReason} null while in progress. */
    private ObjectNode response(String model, String doneReason) {
        ObjectNode r = GoJson.object();
        r.put("id", id);
        r.put("object", "response");
        r.put("created_at", created);
        r.put("status", doneReason == null ? "in_progress" : doneReason.equals("length") ? "incomplete" : "completed");
        if (doneReason != null) {
            r.put("completed_at", Wire.now());
        }
        r.putNull("error");
        if ("length".equals(doneReason)) {
            r.putObject("incomplete_details").put("reason", "max_output_tokens");
        } else {
            r.putNull("incomplete_details");
        }
        r.put("model", model);
        r.setAll(echo);
        return r;
    }

    private ObjectNode reasoningItem(String thinking) {
        ObjectNode item = GoJson.object();
        item.put("id", reasoningId);
        item.put("type", "reasoning");
        ArrayNode summary = item.putArray("summary");
        if (thinking != null) {
            summary.add(summaryPart(thinking));
            item.put("encrypted_content", thinking); // plain text, so a client can send it back as Ollama's clients do
        }
        return item;
    }

    private static ObjectNode summaryPart(String text) {
        return GoJson.object().put("type", "summary_text").put("text", text);
    }

    /** An assistant message; {@code text} null for the empty item that opens its stream. */
    private static ObjectNode messageItem(String id, String text, String status) {
        ObjectNode item = GoJson.object();
        item.put("id", id);
        item.put("type", "message");
        item.put("status", status);
        item.put("role", "assistant");
        ArrayNode content = item.putArray("content");
        if (text != null) {
            content.add(textPart(text));
        }
        return item;
    }

    /** A call the model made; the call id is what a function_call_output item answers. */
    private static ObjectNode functionCallItem(ToolCall call) {
        String callId = Wire.callId(call);
        ObjectNode item = GoJson.object();
        item.put("id", "fc_" + callId);
        item.put("type", "function_call");
        item.put("status", "completed");
        item.put("call_id", callId);
        item.put("name", call.name());
        item.put("arguments", Wire.text(call.arguments()));
        return item;
    }

    private static ObjectNode textPart(String text) {
        ObjectNode part = GoJson.object().put("type", "output_text").put("text", text);
        part.putArray("annotations");
        part.putArray("logprobs");
        return part;
    }

    private static ObjectNode usage(CompletionEvent.Metrics m) {
        ObjectNode usage = GoJson.object();
        usage.put("input_tokens", m.promptEvalCount());
        ObjectNode inputDetails = usage.putObject("input_tokens_details");
        inputDetails.put("cached_tokens", 0);
        inputDetails.put("cache_write_tokens", 0);
        usage.put("output_tokens", m.evalCount());
        usage.putObject("output_tokens_details").put("reasoning_tokens", 0);
        usage.put("total_tokens", m.promptEvalCount() + m.evalCount());
        return usage;
    }

    /**
     * The streamed response: the reasoning item, when there is thinking, closes when the answer or a call starts; a
     * message item closes when a call starts or the generation ends; each call is an item of its own, sent whole.
     */
    private final class Events extends EventStreamReply {
        private final ArrayNode output = GoJson.MAPPER.createArrayNode();
        private final StringBuilder thinking = new StringBuilder();
        private final StringBuilder text = new StringBuilder();
        private int sequence;
        private boolean reasoningOpen;
        private String messageId;

        Events(Context ctx, ClientConnection client, String model) {
            super(ctx, client, model);
        }

        @Override
        protected void opened() {
            ObjectNode response = response(model, null);
            response.putArray("output");
            response.putNull("usage");
            send("response.created", GoJson.object().set("response", response));
            send("response.in_progress", GoJson.object().set("response", response.deepCopy()));
        }

        @Override
        public void accept(CompletionEvent event) {
            switch (event) {
                case CompletionEvent.Delta d -> add(d.text(), d.thinking(), d.toolCalls());
                case CompletionEvent.Done done -> {
                    add(done.text(), done.thinking(), done.toolCalls());
                    closeReasoning();
                    if (output.isEmpty() || messageId != null) {
                        openMessage();
                        closeMessage();
                    }
                    ObjectNode response = response(model, done.doneReason());
                    response.set("output", output);
                    response.set("usage", usage(done.metrics()));
                    send(done.doneReason().equals("length") ? "response.incomplete" : "response.completed",
                            GoJson.object().set("response", response));
                }
            }
        }

        private void add(String answer, String thought, List<ToolCall> calls) {
            if (!thought.isEmpty()) {
                if (!reasoningOpen) {
                    reasoningOpen = true;
                    send(item("response.output_item.added", null).set("item", reasoningItem(null)));
                    send(item("response.reasoning_summary_part.added", reasoningId).put("summary_index", 0).set("part", summaryPart("")));
                }
                thinking.append(thought);
                send(item("response.reasoning_summary_text.delta", reasoningId).put("summary_index", 0).put("delta", thought));
            }
            if (!answer.isEmpty()) {
                closeReasoning();
                openMessage();
                text.append(answer);
                ObjectNode delta = item("response.output_text.delta", messageId).put("content_index", 0).put("delta", answer);
                delta.putArray("logprobs");
                send(delta);
            }
            if (!calls.isEmpty()) {
                closeReasoning();
                closeMessage();
            }
            for (ToolCall call : calls) {
                ObjectNode done = functionCallItem(call);
                ObjectNode added = done.deepCopy().put("status", "in_progress").put("arguments", "");
                String itemId = done.get("id").asText();
                send(item("response.output_item.added", null).set("item", added));
                send(item("response.function_call_arguments.delta", itemId).put("delta", done.get("arguments").asText()));
                send(item("response.function_call_arguments.done", itemId).put("arguments", done.get("arguments").asText()));
                send(item("response.output_item.done", null).set("item", done));
                output.add(done);
            }
        }

        private void closeReasoning() {
            if (reasoningOpen) {
                reasoningOpen = false;
                send(item("response.reasoning_summary_text.done", reasoningId).put("summary_index", 0).put("text", thinking.toString()));
                send(item("response.reasoning_summary_part.done", reasoningId).put("summary_index", 0).set("part", summaryPart(thinking.toString())));
                ObjectNode done = reasoningItem(thinking.toString());
                send(item("response.output_item.done", null).set("item", done));
                output.add(done);
            }
        }

        private void openMessage() {
            if (messageId == null) {
                messageId = Wire.id("msg");
                send(item("response.output_item.added", null).set("item", messageItem(messageId, null, "in_progress")));
                send(item("response.content_part.added", messageId).put("content_index", 0).set("part", textPart("")));
            }
        }

        private void closeMessage() {
            if (messageId != null) {
                ObjectNode textDone = item("response.output_text.done", messageId).put("content_index", 0).put("text", text.toString());
                textDone.putArray("logprobs");
                send(textDone);
                send(item("response.content_part.done", messageId).put("content_index", 0).set("part", textPart(text.toString())));
                ObjectNode done = messageItem(messageId, text.toString(), "completed");
                send(item("response.output_item.done", null).set("item", done));
                output.add(done);
                messageId = null;
                text.setLength(0);
            }
        }

        /** An event about the item being written: its type, the item's id (when the event names one) and index. */
        private ObjectNode item(String type, String itemId) {
            ObjectNode event = GoJson.object().put("type", type);
            if (itemId != null) {
                event.put("item_id", itemId);
            }
            return event.put("output_index", output.size());
        }

        private void send(ObjectNode event) {
            send(event.get("type").asText(), event);
        }

        private void send(String type, ObjectNode event) {
            event.put("type", type);
            event.put("sequence_number", sequence++);
            out.writeEvent(type, event);
        }

        /** The Responses API's own error event. */
        @Override
        protected void writeError(String message) {
            ObjectNode error = GoJson.object().put("code", "api_error").put("message", message);
            error.putNull("param");
            send("error", error);
        }
    }
}
