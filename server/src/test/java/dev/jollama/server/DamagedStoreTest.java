package dev.jollama.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jollama.server.store.Manifest;
import dev.jollama.server.store.ModelName;
import dev.jollama.server.store.ModelStore;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.jollama.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A store with damaged models beside good ones: the list skips the damaged (and logs them), the good ones stay usable,
 * and asking for a damaged one by name gets a clear error that does not show the store's path.
 */
class DamagedStoreTest {
    @RegisterExtension
    static final TestServer server = TestServer.perClass();

    @BeforeAll
    static void start() throws Exception {
        ModelStore store = server.store();
        Manifest good = store.readManifest(ModelName.parse("stories")).orElseThrow();
        writeManifest(store, "garbage-manifest", "{\"schemaVersion\":2,\"layers\":[".getBytes(StandardCharsets.UTF_8));
        writeManifest(store, "null-manifest", "null".getBytes(StandardCharsets.UTF_8));
        writeManifest(store, "layer-without-digest", "{\"schemaVersion\":2,\"layers\":[{\"mediaType\":\"application/vnd.ollama.image.model\"}]}"
                .getBytes(StandardCharsets.UTF_8));
        store.writeManifest(ModelName.parse("garbage-config"), new Manifest(2, Manifest.MEDIA_TYPE,
                store.writeBlob(Manifest.CONFIG_MEDIA_TYPE, "[1,2".getBytes(StandardCharsets.UTF_8)), good.layers()));
        store.writeManifest(ModelName.parse("null-config"), new Manifest(2, Manifest.MEDIA_TYPE,
                store.writeBlob(Manifest.CONFIG_MEDIA_TYPE, "null".getBytes(StandardCharsets.UTF_8)), good.layers()));
        List<Manifest.Layer> notGguf = new ArrayList<>(good.layers().stream().filter(l -> !l.mediaType().equals(Manifest.MODEL)).toList());
        notGguf.add(store.writeBlob(Manifest.MODEL, "not a model at all".getBytes(StandardCharsets.UTF_8)));
        store.writeManifest(ModelName.parse("not-gguf"), new Manifest(2, Manifest.MEDIA_TYPE, good.config(), notGguf));
    }

    private static void writeManifest(ModelStore store, String model, byte[] bytes) throws Exception {
        Path file = store.root().resolve("manifests/registry.ollama.ai/library").resolve(model).resolve("latest");
        Files.createDirectories(file.getParent());
        Files.write(file, bytes);
    }

    @Test
    void theListSkipsDamagedModels() throws Exception {
        HttpResponse<String> r = server.get("/api/tags");
        assertThat(r.statusCode()).isEqualTo(200);
        List<String> names = new ArrayList<>();
        json(r.body()).get("models").forEach(m -> names.add(m.get("name").asText()));
        assertThat(names).contains("stories:latest", "test:latest", "not-gguf:latest")
                .doesNotContain("garbage-manifest:latest", "null-manifest:latest", "layer-without-digest:latest",
                        "garbage-config:latest", "null-config:latest");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"garbage-manifest", "null-manifest", "layer-without-digest", "garbage-config", "null-config"})
    void aDamagedModelByNameIsAClearError(String model) throws Exception {
        for (String path : List.of("/api/show", "/api/generate")) {
            HttpResponse<String> r = server.post(path, "{\"model\":\"" + model + "\",\"prompt\":\"hi\"}");
            assertThat(r.statusCode()).as(path).isEqualTo(500);
            assertThat(json(r.body()).get("error").asText()).as(path)
                    .startsWith("model " + model + ":latest is damaged:")
                    .doesNotContain(server.store().root().toString(), "dev.jollama", "java.");
        }
    }

    @Test
    void aModelWhoseWeightsAreNotGgufFailsToLoadWithoutShowingTheStorePath() throws Exception {
        HttpResponse<String> r = server.post("/api/generate", "{\"model\":\"not-gguf\",\"prompt\":\"hi\"}");
        assertThat(r.statusCode()).isEqualTo(500);
        JsonNode error = json(r.body()).get("error");
        assertThat(error.asText()).startsWith("unable to load model: blobs/sha256-").contains("not a GGUF file")
                .doesNotContain(server.store().root().toString());
    }

    @Test
    void deletingAGoodModelBesideDamagedOnesWorks() throws Exception {
        server.post("/api/copy", "{\"source\":\"stories\",\"destination\":\"stories-copy\"}");
        assertThat(server.send("DELETE", "/api/delete", "{\"model\":\"stories-copy\"}").statusCode()).isEqualTo(200);
        assertThat(server.post("/api/show", "{\"model\":\"stories\"}").statusCode()).isEqualTo(200);
    }
}
