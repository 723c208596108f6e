package dev.jollama.server.openai;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jollama.server.api.TokenLogprob;
import dev.jollama.server.completion.CompletionEvent;
import dev.jollama.server.completion.CompletionSink;
import dev.jollama.server.routes.JsonReply;
import dev.jollama.server.routes.Replies;
import dev.jollama.server.routes.ClientConnection;
import dev.jollama.server.routes.SingleJsonReply;
import io.javalin.http.Context;

import java.util.List;

/**
 * A legacy completion in OpenAI's shapes: one {@code text_completion} object, or chunks of the same object type
 * (the last with the finish reason, a usage chunk when asked for, then {@code [DONE]}). Logprobs take the legacy
 * layout: tokens, token_logprobs, top_logprobs as token-to-logprob maps, text_offset.
 */
final class TextCompletionReplies implements Replies {
    private final String id = Wire.id("cmpl");
    private final boolean includeUsage;

    TextCompletionReplies(boolean includeUsage) {
        this.includeUsage = includeUsage;
    }

    @Override
    public CompletionSink reply(Context ctx, ClientConnection client, String model, boolean stream) {
        return stream ? new Chunks(ctx, client, model) : new SingleJsonReply(ctx, client, (text, thinking, toolCalls, logprobs, done) -> {
            ObjectNode reply = Wire.head(id, "text_completion", Wire.now(), model);
            putChoice(reply, text, logprobs, 0, done.doneReason());
            reply.set("usage", Wire.usage(done.metrics()));
            return reply;
        });
    }

    @Override
    public void loaded(Context ctx, String model, String doneReason) {
        ObjectNode reply = Wire.head(id, "text_completion", Wire.now(), model);
        putChoice(reply, "", List.of(), 0, doneReason);
        reply.set("usage", Wire.usage(Wire.noMetrics()));
        JsonReply.send(ctx, 200, reply);
    }

    /** The one choice; {@code offset} is where this text starts in the whole completion. */
    private static void putChoice(ObjectNode reply, String text, List<TokenLogprob> logprobs, int offset, String finishReason) {
        ObjectNode choice = reply.putArray("choices").addObject();
        choice.put("text", text);
        choice.put("index", 0);
        if (logprobs.isEmpty()) {
            choice.putNull("logprobs");
        } else {
            putLegacyLogprobs(choice.putObject("logprobs"), logprobs, offset);
        }
        if (finishReason == null) {
            choice.putNull("finish_reason");
        } else {
            choice.put("finish_reason", finishReason);
        }
    }

    private static void putLegacyLogprobs(ObjectNode out, List<TokenLogprob> logprobs, int offset) {
        ArrayNode tokens = out.putArray("tokens");
        ArrayNode tokenLogprobs = out.putArray("token_logprobs");
        ArrayNode top = out.putArray("top_logprobs");
        ArrayNode offsets = out.putArray("text_offset");
        for (TokenLogprob l : logprobs) {
            tokens.add(l.token());
            tokenLogprobs.add(l.logprob());
            ObjectNode alternatives = top.addObject();
            l.topLogprobs().forEach(a -> alternatives.put(a.token(), a.logprob()));
            offsets.add(offset);
            offset += l.token().length();
        }
    }

    /** The streamed reply: every chunk carries the same id and created time. */
    private final class Chunks extends EventStreamReply {
        private int offset;

        Chunks(Context ctx, ClientConnection client, String model) {
            super(ctx, client, model);
        }

        @Override
        public void accept(CompletionEvent event) {
            switch (event) {
                case CompletionEvent.Delta d -> write(d.text(), d.logprobs(), null);
                case CompletionEvent.Done done -> {
                    write(done.text(), List.of(), done.doneReason());
                    if (includeUsage) {
                        ObjectNode usage = Wire.head(id, "text_completion", created, model);
                        usage.putArray("choices");
                        usage.set("usage", Wire.usage(done.metrics()));
                        out.write(usage);
                    }
                    out.writeData("[DONE]");
                }
            }
        }

        private void write(String text, List<TokenLogprob> logprobs, String finishReason) {
            ObjectNode chunk = Wire.head(id, "text_completion", created, model);
            putChoice(chunk, text, logprobs, offset, finishReason);
            offset += text.length();
            out.write(chunk);
        }
    }
}
