package dev.jollama.server.openai;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jollama.server.api.TokenLogprob;
import dev.jollama.server.completion.CompletionEvent;
import dev.jollama.server.completion.CompletionSink;
import dev.jollama.server.routes.ChunkStream;
import dev.jollama.server.routes.JsonReply;
import dev.jollama.server.routes.LogprobsJson;
import dev.jollama.server.routes.Replies;
import dev.jollama.server.routes.SingleJsonReply;
import io.javalin.http.Context;

import java.lang.System.Logger.Level;
import java.util.List;

/**
 * A chat completion in OpenAI's shapes: one {@code chat.completion} object, or {@code chat.completion.chunk} events
 * (the first with the role, a finish chunk with an empty delta, a usage chunk when asked for, then {@code [DONE]}).
 * Thinking goes in {@code reasoning}, as Ollama sends it.
 */
final class ChatCompletionReplies implements Replies {
    private static final System.Logger LOG = System.getLogger(ChatCompletionReplies.class.getName());

    private final String id = Wire.id("chatcmpl");
    private final boolean includeUsage;

    ChatCompletionReplies(boolean includeUsage) {
        this.includeUsage = includeUsage;
    }

    @Override
    public CompletionSink reply(Context ctx, String model, boolean stream) {
        return stream ? new Chunks(ctx, model)
                : new SingleJsonReply(ctx, (text, thinking, logprobs, done) -> completion(model, text, thinking, logprobs,
                done.doneReason(), done.metrics()));
    }

    @Override
    public void loaded(Context ctx, String model, String doneReason) {
        JsonReply.send(ctx, 200, completion(model, "", "", List.of(), doneReason, Wire.noMetrics()));
    }

    private ObjectNode completion(String model, String text, String thinking, List<TokenLogprob> logprobs, String finishReason,
                                  CompletionEvent.Metrics metrics) {
        ObjectNode reply = Wire.head(id, "chat.completion", Wire.now(), model);
        ObjectNode choice = reply.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        message.put("content", text);
        if (!thinking.isEmpty()) {
            message.put("reasoning", thinking);
        }
        choice.put("finish_reason", finishReason);
        putLogprobs(choice, logprobs);
        reply.set("usage", Wire.usage(metrics));
        return reply;
    }

    private static void putLogprobs(ObjectNode choice, List<TokenLogprob> logprobs) {
        if (!logprobs.isEmpty()) {
            LogprobsJson.putEntries(choice.putObject("logprobs").putArray("content"), logprobs);
        }
    }

    /** The streamed reply: every chunk carries the same id and created time. */
    private final class Chunks implements CompletionSink {
        private final Context ctx;
        private final String model;
        private final long created = Wire.now();
        private ChunkStream out;
        private boolean roleSent;

        Chunks(Context ctx, String model) {
            this.ctx = ctx;
            this.model = model;
        }

        @Override
        public void start() {
            out = ChunkStream.serverSentEvents(ctx);
        }

        @Override
        public void accept(CompletionEvent event) {
            switch (event) {
                case CompletionEvent.Delta d -> delta(d.text(), d.thinking(), d.logprobs());
                case CompletionEvent.Done done -> {
                    if (!done.text().isEmpty() || !done.thinking().isEmpty() || !roleSent) {
                        delta(done.text(), done.thinking(), List.of());
                    }
                    ObjectNode finish = chunk();
                    ObjectNode choice = finish.putArray("choices").addObject();
                    choice.put("index", 0);
                    choice.putObject("delta");
                    choice.put("finish_reason", done.doneReason());
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

        /** Thinking and answer text in one delta go out as two chunks, the reasoning first, as Ollama splits them. */
        private void delta(String text, String thinking, List<TokenLogprob> logprobs) {
            if (!thinking.isEmpty() && !text.isEmpty()) {
                out.write(chunk(null, thinking, logprobs));
                out.write(chunk(text, "", List.of()));
            } else {
                out.write(chunk(text, thinking, logprobs));
            }
        }

        /** A delta chunk; {@code text} null leaves content out (a reasoning-only chunk of a split delta). */
        private ObjectNode chunk(String text, String thinking, List<TokenLogprob> logprobs) {
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
            choice.putNull("finish_reason");
            putLogprobs(choice, logprobs);
            return c;
        }

        private ObjectNode chunk() {
            return Wire.head(id, "chat.completion.chunk", created, model);
        }

        @Override
        public boolean cancelled() {
            return out.closed();
        }

        @Override
        public void fail(RuntimeException e) {
            LOG.log(Level.ERROR, "generation failed mid-stream", e);
            out.write(OpenAiError.body(500, String.valueOf(e.getMessage())));
        }
    }
}
