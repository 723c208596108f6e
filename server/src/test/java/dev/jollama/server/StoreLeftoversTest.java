package dev.jollama.server;

import dev.jollama.server.config.ServerConfig;
import dev.jollama.server.store.ModelStore;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What writers killed mid-way leave in the store is removed at start-up once stale; recent work is left alone. */
class StoreLeftoversTest {

    @Test
    void staleTemporaryAndPartialFilesAreRemovedAtStartUp() throws Exception {
        ModelStore store = TestServer.newStore();
        Path blobs = store.root().resolve("blobs");
        Path staleTemp = leftover(blobs.resolve("blob-123.tmp"), Duration.ofHours(2));
        Path staleManifestTemp = leftover(store.root().resolve("manifests/registry.ollama.ai/library/stories/.manifest-9.tmp"), Duration.ofHours(2));
        Path stalePartial = leftover(store.partialBlobPath("sha256:" + "a".repeat(64)), Duration.ofDays(2));
        Path recentTemp = leftover(blobs.resolve("blob-456.tmp"), Duration.ofMinutes(1));
        Path recentPartial = leftover(store.partialBlobPath("sha256:" + "b".repeat(64)), Duration.ofHours(3));

        try (JollamaServer server = JollamaServer.start(ServerConfig.from(Map.of("OLLAMA_HOST", "127.0.0.1:0",
                "OLLAMA_MODELS", store.root().toString())))) {
            assertThat(staleTemp).doesNotExist();
            assertThat(staleManifestTemp).doesNotExist();
            assertThat(stalePartial).doesNotExist();
            assertThat(recentTemp).exists();
            assertThat(recentPartial).exists();
            assertThat(store.list()).isNotEmpty();
            assertThat(Files.list(blobs).filter(f -> f.getFileName().toString().startsWith("sha256-")).count()).isPositive();
        }
    }

    private static Path leftover(Path file, Duration age) throws Exception {
        Files.createDirectories(file.getParent());
        Files.write(file, new byte[1024]);
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().minus(age)));
        return file;
    }
}
