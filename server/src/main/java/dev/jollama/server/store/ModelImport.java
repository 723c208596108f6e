package dev.jollama.server.store;

import dev.jollama.engine.gguf.GgufFile;
import dev.jollama.engine.gguf.GgufTensorInfo;
import dev.jollama.engine.quantize.ModelQuantizer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Makes a store model from a GGUF file plus the Modelfile parts (template, system, parameters, messages, license):
 * blobs first, the manifest last, so an interrupted import leaves no half-model visible.
 */
public final class ModelImport {
    private ModelImport() {
    }

    /** The parts of a model besides its weights; null or empty parts are left out. */
    public record Parts(String template, String system, Map<String, Object> parameters, List<Map<String, Object>> messages,
                        List<String> licenses) {
        public static Parts none() {
            return new Parts(null, null, Map.of(), List.of(), List.of());
        }
    }

    /** Copies a GGUF file into the store and makes a model of it. */
    public static void create(ModelStore store, ModelName name, Path gguf, Parts parts) throws IOException {
        create(store, name, store.writeBlob(Manifest.MODEL, gguf), parts);
    }

    /** Makes a model of a GGUF already stored as a blob. */
    public static void create(ModelStore store, ModelName name, Manifest.Layer weights, Parts parts) throws IOException {
        create(store, name, weights, null, parts);
    }

    /** Makes a model of a GGUF and, for a vision model, its image projector (null: none), both stored as blobs. */
    public static void create(ModelStore store, ModelName name, Manifest.Layer weights, Manifest.Layer projector, Parts parts) throws IOException {
        Map<String, Object> config;
        try (GgufFile file = GgufFile.open(store.blobPath(weights.digest()))) {
            config = configOf(file);
        }
        List<Manifest.Layer> layers = new ArrayList<>();
        layers.add(weights);
        if (projector != null) {
            layers.add(new Manifest.Layer(Manifest.PROJECTOR, projector.digest(), projector.size()));
        }
        if (parts.template() != null) {
            layers.add(store.writeBlob(Manifest.TEMPLATE, parts.template().getBytes(StandardCharsets.UTF_8)));
        }
        if (parts.system() != null) {
            layers.add(store.writeBlob(Manifest.SYSTEM, parts.system().getBytes(StandardCharsets.UTF_8)));
        }
        if (!parts.parameters().isEmpty()) {
            layers.add(store.writeBlob(Manifest.PARAMS, dev.jollama.server.api.GoJson.bytes(parts.parameters())));
        }
        if (!parts.messages().isEmpty()) {
            layers.add(store.writeBlob(Manifest.MESSAGES, dev.jollama.server.api.GoJson.bytes(parts.messages())));
        }
        for (String license : parts.licenses()) {
            layers.add(store.writeBlob(Manifest.LICENSE, license.getBytes(StandardCharsets.UTF_8)));
        }
        Manifest.Layer configLayer = store.writeBlob(Manifest.CONFIG_MEDIA_TYPE, dev.jollama.server.api.GoJson.bytes(config));
        store.writeManifest(name, new Manifest(2, Manifest.MEDIA_TYPE, configLayer, layers));
    }

    /**
     * Whether a GGUF is an image projector rather than a model, by Ollama's rules: {@code general.type} projector or
     * mmproj, vision blocks but no text blocks, or a clip architecture.
     */
    public static boolean isProjector(GgufFile file) {
        String type = file.getString("general.type", "");
        String architecture = file.getString("general.architecture", "");
        return type.equals("projector") || type.equals("mmproj") || architecture.equals("clip")
                || (file.metadata().containsKey(architecture + ".vision.block_count") && !file.metadata().containsKey(architecture + ".block_count"));
    }

    /** Ollama's config blob (model.ConfigV2) for a GGUF file. */
    static Map<String, Object> configOf(GgufFile file) {
        String architecture = file.getString("general.architecture", "");
        long parameters = 0;
        for (GgufTensorInfo t : file.tensors().values()) {
            parameters += t.elementCount();
        }
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("model_format", "gguf");
        config.put("model_family", architecture);
        config.put("model_families", List.of(architecture));
        config.put("model_type", parameterSize(parameters));
        config.put("file_type", ModelQuantizer.fileTypeOf(file).map(Enum::name).orElse("unknown"));
        config.put("architecture", "amd64");
        config.put("os", "linux");
        config.put("rootfs", Map.of("type", "layers", "diff_ids", List.of()));
        return config;
    }

    /** "260K", "1.1B", "7B": Ollama's human parameter counts. */
    static String parameterSize(long count) {
        if (count >= 1_000_000_000L) {
            return trim(count / 1e9) + "B";
        }
        if (count >= 1_000_000L) {
            return trim(count / 1e6) + "M";
        }
        if (count >= 1_000L) {
            return trim(count / 1e3) + "K";
        }
        return Long.toString(count);
    }

    private static String trim(double v) {
        String s = String.format(java.util.Locale.ROOT, "%.1f", v);
        return s.endsWith(".0") ? s.substring(0, s.length() - 2) : s;
    }
}
