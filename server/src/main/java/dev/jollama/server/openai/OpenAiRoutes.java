package dev.jollama.server.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jollama.server.api.ApiException;
import dev.jollama.server.api.GoJson;
import dev.jollama.server.api.RequestBody;
import dev.jollama.server.routes.ChatRoute;
import dev.jollama.server.routes.ClientConnection;
import dev.jollama.server.routes.EmbedRoutes;
import dev.jollama.server.routes.GenerateRoute;
import dev.jollama.server.routes.JsonReply;
import dev.jollama.server.routes.Models;
import dev.jollama.server.store.ModelName;
import dev.jollama.server.store.ModelStore;
import dev.jollama.server.store.StoredModel;
import io.javalin.http.Context;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * The OpenAI-compatible API under /v1: each request is translated into the request of the matching Ollama route
 * (/api/chat, /api/generate, /api/embed) and run by that route, its answer written in OpenAI's
 * shapes. Errors are OpenAI's {@code {"error": {...}}} (see {@link OpenAiError}).
 */
public final class OpenAiRoutes {
    private final ModelStore store;
    private final ChatRoute chat;
    private final GenerateRoute generate;
    private final EmbedRoutes embed;
    private final byte[] apiKey;

    /** @param apiKey the key clients must send as a bearer token, or null to accept any key or none */
    public OpenAiRoutes(ModelStore store, ChatRoute chat, GenerateRoute generate, EmbedRoutes embed, String apiKey) {
        this.store = store;
        this.chat = chat;
        this.generate = generate;
        this.embed = embed;
        this.apiKey = apiKey == null ? null : apiKey.getBytes(StandardCharsets.UTF_8);
    }

    /** Before every /v1 request: with a key configured, a request without it is a 401. */
    public void checkKey(Context ctx) {
        if (apiKey == null || ctx.method().name().equals("OPTIONS")) {
            return;
        }
        String header = Optional.ofNullable(ctx.header("Authorization")).orElse("");
        byte[] sent = (header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).strip() : "").getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(sent, apiKey)) {
            throw new ApiException(401, sent.length == 0
                    ? "missing API key: send the server's JOLLAMA_API_KEY as a bearer token (Authorization: Bearer <key>)"
                    : "incorrect API key: send the server's JOLLAMA_API_KEY as a bearer token");
        }
    }

    public void models(Context ctx) {
        ObjectNode reply = GoJson.object();
        reply.put("object", "list");
        ArrayNode data = reply.putArray("data");
        for (ModelName name : store.list()) {
            store.find(name).ifPresent(m -> data.add(model(m.name().displayName(), m)));
        }
        JsonReply.send(ctx, 200, reply);
    }

    public void model(Context ctx) {
        String name = ctx.pathParam("model");
        JsonReply.send(ctx, 200, model(name, Models.find(store, name)));
    }

    private static ObjectNode model(String id, StoredModel m) {
        ObjectNode model = GoJson.object();
        model.put("id", id);
        model.put("object", "model");
        model.put("created", m.modifiedAt().getEpochSecond());
        model.put("owned_by", m.name().namespace());
        return model;
    }

    public void chatCompletions(Context ctx) throws Exception {
        long start = System.nanoTime();
        ChatCompletionRequest r = ChatCompletionRequest.parse(ctx.bodyAsBytes());
        chat.run(ctx, start, r.chat(), new ChatCompletionReplies(r.includeUsage()));
    }

    public void completions(Context ctx) throws Exception {
        long start = System.nanoTime();
        TextCompletionRequest r = TextCompletionRequest.parse(ctx.bodyAsBytes());
        generate.run(ctx, start, r.generate(), new TextCompletionReplies(r.includeUsage()));
    }

    public void responses(Context ctx) throws Exception {
        long start = System.nanoTime();
        ResponsesRequest r = ResponsesRequest.parse(ctx.bodyAsBytes());
        chat.run(ctx, start, r.chat(), new ResponsesReplies(r.echo()));
    }

    public void embeddings(Context ctx) throws InterruptedException {
        long start = System.nanoTime();
        RequestBody body = RequestBody.parse("EmbedRequest", ctx.bodyAsBytes());
        String format = body.string("encoding_format");
        if (!format.isEmpty() && !format.equalsIgnoreCase("float") && !format.equalsIgnoreCase("base64")) {
            throw ApiException.badRequest("Invalid value for 'encoding_format' = " + format + ". Supported values: ['float', 'base64'].");
        }
        String model = body.string("model");
        EmbedRoutes.Embeddings result = embed.embed(start, model.strip(), inputs(body.node("input").orElse(null)), true,
                body.integer("dimensions").orElse(0), null, Optional.empty(), ClientConnection.of(ctx)::gone);
        ObjectNode reply = GoJson.object();
        reply.put("object", "list");
        ArrayNode data = reply.putArray("data");
        for (int i = 0; i < result.vectors().size(); i++) {
            ObjectNode embedding = data.addObject();
            embedding.put("object", "embedding");
            if (format.equalsIgnoreCase("base64")) {
                embedding.put("embedding", base64(result.vectors().get(i)));
            } else {
                ArrayNode values = embedding.putArray("embedding");
                for (float v : result.vectors().get(i)) {
                    values.add(v);
                }
            }
            embedding.put("index", i);
        }
        reply.put("model", model);
        ObjectNode usage = reply.putObject("usage");
        usage.put("prompt_tokens", result.promptTokens());
        usage.put("total_tokens", result.promptTokens());
        JsonReply.send(ctx, 200, reply);
    }

    /** {@code input}: a string, a list of strings, a list of token ids, or a list of such lists. */
    private static List<EmbedRoutes.EmbedInput> inputs(JsonNode input) {
        if (input == null || input.isArray() && input.isEmpty()) {
            throw ApiException.badRequest("invalid input");
        }
        if (input.isTextual()) {
            return List.of(EmbedRoutes.EmbedInput.text(input.asText()));
        }
        if (!input.isArray()) {
            throw ApiException.badRequest("invalid input");
        }
        if (input.get(0).isIntegralNumber()) {
            return List.of(new EmbedRoutes.EmbedInput(null, tokenIds(input)));
        }
        List<EmbedRoutes.EmbedInput> inputs = new ArrayList<>();
        for (JsonNode item : input) {
            if (item.isTextual()) {
                inputs.add(EmbedRoutes.EmbedInput.text(item.asText()));
            } else if (item.isArray() && !item.isEmpty()) {
                inputs.add(new EmbedRoutes.EmbedInput(null, tokenIds(item)));
            } else {
                throw ApiException.badRequest("invalid input");
            }
        }
        return inputs;
    }

    private static int[] tokenIds(JsonNode list) {
        int[] ids = new int[list.size()];
        for (int i = 0; i < ids.length; i++) {
            if (!list.get(i).isIntegralNumber() || !list.get(i).canConvertToInt()) {
                throw ApiException.badRequest("invalid input");
            }
            ids[i] = list.get(i).asInt();
        }
        return ids;
    }

    /** Little-endian float32s in base64, as the SDKs decode {@code encoding_format: base64}. */
    private static String base64(float[] vector) {
        ByteBuffer bytes = ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(vector);
        return Base64.getEncoder().encodeToString(bytes.array());
    }
}
