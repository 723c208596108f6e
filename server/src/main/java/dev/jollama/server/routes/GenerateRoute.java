package dev.jollama.server.routes;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jollama.engine.gguf.GgufFile;
import dev.jollama.engine.grammar.Grammar;
import dev.jollama.engine.model.Model;
import dev.jollama.engine.tokenizer.Tokenizer;
import dev.jollama.server.api.ApiException;
import dev.jollama.server.api.GenerateRequest;
import dev.jollama.server.api.Options;
import dev.jollama.server.api.ThinkValue;
import dev.jollama.server.api.ToolCall;
import dev.jollama.server.completion.Completion;
import dev.jollama.server.completion.CompletionEvent;
import dev.jollama.server.completion.RequestImage;
import dev.jollama.server.config.ServerConfig;
import dev.jollama.server.prompt.FimTokens;
import dev.jollama.server.prompt.PromptBuilder;
import dev.jollama.server.prompt.PromptRequest;
import dev.jollama.server.scheduler.Lease;
import dev.jollama.server.scheduler.Scheduler;
import dev.jollama.server.store.ModelStore;
import dev.jollama.server.store.StoredModel;
import dev.jollama.server.thinking.OutputParser;
import io.javalin.http.Context;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * POST /api/generate: validates in Ollama's order (the first failing check wins), loads or unloads the model,
 * renders the prompt, and streams NDJSON chunks or answers one JSON object.
 */
public final class GenerateRoute {

    private final ServerConfig config;
    private final ModelStore store;
    private final Scheduler scheduler;

    public GenerateRoute(ServerConfig config, ModelStore store, Scheduler scheduler) {
        this.config = config;
        this.store = store;
        this.scheduler = scheduler;
    }

    public void handle(Context ctx) throws Exception {
        long start = System.nanoTime();
        GenerateRequest r = GenerateRequest.parse(ctx.bodyAsBytes());
        run(ctx, start, r, shape(r.raw()));
    }

    /**
     * Answers a generate request in the given API's format; {@code start} is when the handler began, by
     * System.nanoTime.
     */
    public void run(Context ctx, long start, GenerateRequest r, Replies replies) throws Exception {
        ClientConnection client = ClientConnection.of(ctx);
        if (r.topLogprobs() < 0 || r.topLogprobs() > 20) {
            throw ApiException.badRequest("top_logprobs must be between 0 and 20");
        }
        StoredModel stored = Models.find(store, r.model());
        if (r.prompt().isEmpty() && r.keepAlive().isPresent() && r.keepAlive().get().isZero()) {
            scheduler.expire(stored);
            replies.loaded(ctx, r.model(), "unload");
            return;
        }
        if (stored.config().get("capabilities") instanceof List<?> capabilities && capabilities.contains("image")) {
            throw ApiException.badRequest("image generation models are not currently supported");
        }
        if (r.raw() && (!r.template().isEmpty() || !r.system().isEmpty() || (r.context() != null && r.context().length > 0))) {
            throw ApiException.badRequest("raw mode does not support template, system, or context");
        }
        // capabilities and thinking are the model's, as Ollama checks them; a request's template only renders
        PromptBuilder modelPrompts = new PromptBuilder(stored, "");
        PromptBuilder prompts = r.template().isEmpty() ? modelPrompts : new PromptBuilder(stored, r.template());
        ThinkValue think = modelPrompts.thinking().resolve(r.think(), r.model(), Formats.given(r.format()));
        if (!modelPrompts.completes()) {
            throw ApiException.badRequest(GoQuote.quote(r.model()) + " does not support generate");
        }
        boolean templateFim = !r.suffix().isEmpty() && modelPrompts.supportsInsert();
        if (!r.suffix().isEmpty() && !templateFim && !declaresFimTokens(stored)) {
            throw ApiException.badRequest(stored.name().fullName() + " does not support insert");
        }
        Options options = Options.resolve(config.contextLength(), stored.parameters(), r.options());
        Grammar grammar = Formats.grammar(r.format());
        List<RequestImage> images = r.debugRenderOnly() ? List.of() : Models.images(modelPrompts, r.model(), r.images());

        Optional<Optional<Duration>> keepAlive = r.keepAlive().map(k -> Optional.ofNullable(k.duration()));
        try (Lease lease = scheduler.acquire(stored, Models.contextLength(modelPrompts, options), options.numThread(), keepAlive, client::gone)) {
            long loaded = System.nanoTime();
            if (r.prompt().isEmpty()) { // with or without a suffix, as Ollama: a load
                replies.loaded(ctx, r.model(), "load");
                return;
            }
            Model model = lease.model();
            Tokenizer tokenizer = model.tokenizer();
            int logprobs = r.logprobs() ? r.topLogprobs() : -1; // top_logprobs alone asks for nothing, as in Ollama
            if (!r.suffix().isEmpty() && !templateFim && !r.raw()) {
                int[] fim = FimTokens.of(model.file()).orElseThrow().prompt(tokenizer, r.prompt(), r.suffix());
                Completion.run(lease, fim, new Completion.Settings(options, r.truncate(), r.shift(), logprobs,
                        OutputParser.PASS_THROUGH, grammar, start, loaded), replies.reply(ctx, client, r.model(), r.stream()));
                return;
            }
            String prefix = r.context() == null ? "" : tokenizer.decode(checkedContext(r.context(), tokenizer.vocabularySize()));
            String text = r.raw() ? r.prompt()
                    : prefix + prompts.render(new PromptRequest(r.prompt(), r.suffix(), r.system(),
                    r.images().size(), r.context() != null, think.enabled(), think.level(), think.set()));
            if (r.debugRenderOnly()) {
                JsonReply.send(ctx, 200, shape(r.raw()).debugReply(r.model(), text, r.images().size()));
                return;
            }
            Completion.run(lease, text, images, new Completion.Settings(options, r.truncate(), r.shift(), logprobs,
                    modelPrompts.thinking().parser(think.enabled(), r.raw(), text), grammar, start, loaded),
                    replies.reply(ctx, client, r.model(), r.stream()));
        }
    }

    /** Context ids come from earlier replies; anything outside the vocabulary was not one of them. */
    private static int[] checkedContext(int[] context, int vocabularySize) {
        for (int id : context) {
            if (id < 0 || id >= vocabularySize) {
                throw ApiException.badRequest("invalid context: token id " + id + " is not in the model's vocabulary (0 to "
                        + (vocabularySize - 1) + ")");
            }
        }
        return context;
    }

    /** Whether the model's GGUF names FIM tokens; read from the header, which the OS has cached after a load. */
    /** Model files are blobs named by their digest, so the answer per path never changes. */
    private static final Map<Path, Boolean> FIM_TOKENS_DECLARED = new ConcurrentHashMap<>();

    private static boolean declaresFimTokens(StoredModel stored) {
        return FIM_TOKENS_DECLARED.computeIfAbsent(stored.modelPath(), path -> {
            try (GgufFile file = GgufFile.open(path)) {
                return FimTokens.of(file).isPresent();
            }
        });
    }

    /** Generate replies carry text in "response" and, unless raw, the token ids of prompt and answer in "context". */
    private static ReplyShape shape(boolean raw) {
        return new ReplyShape() {
            @Override
            public void putText(ObjectNode chunk, String text, String thinking, List<ToolCall> toolCalls) {
                chunk.put("response", text);
                if (!thinking.isEmpty()) {
                    chunk.put("thinking", thinking);
                }
            }

            @Override
            public void putFinalExtras(ObjectNode chunk, CompletionEvent.Done done) {
                if (!raw) {
                    var context = chunk.putArray("context");
                    for (int t : done.tokens()) {
                        context.add(t);
                    }
                }
            }
        };
    }
}
