package dev.jollama.server.routes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jollama.engine.tokenizer.Tokenizer;
import dev.jollama.server.api.ApiException;
import dev.jollama.server.api.GoJson;
import dev.jollama.server.api.Options;
import dev.jollama.server.api.RequestBody;
import dev.jollama.server.config.ServerConfig;
import dev.jollama.server.scheduler.Lease;
import dev.jollama.server.scheduler.Scheduler;
import dev.jollama.server.store.ModelStore;
import dev.jollama.server.store.StoredModel;
import io.javalin.http.Context;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * POST /api/embed (inputs as a string or a list, L2-normalised vectors, optional dimensions) and the legacy
 * POST /api/embeddings (one prompt, raw vector). Vectors are mean-pooled final hidden states.
 */
public final class EmbedRoutes {
    private final ServerConfig config;
    private final ModelStore store;
    private final Scheduler scheduler;

    public EmbedRoutes(ServerConfig config, ModelStore store, Scheduler scheduler) {
        this.config = config;
        this.store = store;
        this.scheduler = scheduler;
    }

    /**
     * One input to embed: text, tokenized as a prompt, or token ids taken as given.
     *
     * @param tokens the ids, or null for text
     */
    public record EmbedInput(String text, int[] tokens) {
        public static EmbedInput text(String text) {
            return new EmbedInput(text, null);
        }
    }

    /**
     * The L2-normalised vectors of a request's inputs, in order.
     *
     * @param promptTokens the tokens of every input together
     * @param loadNanos    from the start of the request until the model was ready
     */
    public record Embeddings(List<float[]> vectors, int promptTokens, long loadNanos) {
    }

    public void embed(Context ctx) throws Exception {
        long start = System.nanoTime();
        RequestBody body = RequestBody.parse("EmbedRequest", ctx.bodyAsBytes());
        String modelName = body.string("model").strip();
        List<EmbedInput> inputs = inputs(body.node("input")).stream().map(EmbedInput::text).toList();
        Embeddings result = embed(start, modelName, inputs, body.bool("truncate").orElse(true),
                body.integer("dimensions").orElse(0), body.object("options").orElse(null), keepAlive(body), ClientConnection.of(ctx)::gone);
        ObjectNode reply = GoJson.object();
        reply.put("model", modelName);
        ArrayNode embeddings = reply.putArray("embeddings");
        if (inputs.isEmpty()) { // a load: EmbedHandler answers the model and no embeddings, nothing else
            JsonReply.send(ctx, 200, reply);
            return;
        }
        result.vectors().forEach(v -> add(embeddings.addArray(), v));
        reply.put("total_duration", System.nanoTime() - start);
        reply.put("load_duration", result.loadNanos());
        reply.put("prompt_eval_count", result.promptTokens());
        JsonReply.send(ctx, 200, reply);
    }

    /**
     * Embeds the inputs together with the named model; {@code dimensions} between 0 and the vectors' length cuts each
     * vector to that length before it is normalised (other values are ignored, as Ollama's EmbedHandler does).
     * {@code start} is when the handler began, by System.nanoTime; waiting for a slot ends when {@code clientGone}
     * says so.
     */
    public Embeddings embed(long start, String modelName, List<EmbedInput> inputs, boolean truncate, int dimensions,
                            JsonNode requestOptions, Optional<Optional<Duration>> keepAlive, BooleanSupplier clientGone) throws InterruptedException {
        StoredModel stored = Models.find(store, modelName);
        Options options = Options.resolve(config.contextLength(), stored.parameters(), requestOptions);
        try (Lease lease = scheduler.acquire(stored, options.numCtx(), options.numThread(), keepAlive, clientGone)) {
            long loaded = System.nanoTime();
            int promptTokens = 0;
            List<int[]> tokenized = new ArrayList<>();
            for (EmbedInput input : inputs) {
                int[] tokens = input.tokens() != null ? fit(lease, input.tokens(), truncate) : tokens(lease, input.text(), truncate);
                promptTokens += tokens.length;
                tokenized.add(tokens);
            }
            List<float[]> vectors = new ArrayList<>(inputs.size());
            for (float[] vector : embed(lease, tokenized)) {
                if (dimensions > 0 && dimensions < vector.length) { // EmbedHandler ignores any other value
                    vector = Arrays.copyOf(vector, dimensions);
                }
                vectors.add(normalised(vector));
            }
            return new Embeddings(vectors, promptTokens, loaded - start);
        }
    }

    public void embeddings(Context ctx) throws Exception {
        RequestBody body = RequestBody.parse("EmbeddingRequest", ctx.bodyAsBytes());
        String modelName = body.string("model").strip();
        if (modelName.isEmpty()) {
            throw ApiException.badRequest("model is required");
        }
        // EmbeddingsHandler's handleScheduleError words an unknown model its own way
        StoredModel stored = store.find(Models.parse(modelName))
                .orElseThrow(() -> ApiException.notFound("model " + GoQuote.quote(modelName) + " not found, try pulling it first"));
        String prompt = body.string("prompt");
        Options options = Options.resolve(config.contextLength(), stored.parameters(), body.object("options").orElse(null));
        try (Lease lease = scheduler.acquire(stored, options.numCtx(), options.numThread(), keepAlive(body), ClientConnection.of(ctx)::gone)) {
            ObjectNode reply = GoJson.object();
            ArrayNode vector = reply.putArray("embedding");
            if (!prompt.isEmpty()) {
                add(vector, embed(lease, List.of(tokens(lease, prompt, true))).getFirst());
            }
            JsonReply.send(ctx, 200, reply);
        }
    }

    /** The inputs' embeddings, computed together; an input without tokens embeds as zeros. */
    private static List<float[]> embed(Lease lease, List<int[]> inputs) {
        List<int[]> nonEmpty = inputs.stream().filter(t -> t.length > 0).toList();
        List<float[]> vectors = nonEmpty.isEmpty() ? List.of() : lease.model().embed(nonEmpty);
        List<float[]> all = new ArrayList<>(inputs.size());
        int next = 0;
        for (int[] tokens : inputs) {
            all.add(tokens.length > 0 ? vectors.get(next++) : new float[lease.model().config().embeddingLength()]);
        }
        return all;
    }

    private static Optional<Optional<Duration>> keepAlive(RequestBody body) {
        return body.keepAlive().map(k -> Optional.ofNullable(k.duration()));
    }

    private static int[] tokens(Lease lease, String input, boolean truncate) {
        Tokenizer tokenizer = lease.model().tokenizer();
        return fit(lease, tokenizer.encode(input, true, true), truncate);
    }

    /** An input longer than the context is cut to it, or refused without truncate. */
    private static int[] fit(Lease lease, int[] tokens, boolean truncate) {
        int vocabulary = lease.model().tokenizer().vocabularySize();
        for (int t : tokens) {
            if (t < 0 || t >= vocabulary) {
                throw ApiException.badRequest("invalid token id " + t + " (the model's vocabulary has " + vocabulary + " tokens)");
            }
        }
        if (tokens.length > lease.contextLength()) {
            if (!truncate) {
                throw ApiException.badRequest("the input length exceeds the context length");
            }
            tokens = Arrays.copyOf(tokens, lease.contextLength());
        }
        return tokens;
    }

    private static List<String> inputs(Optional<JsonNode> node) {
        List<String> inputs = new ArrayList<>();
        node.ifPresent(n -> {
            if (n.isTextual()) {
                if (!n.asText().isEmpty()) {
                    inputs.add(n.asText());
                }
            } else if (n.isArray()) {
                for (JsonNode item : n) {
                    if (!item.isTextual()) {
                        throw ApiException.badRequest("invalid input type");
                    }
                    inputs.add(item.asText());
                }
            } else {
                throw ApiException.badRequest("invalid input type");
            }
        });
        return inputs;
    }

    private static float[] normalised(float[] v) {
        double norm = 0;
        for (float x : v) {
            norm += (double) x * x;
        }
        float scale = norm == 0 ? 0f : (float) (1 / Math.sqrt(norm));
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i] * scale;
        }
        return out;
    }

    private static void add(ArrayNode array, float[] v) {
        for (float x : v) {
            array.add(x);
        }
    }
}
