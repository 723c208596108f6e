package dev.jollama.server.routes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jollama.engine.gguf.GgufFile;
import dev.jollama.engine.gguf.GgufFormatException;
import dev.jollama.engine.quantize.FileType;
import dev.jollama.engine.quantize.ModelQuantizer;
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
import java.io.InputStream;
import java.net.InetAddress;
import java.util.Arrays;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * POST /api/create: a model from uploaded GGUF blobs ({@code files}), an existing model ({@code from}) or a GGUF
 * path on this machine ({@code from}), plus template, system, parameters, messages and license. A GGUF without a
 * template gets the named Ollama template its chat_template matches (when JOLLAMA_TEMPLATES is set); with
 * {@code quantize} an F32, F16 or BF16 model is quantized on the way ({@link ModelQuantizer}). Progress is
 * NDJSON {@code {"status": ...}}; the manifest is written last, so a failed create leaves no model behind.
 */
public final class CreateRoute {
    private static final System.Logger LOG = System.getLogger(CreateRoute.class.getName());
    private static final byte[] GGUF_MAGIC = {'G', 'G', 'U', 'F'};

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
        String quantize = body.string("quantize").isEmpty() ? body.string("quantization") : body.string("quantize");
        FileType target = quantize.isEmpty() ? null : FileType.quantizeTarget(quantize).orElseThrow(() -> ApiException.badRequest(
                "unsupported quantization type " + quantize.toUpperCase(Locale.ROOT) + " - supported types are "
                        + FileType.quantizeTargets().stream().map(Enum::name).collect(Collectors.joining(", "))));

        List<ObjectNode> statuses = new ArrayList<>();
        ChunkStream out = stream ? ChunkStream.ndjson(ctx) : null;
        Consumer<ObjectNode> progress = s -> {
            if (out != null) {
                out.write(s);
            } else {
                statuses.add(s);
            }
        };
        Consumer<String> status = text -> progress.accept(GoJson.object().put("status", text));
        try (ModelStore.BlobPin creating = store.startCreate()) {
            Source source = source(body, isLoopback(ctx.req().getRemoteAddr()), status);
            Manifest.Layer weights = target == null ? source.weights() : quantized(source.weights(), target, progress);
            String template = body.string("template").isEmpty() ? source.template() : body.string("template");
            Map<String, Object> allParameters = new LinkedHashMap<>(source.parameters());
            if (template == null) {
                Optional<NamedTemplate> named = recognize(weights);
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
            ModelImport.create(store, name, weights, source.projector(), new ModelImport.Parts(template, system, allParameters,
                    messages.isEmpty() ? source.messages() : messages, licenses.isEmpty() ? source.licenses() : licenses));
            store.usedByCreate(source.projector() == null ? List.of(source.weights().digest())
                    : List.of(source.weights().digest(), source.projector().digest()));
            if (weights != source.weights()) {
                // the unquantized copy, unless a model uses it; removed once this create ends
                store.removeUnusedBlobs(List.of(source.weights().digest()));
            }
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

    /** Where the weights (and a vision model's projector, or null) come from, and what an existing model passes on. */
    private record Source(Manifest.Layer weights, Manifest.Layer projector, String template, String system, Map<String, Object> parameters,
                          List<Map<String, Object>> messages, List<String> licenses) {
    }

    /**
     * The weights quantized to {@code target}, stored as a new blob, with Ollama's progress: "quantizing F16 model to
     * Q4_K_M" after each tensor (digest of zeros, total the source's size, completed the share done so far), then
     * "verifying conversion". Weights already of that type are kept as they are.
     */
    private Manifest.Layer quantized(Manifest.Layer weights, FileType target, Consumer<ObjectNode> progress) throws IOException {
        Path blobs = store.blobPath(weights.digest()).getParent();
        Path temp = Files.createTempFile(blobs, "quantize-", ".tmp");
        try (GgufFile model = GgufFile.open(store.blobPath(weights.digest()))) {
            FileType source = ModelQuantizer.fileTypeOf(model).filter(FileType::isQuantizeSource)
                    .orElseThrow(() -> ApiException.badRequest("quantization is only supported for F16, BF16 and F32 models"));
            if (source == target) {
                return weights;
            }
            String text = "quantizing " + source + " model to " + target;
            ModelQuantizer.quantize(model, target, temp, p -> progress.accept(GoJson.object().put("status", text)
                    .put("digest", "0000000000000000000").put("total", weights.size())
                    .put("completed", (long) ((float) p.bytesDone() / p.bytesTotal() * weights.size()))));
            progress.accept(GoJson.object().put("status", "verifying conversion"));
            try (GgufFile ignored = GgufFile.open(temp)) {
                // the written file reads back
            }
            return store.writeBlob(Manifest.MODEL, temp);
        } catch (GgufFormatException e) {
            throw ApiException.badRequest(e.getMessage());
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * @param localClient whether the client is on this machine: only such a client may name a file of the server's
     *                    (Ollama's API takes model names there; its CLI uploads files as blobs)
     */
    private Source source(RequestBody body, boolean localClient, Consumer<String> status) throws IOException {
        Optional<JsonNode> files = body.node("files");
        if (files.isPresent() && files.get().isObject() && !files.get().isEmpty()) {
            List<Manifest.Layer> ggufs = new ArrayList<>(), projectors = new ArrayList<>();
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
                if (startsAsGguf(blob)) {
                    boolean projector = isProjector(blob);
                    (projector ? projectors : ggufs).add(new Manifest.Layer(projector ? Manifest.PROJECTOR : Manifest.MODEL,
                            digest.replaceFirst("^sha256-", "sha256:"), Files.size(blob)));
                }
            }
            if (ggufs.isEmpty() && projectors.isEmpty()) {
                // as Ollama's convertModelFromFiles: a .gguf name on other bytes, or files of no type it knows
                throw ApiException.badRequest(namedGguf ? "supplied file was not in GGUF format" : "unknown type");
            }
            if (ggufs.size() != 1 || projectors.size() > 1) {
                throw ApiException.badRequest("files must hold exactly one model GGUF file and at most one projector, found "
                        + ggufs.size() + " and " + projectors.size());
            }
            status.accept("parsing GGUF");
            checkGguf(ggufs.getFirst());
            return new Source(ggufs.getFirst(), projectors.isEmpty() ? null : projectors.getFirst(), null, null, Map.of(), List.of(), List.of());
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
            Manifest.Layer projector = m.manifest().layers().stream().filter(l -> l.mediaType().equals(Manifest.PROJECTOR)).findFirst().orElse(null);
            // the layer remembers where it came from: Ollama's parent model
            Manifest.Layer inherited = new Manifest.Layer(weights.mediaType(), weights.digest(), weights.size(), m.name().displayName());
            return new Source(inherited, projector, m.template(), m.system(), m.parameters(), m.messages(), m.licenses());
        }
        Path path = Path.of(from.startsWith("~/") ? System.getProperty("user.home") + from.substring(1) : from);
        // One answer for every refusal, so that a client cannot learn which files exist.
        if (!localClient || !startsAsGguf(path)) {
            throw ApiException.badRequest("'from' is neither a model nor a GGUF file on this machine: " + from);
        }
        status.accept("parsing GGUF");
        try (GgufFile ignored = GgufFile.open(path)) {
            // checked before copying gigabytes
        } catch (GgufFormatException e) {
            throw ApiException.badRequest(e.getMessage());
        }
        status.accept("copying file " + path.getFileName());
        return new Source(store.writeBlob(Manifest.MODEL, path), null, null, null, Map.of(), List.of(), List.of());
    }

    /** An unreadable file counts as a model, whose check then reports it. */
    private static boolean isProjector(Path blob) {
        try (GgufFile file = GgufFile.open(blob)) {
            return ModelImport.isProjector(file);
        } catch (GgufFormatException e) {
            return false;
        }
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

    /** A regular file whose first bytes are GGUF's magic: files are recognised by content, as Ollama does, not by name. */
    private static boolean startsAsGguf(Path path) {
        if (!Files.isRegularFile(path)) {
            return false;
        }
        try (InputStream in = Files.newInputStream(path)) {
            return Arrays.equals(in.readNBytes(GGUF_MAGIC.length), GGUF_MAGIC);
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean isLoopback(String remoteAddress) {
        try {
            return InetAddress.ofLiteral(remoteAddress).isLoopbackAddress();
        } catch (IllegalArgumentException e) {
            return false;
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
