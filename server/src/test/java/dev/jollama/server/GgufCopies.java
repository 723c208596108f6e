package dev.jollama.server;

import dev.jollama.engine.gguf.GgufFile;
import dev.jollama.engine.gguf.GgufTensorInfo;
import dev.jollama.engine.gguf.GgufWriter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

/** Copies of the shared test GGUFs with metadata changed, written under target/ (the shared folder stays read-only). */
public final class GgufCopies {
    private GgufCopies() {
    }

    /** A copy of {@code source} with these metadata keys set (or replaced). */
    public static Path withMetadata(Path source, Map<String, Object> changes) throws IOException {
        Path target = Path.of("target", "gguf-copies", UUID.randomUUID() + ".gguf").toAbsolutePath();
        Files.createDirectories(target.getParent());
        try (GgufFile file = GgufFile.open(source)) {
            GgufWriter writer = new GgufWriter();
            file.metadata().forEach((key, value) -> {
                // uint32 "none" ids (0xFFFFFFFF) do not fit the writer's Integer; leaving them out means the same
                if (!key.equals("general.alignment") && !(value instanceof Long l && l > Integer.MAX_VALUE)) {
                    writer.put(key, writable(value));
                }
            });
            changes.forEach(writer::put);
            for (GgufTensorInfo t : file.tensors().values()) {
                writer.tensor(t.name(), t.shape(), t.type(), out -> out.write(t.data().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)));
            }
            writer.write(target);
        }
        return target;
    }

    /** The writer takes uint32 as Integer and int32 arrays as int[]; the reader gives longs for unsigned values. */
    private static Object writable(Object value) {
        return switch (value) {
            case Long l -> Math.toIntExact(l);
            case long[] a -> java.util.Arrays.stream(a).mapToInt(Math::toIntExact).toArray();
            default -> value;
        };
    }
}
