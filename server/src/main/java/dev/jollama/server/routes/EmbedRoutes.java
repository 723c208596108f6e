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

    public void embed(Context ctx) throws Exception {
        long start = System.nanoTime();
        RequestBody body = RequestBody.parse("EmbedRequest", ctx.bodyAsBytes());
        String modelName = body.string("model").strip();
        List<String> inputs = inputs(body.node("input"));
        boolean truncate = body.bool("truncate").orElse(true);
        int dimensions = body.integer("dimensions").orElse(0);
        StoredModel stored = Models.find(store, modelName);
        Options options = Options.resolve(config.contextLength(), stored.parameters(), body.object("options").orElse(null));
        try (Lease lease = scheduler.acquire(stored, options.numCtx(), options.numThread(), keepAlive(body))) {
            long loaded = System.nanoTime();
            ObjectNode reply = GoJson.object();
            reply.put("model", modelName);
            ArrayNode embeddings = reply.putArray("embeddings");
            if (inputs.isEmpty()) { // a load: EmbedHandler answers the model and no embeddings, nothing else
                JsonReply.send(ctx, 200, reply);
                return;
            }
            int promptTokens = 0;
            List<int[]> tokenized = new ArrayList<>();
            for (String input : inputs) {
                int[] tokens = tokens(lease, input, truncate);
                promptTokens += tokens.length;
                tokenized.add(tokens);
            }
            for (float[] vector : embed(lease, tokenized)) {
                if (dimensions > 0 && dimensions < vector.length) { // EmbedHandler ignores any other value
                    vector = Arrays.copyOf(vector, dimensions);
                }
                add(embeddings.addArray(), normalised(vector));
            }
            reply.put("total_duration", System.nanoTime() - start);
            reply.put("load_duration", loaded - start);
            reply.put("prompt_eval_count", promptTokens);
            JsonReply.send(ctx, 200, reply);
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
        try (Lease lease = scheduler.acquire(stored, options.numCtx(), options.numThread(), keepAlive(body))) {
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
        int[] tokens = tokenizer.encode(input, true, true);
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
