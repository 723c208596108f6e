package dev.jollama.server.routes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.jollama.engine.gguf.GgufFile;
import dev.jollama.engine.gguf.GgufTensorInfo;
import dev.jollama.server.api.ApiException;
import dev.jollama.server.api.GoJson;
import dev.jollama.server.api.RequestBody;
import dev.jollama.server.prompt.PromptBuilder;
import dev.jollama.server.scheduler.RunningModel;
import dev.jollama.server.scheduler.Scheduler;
import dev.jollama.server.store.Manifest;
import dev.jollama.server.store.ModelHeader;
import dev.jollama.server.store.ModelName;
import dev.jollama.server.store.ModelStore;
import dev.jollama.server.store.StoredModel;
import io.javalin.http.Context;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The model-management endpoints: /api/tags, /api/show, /api/ps, /api/delete, /api/copy. */
public final class ModelRoutes {
    private static final System.Logger LOG = System.getLogger(ModelRoutes.class.getName());

    private final ModelStore store;
    private final Scheduler scheduler;

    public ModelRoutes(ModelStore store, Scheduler scheduler) {
        this.store = store;
        this.scheduler = scheduler;
    }

    /** Ollama's ListHandler (model_list_cache.go, buildModelListSummary): details with the lengths, capabilities. */
    public void tags(Context ctx) {
        ObjectNode reply = GoJson.object();
        ArrayNode models = reply.putArray("models");
        for (ModelName name : store.list()) {
            try {
                store.find(name).ifPresent(m -> {
                    ObjectNode entry = GoJson.object();
                    entry.put("name", m.name().displayName());
                    entry.put("model", m.name().displayName());
                    entry.put("modified_at", GoJson.timestamp(m.modifiedAt()));
                    entry.put("size", m.manifest().totalSize());
                    entry.put("digest", m.digest());
                    ObjectNode details = details(m);
                    ModelHeader header = ModelHeader.of(m.modelPath());
                    if (header.contextLength() > 0) {
                        details.put("context_length", header.contextLength());
                    }
                    if (header.embeddingLength() > 0) {
                        details.put("embedding_length", header.embeddingLength());
                    }
                    entry.set("details", details);
                    capabilities(entry, new PromptBuilder(m, ""));
                    models.add(entry);
                });
            } catch (ModelStore.DamagedModelException e) {
                LOG.log(System.Logger.Level.WARNING, "not listing {0}: {1}", name.displayName(), e.getMessage()); // as Ollama skips it
            }
        }
        json(ctx, reply);
    }

    /** Ollama's ShowHandler and GetModelInfo: empty fields left out, the request's system and options shown. */
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
        ModelName name = Models.parse(raw);
        StoredModel m = store.find(name).orElseThrow(() -> ApiException.notFound("model '" + name.displayName() + "' not found"));
        PromptBuilder prompts = new PromptBuilder(m, "");
        String system = body.string("system").isEmpty() ? m.system() : body.string("system");
        Map<String, Object> modelfileParameters = new LinkedHashMap<>(m.parameters());
        body.object("options").ifPresent(options ->
                modelfileParameters.putAll(GoJson.MAPPER.convertValue(options, new TypeReference<Map<String, Object>>() { })));
        ObjectNode reply = GoJson.object();
        putIfNotEmpty(reply, "license", String.join("\n", m.licenses()));
        reply.put("modelfile", Modelfiles.render(m, prompts.usesGgufTemplate() ? null : prompts.templateText(), system, modelfileParameters));
        putIfNotEmpty(reply, "parameters", Modelfiles.parameters(m.parameters()));
        putIfNotEmpty(reply, "template", prompts.templateText());
        putIfNotEmpty(reply, "system", system);
        reply.set("details", details(m).put("parent_model", parentModel(m)));
        if (!m.messages().isEmpty()) {
            ArrayNode messages = reply.putArray("messages");
            for (Map<String, Object> message : m.messages()) {
                messages.addObject().put("role", String.valueOf(message.get("role")))
                        .put("content", String.valueOf(message.getOrDefault("content", "")));
            }
        }
        modelFile(reply, m, verbose);
        capabilities(reply, prompts);
        reply.put("modified_at", GoJson.timestamp(m.modifiedAt()));
        json(ctx, reply);
    }

    /** The model a model was created from (its weights layer's "from"), or "". */
    private static String parentModel(StoredModel m) {
        return m.manifest().layers().stream().filter(l -> Manifest.MODEL.equals(l.mediaType()) && l.from() != null)
                .map(Manifest.Layer::from).findFirst().orElse("");
    }

    private static void putIfNotEmpty(ObjectNode reply, String field, String value) {
        if (value != null && !value.isEmpty()) {
            reply.put(field, value);
        }
    }

    private static void capabilities(ObjectNode entry, PromptBuilder prompts) {
        ArrayNode capabilities = entry.putArray("capabilities");
        prompts.capabilities().forEach(capabilities::add);
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
        // DeleteHandler parses the name before looking for it
        if (raw.isBlank()) {
            throw ApiException.badRequest("model is required");
        }
        if (ModelName.parse(raw.strip()) == null) {
            throw ApiException.badRequest("name " + GoQuote.quote(raw) + " is invalid");
        }
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

    /**
     * model_info, projector_info and tensors from the GGUF files (getModelData): the model's metadata without
     * general.name and the chat template, the projector's with its parameter count, a non-empty array only with
     * verbose (else null, as Ollama's reader leaves arrays it does not keep), and every model tensor's name, type and
     * shape.
     */
    private static void modelFile(ObjectNode reply, StoredModel m, boolean verbose) {
        ObjectNode info = reply.putObject("model_info");
        if (m.modelPath() == null) {
            return;
        }
        try (GgufFile file = GgufFile.open(m.modelPath())) {
            putMetadata(info, file, verbose);
            info.remove(List.of("general.name", "tokenizer.chat_template"));
            if (m.projectorPath() != null) {
                try (GgufFile projector = GgufFile.open(m.projectorPath())) {
                    putMetadata(reply.putObject("projector_info"), projector, verbose)
                            .put("general.parameter_count", projector.tensors().values().stream().mapToLong(GgufTensorInfo::elementCount).sum());
                }
            }
            ArrayNode tensors = reply.putArray("tensors");
            for (GgufTensorInfo t : file.tensors().values()) {
                ObjectNode tensor = tensors.addObject().put("name", t.name()).put("type", t.type().name());
                ArrayNode shape = tensor.putArray("shape");
                for (long d : t.shape()) {
                    shape.add(d);
                }
            }
        }
    }

    private static ObjectNode putMetadata(ObjectNode info, GgufFile file, boolean verbose) {
        new TreeMap<>(file.metadata()).forEach((k, v) -> {
            if (v.getClass().isArray() && java.lang.reflect.Array.getLength(v) > 0 && !verbose) {
                info.putNull(k);
            } else {
                info.set(k, GoJson.MAPPER.valueToTree(v));
            }
        });
        return info;
    }

    private static void json(Context ctx, Object body) {
        JsonReply.send(ctx, 200, body);
    }
}
