package dev.jollama.server.routes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jollama.engine.generation.GenerationResult;
import dev.jollama.engine.grammar.Grammar;
import dev.jollama.server.api.ApiException;
import dev.jollama.server.api.GoJson;
import dev.jollama.server.api.Options;
import dev.jollama.server.api.RequestBody;
import dev.jollama.server.config.ServerConfig;
import dev.jollama.server.prompt.PromptBuilder;
import dev.jollama.server.scheduler.Lease;
import dev.jollama.server.scheduler.Scheduler;
import dev.jollama.server.store.ModelStore;
import dev.jollama.server.store.StoredModel;
import dev.jollama.server.template.TemplateMessage;
import dev.jollama.server.template.TemplateTool;
import io.javalin.http.Context;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * POST /api/chat: the same rules as /api/generate (validation order, options, keep_alive, load and unload with an
 * empty message list), with the conversation rendered through the model's template and every chunk carrying
 * {@code message} with role {@code assistant}.
 */
public final class ChatRoute {
    private static final Completion.Shape SHAPE = new Completion.Shape() {
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
        public void putFinalExtras(ObjectNode chunk, int[] promptTokens, GenerationResult result) {
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
        RequestBody body = RequestBody.parse("ChatRequest", ctx.bodyAsBytes());
        String modelName = body.string("model").strip();
        List<TemplateMessage> messages = messages(body);
        List<TemplateTool> tools = tools(body);
        boolean stream = body.bool("stream").orElse(true);
        Optional<RequestBody.KeepAlive> keepAlive = body.keepAlive();
        ThinkValue requestedThink = ThinkValue.parse(body.node("think"));
        int topLogprobs = body.integer("top_logprobs").orElse(0);
        boolean truncate = body.bool("truncate").orElse(true);
        boolean shift = body.bool("shift").orElse(true);
        if (topLogprobs < 0 || topLogprobs > 20) {
            throw ApiException.badRequest("top_logprobs must be between 0 and 20");
        }
        StoredModel stored = Models.find(store, modelName);
        if (messages.isEmpty() && keepAlive.isPresent() && keepAlive.get().isZero()) {
            scheduler.expire(stored);
            JsonReply.send(ctx, 200, Completion.loadReply(modelName, SHAPE, "unload"));
            return;
        }
        PromptBuilder prompts = new PromptBuilder(stored, "");
        ThinkValue think = requestedThink.resolve(prompts.thinking(), modelName);
        Options options = Options.resolve(config.contextLength(), stored.parameters(), body.node("options").orElse(null));
        Grammar grammar = Formats.grammar(body.node("format").orElse(null));
        Optional<Optional<Duration>> session = keepAlive.map(k -> Optional.ofNullable(k.duration()));
        try (Lease lease = scheduler.acquire(stored, options.numCtx(), options.numThread(), session)) {
            long loaded = System.nanoTime();
            if (messages.isEmpty()) {
                JsonReply.send(ctx, 200, Completion.loadReply(modelName, SHAPE, "load"));
                return;
            }
            String prompt = prompts.renderChat(messages, tools, think.enabled(), think.level(), think.set());
            int logprobs = body.bool("logprobs").orElse(false) || topLogprobs > 0 ? topLogprobs : -1;
            Completion.run(ctx, lease, prompt, new Completion.Settings(modelName, options, truncate, shift, stream,
                    logprobs, prompts.thinking().parser(think.enabled(), false, prompt), grammar, start, loaded), SHAPE);
        }
    }

    private static List<TemplateMessage> messages(RequestBody body) {
        List<TemplateMessage> messages = new ArrayList<>();
        Optional<JsonNode> node = body.node("messages");
        if (node.isEmpty()) {
            return messages;
        }
        if (!node.get().isArray()) {
            throw ApiException.badRequest("json: cannot unmarshal " + (node.get().isTextual() ? "string" : "object")
                    + " into Go struct field ChatRequest.messages of type []api.Message");
        }
        for (JsonNode m : node.get()) {
            if (!m.isObject()) {
                throw ApiException.badRequest("json: cannot unmarshal " + (m.isTextual() ? "string" : "array")
                        + " into Go struct field ChatRequest.messages of type api.Message");
            }
            List<byte[]> images = new ArrayList<>();
            JsonNode imageList = m.get("images");
            if (imageList != null && imageList.isArray()) {
                imageList.forEach(i -> images.add(Images.decode(i)));
            }
            messages.add(new TemplateMessage(text(m, "role"), text(m, "content"), text(m, "thinking"),
                    images.isEmpty() ? null : images, null, text(m, "tool_name"), text(m, "tool_call_id")));
        }
        return messages;
    }

    private static String text(JsonNode message, String field) {
        JsonNode v = message.get(field);
        return v == null || v.isNull() ? "" : v.asText();
    }

    private static List<TemplateTool> tools(RequestBody body) {
        Optional<JsonNode> node = body.node("tools");
        if (node.isEmpty() || node.get().isEmpty()) {
            return null;
        }
        try {
            List<TemplateTool> tools = new ArrayList<>();
            for (JsonNode t : node.get()) {
                tools.add(GoJson.MAPPER.treeToValue(t, TemplateTool.class));
            }
            return tools;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw ApiException.badRequest("invalid tools: " + e.getOriginalMessage());
        }
    }
}
