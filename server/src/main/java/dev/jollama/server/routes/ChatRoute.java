package dev.jollama.server.routes;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jollama.engine.grammar.Grammar;
import dev.jollama.server.api.ApiException;
import dev.jollama.server.api.ChatMessage;
import dev.jollama.server.api.ChatRequest;
import dev.jollama.server.api.GoJson;
import dev.jollama.server.api.Options;
import dev.jollama.server.api.ThinkValue;
import dev.jollama.server.api.ToolCall;
import dev.jollama.server.completion.Completion;
import dev.jollama.server.completion.CompletionEvent;
import dev.jollama.server.config.ServerConfig;
import dev.jollama.server.prompt.PromptBuilder;
import dev.jollama.server.scheduler.Lease;
import dev.jollama.server.scheduler.Scheduler;
import dev.jollama.server.store.ModelStore;
import dev.jollama.server.store.StoredModel;
import dev.jollama.server.template.TemplateMessage;
import dev.jollama.server.template.ToolCallArguments;
import io.javalin.http.Context;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * POST /api/chat: the same rules as /api/generate (validation order, options, keep_alive, load and unload with an
 * empty message list), with the conversation rendered through the model's template and every chunk carrying
 * {@code message} with role {@code assistant}.
 */
public final class ChatRoute {
    private static final ReplyShape SHAPE = new ReplyShape() {
        @Override
        public void putText(ObjectNode chunk, String text, String thinking) {
            ObjectNode message = chunk.putObject("message");
            message.put("role", "assistant");
            message.put("content", text);
            if (!thinking.isEmpty()) {
                message.put("thinking", thinking);
            }
        }

        @Override
        public void putFinalExtras(ObjectNode chunk, CompletionEvent.Done done) {
        }

        /** Ollama's debug reply carries an empty message: no role either. */
        @Override
        public ObjectNode debugReply(String model, String renderedPrompt, int imageCount) {
            ObjectNode reply = ReplyShape.super.debugReply(model, renderedPrompt, imageCount);
            ((ObjectNode) reply.get("message")).put("role", "");
            return reply;
        }
    };

    private final ServerConfig config;
    private final ModelStore store;
    private final Scheduler scheduler;

    public ChatRoute(ServerConfig config, ModelStore store, Scheduler scheduler) {
        this.config = config;
        this.store = store;
        this.scheduler = scheduler;
    }

    public void handle(Context ctx) throws Exception {
        long start = System.nanoTime();
        ChatRequest r = ChatRequest.parse(ctx.bodyAsBytes());
        if (r.topLogprobs() < 0 || r.topLogprobs() > 20) {
            throw ApiException.badRequest("top_logprobs must be between 0 and 20");
        }
        StoredModel stored = Models.find(store, r.model());
        if (r.messages().isEmpty() && r.keepAlive().isPresent() && r.keepAlive().get().isZero()) {
            scheduler.expire(stored);
            JsonReply.send(ctx, 200, SHAPE.loadReply(r.model(), "unload"));
            return;
        }
        PromptBuilder prompts = new PromptBuilder(stored, "");
        ThinkValue think = prompts.thinking().resolve(r.think(), r.model());
        if (!prompts.completes()) {
            throw ApiException.badRequest(GoQuote.quote(r.model()) + " does not support chat");
        }
        Options options = Options.resolve(config.contextLength(), stored.parameters(), r.options());
        Grammar grammar = Formats.grammar(r.format());
        Optional<Optional<Duration>> session = r.keepAlive().map(k -> Optional.ofNullable(k.duration()));
        try (Lease lease = scheduler.acquire(stored, options.numCtx(), options.numThread(), session)) {
            long loaded = System.nanoTime();
            if (r.messages().isEmpty()) {
                JsonReply.send(ctx, 200, SHAPE.loadReply(r.model(), "load"));
                return;
            }
            String prompt = prompts.renderChat(r.messages().stream().map(ChatRoute::templateMessage).toList(), r.tools(),
                    think.enabled(), think.level(), think.set());
            if (r.debugRenderOnly()) {
                JsonReply.send(ctx, 200, SHAPE.debugReply(r.model(), prompt,
                        r.messages().stream().mapToInt(m -> m.images().size()).sum()));
                return;
            }
            int logprobs = r.logprobs() ? r.topLogprobs() : -1; // top_logprobs alone asks for nothing, as in Ollama
            Completion.run(lease, prompt, new Completion.Settings(options, r.truncate(), r.shift(), logprobs,
                    prompts.thinking().parser(think.enabled(), false, prompt), grammar, start, loaded),
                    SHAPE.reply(ctx, r.model(), r.stream()));
        }
    }

    /** A request message as templates see it, with the calls an assistant message made (numbered from 0). */
    private static TemplateMessage templateMessage(ChatMessage m) {
        List<TemplateMessage.ToolCall> calls = null;
        if (!m.toolCalls().isEmpty()) {
            calls = new ArrayList<>();
            for (ToolCall call : m.toolCalls()) {
                Map<String, Object> arguments = call.arguments() == null ? Map.of()
                        : GoJson.MAPPER.convertValue(call.arguments(), new TypeReference<LinkedHashMap<String, Object>>() { });
                calls.add(new TemplateMessage.ToolCall("", new TemplateMessage.ToolCallFunction(calls.size(), call.name(),
                        new ToolCallArguments(arguments))));
            }
        }
        return new TemplateMessage(m.role(), m.content(), m.thinking(), m.images().isEmpty() ? null : m.images(), calls,
                m.toolName(), m.toolCallId());
    }
}
