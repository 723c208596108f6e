package dev.jollama.server.routes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jollama.engine.gguf.GgufFile;
import dev.jollama.engine.gguf.GgufFormatException;
import dev.jollama.server.api.ApiException;
import dev.jollama.server.api.GoJson;
import dev.jollama.server.api.Options;
import dev.jollama.server.api.RequestBody;
import dev.jollama.server.store.Manifest;
import dev.jollama.server.store.ModelImport;
import dev.jollama.server.store.ModelName;
import dev.jollama.server.store.ModelStore;
import dev.jollama.server.store.StoredModel;
import dev.jollama.server.template.NamedTemplate;
import dev.jollama.server.template.PromptTemplate;
import dev.jollama.server.template.TemplateException;
import dev.jollama.server.template.TemplateRecognizer;
import io.javalin.http.Context;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * POST /api/create: a model from uploaded GGUF blobs ({@code files}), an existing model ({@code from}) or a GGUF
 * path on this machine ({@code from}), plus template, system, parameters, messages and license. A GGUF without a
 * template gets the named Ollama template its chat_template matches (when JOLLAMA_TEMPLATES is set). Progress is
 * NDJSON {@code {"status": ...}}; the manifest is written last, so a failed create leaves no model behind.
 */
public final class CreateRoute {
    private static final System.Logger LOG = System.getLogger(CreateRoute.class.getName());

    private final ModelStore store;
    private final TemplateRecognizer recognizer;

    /** @param recognizer Ollama's named templates, or null when none are installed */
    public CreateRoute(ModelStore store, TemplateRecognizer recognizer) {
        this.store = store;
        this.recognizer = recognizer;
    }

    public void handle(Context ctx) throws IOException {
        RequestBody body = RequestBody.parse("CreateRequest", ctx.bodyAsBytes());
        String raw = body.string("model").isEmpty() ? body.string("name") : body.string("model");
        ModelName name = ModelName.parse(raw);
        if (raw.isBlank() || name == null) {
            throw ApiException.badRequest("invalid model name");
        }
        Optional<JsonNode> adapters = body.node("adapters");
        if (adapters.isPresent() && !adapters.get().isEmpty()) {
            throw ApiException.badRequest("adapters are not supported: Jollama cannot apply LoRA adapters; merge the adapter into the model's weights and create the model from the merged GGUF");
        }
        if (!body.string("template").isEmpty()) {
            checkTemplate(body.string("template"));
        }
        boolean stream = body.bool("stream").orElse(true);
        Map<String, Object> parameters = Options.parameters(body.node("parameters").orElse(null));
        List<Map<String, Object>> messages = messages(body.node("messages"));
        List<String> licenses = licenses(body.node("license"));

        List<ObjectNode> statuses = new ArrayList<>();
        NdjsonStream out = stream ? new NdjsonStream(ctx) : null;
        java.util.function.Consumer<String> status = text -> {
            ObjectNode s = GoJson.object().put("status", text);
            if (out != null) {
                out.write(s);
            } else {
                statuses.add(s);
            }
        };
        try {
            Source source = source(body, status);
            String template = body.string("template").isEmpty() ? source.template() : body.string("template");
            Map<String, Object> allParameters = new LinkedHashMap<>(source.parameters());
            if (template == null) {
                Optional<NamedTemplate> named = recognize(source.weights());
                if (named.isPresent()) {
                    template = named.get().template();
                    if (named.get().stop() != null) {
                        allParameters.put("stop", named.get().stop());
                    }
                    status.accept("using autodetected template " + named.get().name());
                }
            }
            allParameters.putAll(parameters);
            String system = body.string("system").isEmpty() ? source.system() : body.string("system");
            status.accept("writing manifest");
            ModelImport.create(store, name, source.weights(), new ModelImport.Parts(template, system, allParameters,
                    messages.isEmpty() ? source.messages() : messages, licenses.isEmpty() ? source.licenses() : licenses));
            status.accept("success");
        } catch (ApiException e) {
            if (out == null) {
                throw e;
            }
            out.write(GoJson.object().put("error", e.getMessage()));
            return;
        }
        if (out == null) {
            JsonReply.send(ctx, 200, statuses.getLast());
        }
    }

    /** Where the weights come from, and what an existing model passes on to the new one. */
    private record Source(Manifest.Layer weights, String template, String system, Map<String, Object> parameters,
                          List<Map<String, Object>> messages, List<String> licenses) {
    }

    private Source source(RequestBody body, java.util.function.Consumer<String> status) throws IOException {
        Optional<JsonNode> files = body.node("files");
        if (files.isPresent() && files.get().isObject() && !files.get().isEmpty()) {
            List<Manifest.Layer> ggufs = new ArrayList<>();
            boolean namedGguf = false;
            for (Map.Entry<String, JsonNode> f : files.get().properties()) {
                String digest = f.getValue().asText();
                if (!relativePath(f.getKey())) {
                    throw ApiException.badRequest("file path must be relative");
                }
                if (digest.isEmpty()) {
                    throw ApiException.badRequest("invalid digest format");
                }
                if (!digest.matches("sha256[:-][0-9a-fA-F]{64}") || !store.hasBlob(digest)) {
                    throw ApiException.badRequest("blob \"" + digest + "\" not found; upload it with POST /api/blobs/" + digest);
                }
                namedGguf |= f.getKey().endsWith(".gguf");
                Path blob = store.blobPath(digest);
                if (isGguf(blob)) {
                    ggufs.add(new Manifest.Layer(Manifest.MODEL, digest.replaceFirst("^sha256-", "sha256:"), Files.size(blob)));
                }
            }
            if (ggufs.isEmpty()) {
                // as Ollama's convertModelFromFiles: a .gguf name on other bytes, or files of no type it knows
                throw ApiException.badRequest(namedGguf ? "supplied file was not in GGUF format" : "unknown type");
            }
            if (ggufs.size() != 1) {
                throw ApiException.badRequest("files must hold exactly one GGUF file, found " + ggufs.size());
            }
            status.accept("parsing GGUF");
            checkGguf(ggufs.getFirst());
            return new Source(ggufs.getFirst(), null, null, Map.of(), List.of(), List.of());
        }
        String from = body.string("from");
        if (from.isEmpty()) {
            throw ApiException.badRequest("neither 'from' or 'files' was specified");
        }
        ModelName base = ModelName.parse(from);
        Optional<StoredModel> existing = base == null ? Optional.empty() : store.find(base);
        if (existing.isPresent()) {
            StoredModel m = existing.get();
            Manifest.Layer weights = m.manifest().layers().stream().filter(l -> l.mediaType().equals(Manifest.MODEL)).findFirst()
                    .orElseThrow(() -> ApiException.badRequest("model '" + from + "' has no weights"));
            status.accept("using existing layer " + weights.digest());
            // the layer remembers where it came from: Ollama's parent model
            Manifest.Layer inherited = new Manifest.Layer(weights.mediaType(), weights.digest(), weights.size(), m.name().displayName());
            return new Source(inherited, m.template(), m.system(), m.parameters(), m.messages(), m.licenses());
        }
        Path path = Path.of(from.startsWith("~/") ? System.getProperty("user.home") + from.substring(1) : from);
        if (!Files.isRegularFile(path)) {
            throw ApiException.badRequest("'from' is neither a model nor a GGUF file on this machine: " + from);
        }
        status.accept("parsing GGUF");
        try (GgufFile ignored = GgufFile.open(path)) {
            // checked before copying gigabytes
        } catch (GgufFormatException e) {
            throw ApiException.badRequest(e.getMessage());
        }
        status.accept("copying file " + path.getFileName());
        return new Source(store.writeBlob(Manifest.MODEL, path), null, null, Map.of(), List.of(), List.of());
    }

    /** Ollama's setTemplate: a TEMPLATE that does not parse is a 400 at create time, not a 500 at every request. */
    private static void checkTemplate(String template) {
        try {
            PromptTemplate.parse(template);
        } catch (TemplateException e) {
            throw ApiException.badRequest("template error: " + e.getMessage());
        }
    }

    /** io/fs.ValidPath, as Ollama checks the names of files: relative, slash-separated, no . or .. elements. */
    private static boolean relativePath(String name) {
        if (name.equals(".")) {
            return true;
        }
        for (String element : name.split("/", -1)) {
            if (element.isEmpty() || element.equals(".") || element.equals("..")) {
                return false;
            }
        }
        return true;
    }

    /** Whether a file starts with GGUF's magic: files are recognised by content, as Ollama does, not by name. */
    private static boolean isGguf(Path file) throws IOException {
        try (var in = Files.newInputStream(file)) {
            byte[] magic = in.readNBytes(4);
            return magic.length == 4 && magic[0] == 'G' && magic[1] == 'G' && magic[2] == 'U' && magic[3] == 'F';
        }
    }

    private void checkGguf(Manifest.Layer weights) {
        try (GgufFile ignored = GgufFile.open(store.blobPath(weights.digest()))) {
            // a readable header is all create needs; the engine checks the rest at load
        } catch (GgufFormatException e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }

    private Optional<NamedTemplate> recognize(Manifest.Layer weights) {
        if (recognizer == null) {
            return Optional.empty();
        }
        try (GgufFile file = GgufFile.open(store.blobPath(weights.digest()))) {
            String chatTemplate = file.getString("tokenizer.chat_template", null);
            if (chatTemplate == null) {
                return Optional.empty();
            }
            Optional<NamedTemplate> named = recognizer.recognize(chatTemplate);
            if (named.isEmpty()) {
                LOG.log(Level.INFO, "the GGUF chat template matches no named template; the model renders prompts with its own chat template");
            }
            return named;
        }
    }

    private static List<Map<String, Object>> messages(Optional<JsonNode> node) {
        List<Map<String, Object>> messages = new ArrayList<>();
        node.ifPresent(n -> {
            if (!n.isArray()) {
                throw ApiException.badRequest("messages must be an array of {role, content}");
            }
            for (JsonNode m : n) {
                Map<String, Object> message = new LinkedHashMap<>();
                message.put("role", m.path("role").asText());
                message.put("content", m.path("content").asText());
                messages.add(message);
            }
        });
        return messages;
    }

    private static List<String> licenses(Optional<JsonNode> node) {
        List<String> licenses = new ArrayList<>();
        node.ifPresent(n -> {
            if (n.isTextual()) {
                licenses.add(n.asText());
            } else if (n.isArray()) {
                n.forEach(l -> licenses.add(l.asText()));
            } else {
                throw ApiException.badRequest("license must be a string or an array of strings");
            }
        });
        return licenses;
    }
}
