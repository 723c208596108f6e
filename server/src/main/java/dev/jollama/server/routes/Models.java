package dev.jollama.server.routes;

import dev.jollama.server.api.ApiException;
import dev.jollama.server.completion.RequestImage;
import dev.jollama.server.prompt.PromptBuilder;
import dev.jollama.server.store.ModelName;
import dev.jollama.server.store.ModelStore;
import dev.jollama.server.store.StoredModel;

import java.util.List;

/** Resolves a request's model name against the store with Ollama's statuses and messages. */
public final class Models {
    private static final int VISION_MIN_CONTEXT = 2048;

    private Models() {
    }

    /** 404 "model '' not found" for a blank name, 400 "invalid model name", 404 "model 'x' not found" (x as sent). */
    public static StoredModel find(ModelStore store, String raw) {
        if (raw.isBlank()) {
            throw ApiException.notFound("model '" + raw + "' not found");
        }
        ModelName name = parse(raw);
        return store.find(name).orElseThrow(() -> ApiException.notFound("model '" + raw + "' not found"));
    }

    /**
     * A request's images, decoded before its model loads: 400 for a model that reads none (Ollama passes them on
     * and its runner fails) and for bytes that are not an image.
     */
    static List<RequestImage> images(PromptBuilder prompts, String model, List<byte[]> images) {
        if (images.isEmpty()) {
            return List.of();
        }
        if (!prompts.readsImages()) {
            throw ApiException.badRequest(GoQuote.quote(model) + " does not support images");
        }
        return RequestImage.decode(images);
    }

    /** num_ctx as the model is loaded with: at least 2048 for a vision model, as Ollama's scheduler has it. */
    static int contextLength(PromptBuilder prompts, dev.jollama.server.api.Options options) {
        return prompts.readsImages() ? Math.max(VISION_MIN_CONTEXT, options.numCtx()) : options.numCtx();
    }

    static ModelName parse(String raw) {
        String name = raw.strip();
        boolean local = name.endsWith(":local");
        boolean cloud = name.endsWith(":cloud") || name.endsWith("-cloud");
        if (local && name.substring(0, name.length() - 6).endsWith(":cloud")) {
            throw ApiException.badRequest("use either :local or :cloud, not both: \"" + raw + "\"");
        }
        if (local) {
            name = name.substring(0, name.length() - ":local".length());
        }
        ModelName parsed = ModelName.parse(name);
        if (parsed == null) {
            throw ApiException.badRequest("invalid model name");
        }
        if (cloud) {
            throw ApiException.badRequest("cloud models are not supported by this server: \"" + raw + "\"");
        }
        return parsed;
    }
}
