package dev.jollama.server.store;

import dev.jollama.engine.gguf.GgufFile;
import dev.jollama.engine.gguf.GgufFormatException;
import dev.jollama.engine.model.ImageEncoder;
import dev.jollama.engine.model.Pooling;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What /api/tags and the capability checks read from a model file's header without loading the model: its
 * context and embedding lengths ({@code <arch>.context_length}, {@code <arch>.embedding_length}, 0 when absent) and
 * whether it declares {@code <arch>.pooling_type} (an embedding model, as Ollama decides), and whether it holds its own
 * image projector (Ollama's single-file Gemma 3). Read once per file: model
 * files are blobs named by their digest, so the answer never goes stale.
 */
public record ModelHeader(int contextLength, int embeddingLength, boolean declaresPooling, boolean holdsProjector) {
    private static final Map<Path, ModelHeader> HEADERS = new ConcurrentHashMap<>();
    /** A file that cannot be read: it counts as generating, so that loading it reports the problem. */
    private static final ModelHeader UNREADABLE = new ModelHeader(0, 0, false, false);

    public static ModelHeader of(Path modelFile) {
        if (modelFile == null) {
            return UNREADABLE;
        }
        return HEADERS.computeIfAbsent(modelFile, path -> {
            try (GgufFile file = GgufFile.open(path)) {
                String arch = file.getString("general.architecture", "");
                return new ModelHeader(file.getInt(arch + ".context_length", 0, 0), file.getInt(arch + ".embedding_length", 0, 0),
                        Pooling.isDeclaredBy(file), ImageEncoder.isProjector(file));
            } catch (GgufFormatException e) {
                return UNREADABLE;
            }
        });
    }
}
