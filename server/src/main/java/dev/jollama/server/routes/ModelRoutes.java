package dev.jollama.server.routes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jollama.engine.gguf.GgufFile;
import dev.jollama.server.api.ApiException;
import dev.jollama.server.api.GoJson;
import dev.jollama.server.api.RequestBody;
import dev.jollama.server.prompt.PromptBuilder;
import dev.jollama.server.scheduler.RunningModel;
import dev.jollama.server.scheduler.Scheduler;
import dev.jollama.server.store.ModelName;
import dev.jollama.server.store.ModelStore;
import dev.jollama.server.store.StoredModel;
import io.javalin.http.Context;

import java.io.IOException;
import java.util.Map;

/** The model-management endpoints: /api/tags, /api/show, /api/ps, /api/delete, /api/copy. */
public final class ModelRoutes {
    private final ModelStore store;
    private final Scheduler scheduler;

    public ModelRoutes(ModelStore store, Scheduler scheduler) {
        this.store = store;
        this.scheduler = scheduler;
    }

    public void tags(Context ctx) {
        ObjectNode reply = GoJson.object();
        ArrayNode models = reply.putArray("models");
        for (ModelName name : store.list()) {
            store.find(name).ifPresent(m -> {
                ObjectNode entry = models.addObject();
                entry.put("name", m.name().displayName());
                entry.put("model", m.name().displayName());
                entry.put("modified_at", GoJson.timestamp(m.modifiedAt()));
                entry.put("size", m.manifest().totalSize());
                entry.put("digest", m.digest());
                entry.set("details", details(m));
            });
        }
        json(ctx, reply);
    }

    public void show(Context ctx) throws IOException {
        RequestBody body = RequestBody.parse("ShowRequest", ctx.bodyAsBytes());
        String raw = body.string("model");
        if (raw.isEmpty()) {
            raw = body.string("name");
        }
        if (raw.isBlank()) {
            throw ApiException.badRequest("model is required");
        }
        boolean verbose = body.bool("verbose").orElse(false);
        StoredModel m = Models.find(store, raw);
        PromptBuilder prompts = new PromptBuilder(m, "");
        ObjectNode reply = GoJson.object();
        if (!m.licenses().isEmpty()) {
            reply.put("license", String.join("\n", m.licenses()));
        }
        reply.put("modelfile", Modelfiles.render(m, prompts.usesGgufTemplate() ? null : prompts.templateText()));
        reply.put("parameters", Modelfiles.parameters(m.parameters()));
        reply.put("template", prompts.templateText());
        if (m.system() != null) {
            reply.put("system", m.system());
        }
        reply.set("details", details(m));
        reply.set("model_info", modelInfo(m, verbose));
        ArrayNode capabilities = reply.putArray("capabilities");
        prompts.capabilities().forEach(capabilities::add);
        reply.put("modified_at", GoJson.timestamp(m.modifiedAt()));
        json(ctx, reply);
    }

    public void ps(Context ctx) {
        ObjectNode reply = GoJson.object();
        ArrayNode models = reply.putArray("models");
        for (RunningModel r : scheduler.running()) {
            ObjectNode entry = models.addObject();
            entry.put("name", r.stored().name().displayName());
            entry.put("model", r.stored().name().displayName());
            entry.put("size", r.sizeBytes());
            entry.put("digest", r.stored().digest());
            entry.set("details", details(r.stored()));
            entry.put("expires_at", GoJson.timestamp(r.expiresAt()));
            entry.put("size_vram", 0);
            entry.put("context_length", r.contextLength());
        }
        json(ctx, reply);
    }

    public void delete(Context ctx) throws IOException {
        RequestBody body = RequestBody.parse("DeleteRequest", ctx.bodyAsBytes());
        String raw = body.string("model").isEmpty() ? body.string("name") : body.string("model");
        StoredModel m = Models.find(store, raw);
        scheduler.expire(m);
        store.delete(m.name());
        ctx.status(200);
    }

    public void copy(Context ctx) throws IOException {
        RequestBody body = RequestBody.parse("CopyRequest", ctx.bodyAsBytes());
        String source = body.string("source");
        String destination = body.string("destination");
        ModelName from = ModelName.parse(source);
        if (from == null) {
            throw ApiException.badRequest("source \"" + source + "\" is invalid");
        }
        ModelName to = ModelName.parse(destination);
        if (to == null) {
            throw ApiException.badRequest("destination \"" + destination + "\" is invalid");
        }
        if (!store.copy(from, to)) {
            throw ApiException.notFound("model \"" + source + "\" not found");
        }
        ctx.status(200);
    }

    /** details as Ollama reports them, from the config blob, else from the GGUF header. */
    static ObjectNode details(StoredModel m) {
        Map<String, Object> config = m.config();
        ObjectNode d = GoJson.object();
        d.put("parent_model", "");
        d.put("format", String.valueOf(config.getOrDefault("model_format", "gguf")));
        String family = String.valueOf(config.getOrDefault("model_family", ""));
        d.put("family", family);
        ArrayNode families = d.putArray("families");
        if (config.get("model_families") instanceof java.util.List<?> list) {
            list.forEach(f -> families.add(String.valueOf(f)));
        } else if (!family.isEmpty()) {
            families.add(family);
        }
        d.put("parameter_size", String.valueOf(config.getOrDefault("model_type", "")));
        d.put("quantization_level", String.valueOf(config.getOrDefault("file_type", "")));
        return d;
    }

    /** The GGUF metadata; arrays only with verbose, as Ollama (they hold whole vocabularies). */
    private static JsonNode modelInfo(StoredModel m, boolean verbose) {
        ObjectNode info = GoJson.object();
        if (m.modelPath() == null) {
            return info;
        }
        try (GgufFile file = GgufFile.open(m.modelPath())) {
            new java.util.TreeMap<>(file.metadata()).forEach((k, v) -> {
                if (v.getClass().isArray()) {
                    if (verbose) {
                        info.set(k, GoJson.MAPPER.valueToTree(v));
                    } else {
                        info.putNull(k);
                    }
                } else {
                    info.set(k, GoJson.MAPPER.valueToTree(v));
                }
            });
        }
        return info;
    }

    private static void json(Context ctx, Object body) {
        JsonReply.send(ctx, 200, body);
    }
}
