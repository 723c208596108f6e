package dev.jollama.server.routes;

import com.fasterxml.jackson.databind.node.ArrayNode;
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
import dev.jollama.server.completion.RequestImage;
import dev.jollama.server.config.ServerConfig;
import dev.jollama.server.prompt.PromptBuilder;
import dev.jollama.server.scheduler.Lease;
import dev.jollama.server.scheduler.Scheduler;
import dev.jollama.server.store.ModelStore;
import dev.jollama.server.store.StoredModel;
import dev.jollama.server.template.TemplateMessage;
import dev.jollama.server.template.ToolCallArguments;
import dev.jollama.server.thinking.OutputParser;
import dev.jollama.server.tools.ToolCallOutput;
import io.javalin.http.Context;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * POST /api/chat: the same rules as /api/generate (validation order, options, keep_alive, load and unload with an
 * empty message list), with the conversation rendered through the model's template and every chunk carrying
 * {@code message} with role {@code assistant}; with {@code tools}, calls in the output come as
 * {@code message.tool_calls}.
 */
public final class ChatRoute {
    private static final ReplyShape SHAPE = new ReplyShape() {
        @Override
        public void putText(ObjectNode chunk, String text, String thinking, List<ToolCall> toolCalls) {
            ObjectNode message = chunk.putObject("message");
            message.put("role", "assistant");
            message.put("content", text);
            if (!thinking.isEmpty()) {
                message.put("thinking", thinking);
            }
            if (!toolCalls.isEmpty()) {
                ArrayNode calls = message.putArray("tool_calls");
                toolCalls.forEach(call -> calls.add(call.json()));
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
        run(ctx, start, ChatRequest.parse(ctx.bodyAsBytes()), SHAPE);
    }

    /**
     * Answers a chat request in the given API's format; {@code start} is when the handler began, by System.nanoTime.
     */
    public void run(Context ctx, long start, ChatRequest r, Replies replies) throws Exception {
        ClientConnection client = ClientConnection.of(ctx);
        if (r.topLogprobs() < 0 || r.topLogprobs() > 20) {
            throw ApiException.badRequest("top_logprobs must be between 0 and 20");
        }
        StoredModel stored = Models.find(store, r.model());
        if (r.messages().isEmpty() && r.keepAlive().isPresent() && r.keepAlive().get().isZero()) {
            scheduler.expire(stored);
            replies.loaded(ctx, r.model(), "unload");
            return;
        }
        PromptBuilder prompts = new PromptBuilder(stored, "");
        ThinkValue think = prompts.thinking().resolve(r.think(), r.model(), Formats.given(r.format()));
        if (!prompts.completes()) {
            throw ApiException.badRequest(GoQuote.quote(r.model()) + " does not support chat");
        }
        if (r.tools() != null && !prompts.supportsTools()) {
            throw ApiException.badRequest(stored.name().fullName() + " does not support tools");
        }
        Options options = Options.resolve(config.contextLength(), stored.parameters(), r.options());
        Grammar grammar = Formats.grammar(r.format());
        List<RequestImage> images = r.debugRenderOnly() ? List.of()
                : Models.images(prompts, r.model(), r.messages().stream().flatMap(m -> m.images().stream()).toList());
        Optional<Optional<Duration>> session = r.keepAlive().map(k -> Optional.ofNullable(k.duration()));
        try (Lease lease = scheduler.acquire(stored, Models.contextLength(prompts, options), options.numThread(), session, client::gone)) {
            long loaded = System.nanoTime();
            if (r.messages().isEmpty()) {
                replies.loaded(ctx, r.model(), "load");
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
            OutputParser output = ToolCallOutput.around(prompts.thinking().parser(think.enabled(), false, prompt),
                    prompts.template(), r.tools());
            Completion.run(lease, prompt, images, new Completion.Settings(options, r.truncate(), r.shift(), logprobs, output,
                    grammar, start, loaded), replies.reply(ctx, client, r.model(), r.stream()));
        }
    }

    /** A request message as templates see it; an assistant's tool calls with their arguments as Go decodes them. */
    private static TemplateMessage templateMessage(ChatMessage m) {
        List<TemplateMessage.ToolCall> calls = m.toolCalls().isEmpty() ? null : m.toolCalls().stream()
                .map(c -> new TemplateMessage.ToolCall(c.id(), new TemplateMessage.ToolCallFunction(c.index(), c.name(),
                        new ToolCallArguments(GoJson.anyObject(c.arguments())))))
                .toList();
        return new TemplateMessage(m.role(), m.content(), m.thinking(), m.images().isEmpty() ? null : m.images(), calls,
                m.toolName(), m.toolCallId());
    }
}
