package dev.jollama.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static dev.jollama.server.TestServer.json;
import static dev.jollama.server.TestServer.lines;
import static org.assertj.core.api.Assertions.assertThat;

/** /api/tags, /api/show, /api/copy, /api/delete, /api/create and /api/blobs. */
class ModelManagementTest {
    @RegisterExtension
    static final TestServer server = TestServer.perClass(() -> Map.of("JOLLAMA_TEMPLATES",
            TestServer.shared().resolve("reference/ollama-templates").toString()));

    private static List<String> tagNames() throws Exception {
        List<String> names = new ArrayList<>();
        json(server.get("/api/tags").body()).get("models").forEach(m -> names.add(m.get("name").asText()));
        return names;
    }

    @Test
    void tagsListEveryModelWithDetails() throws Exception {
        JsonNode models = json(server.get("/api/tags").body()).get("models");
        assertThat(tagNames()).contains("test:latest", "stories:latest", "fim:latest");
        JsonNode first = models.get(0);
        assertThat(first.get("digest").asText()).matches("[0-9a-f]{64}");
        assertThat(first.get("size").asLong()).isPositive();
        assertThat(first.get("details").get("family").asText()).isEqualTo("llama");
        assertThat(first.get("details").get("format").asText()).isEqualTo("gguf");
    }

    @Test
    void showReportsMetadataTemplateAndCapabilities() throws Exception {
        JsonNode test = json(server.post("/api/show", "{\"model\":\"test\"}").body());
        assertThat(test.get("template").asText()).isEqualTo(TestServer.TEST_TEMPLATE);
        assertThat(test.get("system").asText()).isEqualTo("You are a helpful assistant.");
        assertThat(test.get("model_info").get("general.architecture").asText()).isEqualTo("llama");
        assertThat(test.get("model_info").get("llama.embedding_length").asInt()).isEqualTo(64);
        assertThat(test.get("model_info").get("tokenizer.ggml.tokens").isNull()).isTrue();
        assertThat(test.get("capabilities")).extracting(JsonNode::asText).containsExactly("completion");
        JsonNode fim = json(server.post("/api/show", "{\"model\":\"fim\"}").body());
        assertThat(fim.get("capabilities")).extracting(JsonNode::asText).containsExactly("completion", "insert");
        JsonNode verbose = json(server.post("/api/show", "{\"model\":\"stories\",\"verbose\":true}").body());
        assertThat(verbose.get("model_info").get("tokenizer.ggml.tokens").size()).isEqualTo(512);

        HttpResponse<String> missing = server.post("/api/show", "{}");
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(json(missing.body()).get("error").asText()).isEqualTo("model is required");
        HttpResponse<String> unknown = server.post("/api/show", "{\"model\":\"nope\"}");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(json(unknown.body()).get("error").asText()).isEqualTo("model 'nope:latest' not found");
    }

    @Test
    void copyAndDelete() throws Exception {
        assertThat(server.post("/api/copy", "{\"source\":\"stories\",\"destination\":\"stories-copy\"}").statusCode()).isEqualTo(200);
        assertThat(tagNames()).contains("stories-copy:latest");
        HttpResponse<String> unknown = server.post("/api/copy", "{\"source\":\"nope\",\"destination\":\"x\"}");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(json(unknown.body()).get("error").asText()).isEqualTo("model \"nope\" not found");
        assertThat(server.post("/api/copy", "{\"source\":\"../etc\",\"destination\":\"x\"}").statusCode()).isEqualTo(400);

        assertThat(server.send("DELETE", "/api/delete", "{\"model\":\"stories-copy\"}").statusCode()).isEqualTo(200);
        assertThat(tagNames()).doesNotContain("stories-copy:latest");
        HttpResponse<String> again = server.send("DELETE", "/api/delete", "{\"model\":\"stories-copy\"}");
        assertThat(again.statusCode()).isEqualTo(404);
        assertThat(json(again.body()).get("error").asText()).isEqualTo("model 'stories-copy' not found");
        // the original still works: deleting the copy kept the shared blobs
        assertThat(server.post("/api/generate", "{\"model\":\"stories\",\"prompt\":\"Once\",\"stream\":false,\"options\":{\"num_predict\":2}}").statusCode()).isEqualTo(200);
    }

    @Test
    void createFromAnUploadedBlob() throws Exception {
        Path gguf = TestServer.shared().resolve("models/stories260K.gguf");
        String digest = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(gguf)));
        String otherDigest = "sha256:" + "0".repeat(64);
        assertThat(server.send("HEAD", "/api/blobs/" + otherDigest, null).statusCode()).isEqualTo(404);
        HttpResponse<String> mismatch = server.post("/api/blobs/" + otherDigest, "not the right bytes");
        assertThat(mismatch.statusCode()).isEqualTo(400);
        assertThat(json(mismatch.body()).get("error").asText()).startsWith("digest mismatch");
        assertThat(server.send("HEAD", "/api/blobs/" + otherDigest, null).statusCode()).isEqualTo(404);

        HttpResponse<String> upload = server.send("POST", "/api/blobs/" + digest, Files.readString(gguf, java.nio.charset.StandardCharsets.ISO_8859_1));
        assertThat(upload.statusCode()).isIn(200, 201);
        assertThat(server.send("HEAD", "/api/blobs/" + digest, null).statusCode()).isEqualTo(200);

        HttpResponse<String> created = server.post("/api/create", "{\"model\":\"mine\",\"files\":{\"stories.gguf\":\"" + digest
                + "\"},\"system\":\"Be nice.\",\"parameters\":{\"temperature\":0,\"num_predict\":12,\"stop\":[\"girl\"]},\"license\":\"MIT\"}");
        List<JsonNode> statuses = lines(created.body());
        assertThat(statuses.getLast().get("status").asText()).isEqualTo("success");
        JsonNode reply = json(server.post("/api/generate", "{\"model\":\"mine\",\"prompt\":\"Once upon a time\",\"stream\":false}").body());
        assertThat(reply.get("response").asText()).isEqualTo(", there was a little ");
        JsonNode show = json(server.post("/api/show", "{\"model\":\"mine\"}").body());
        assertThat(show.get("license").asText()).isEqualTo("MIT");
        assertThat(show.get("parameters").asText()).contains("stop").contains("\"girl\"");
    }

    /** A blob uploaded again (a large one, each time by a new client) is read whole and answered 200 each time. */
    @Test
    void aBlobUploadedAgainIsAnswered() throws Exception {
        byte[] bytes = new byte[8 << 20];
        new Random(5).nextBytes(bytes);
        String digest = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> upload = HttpClient.newHttpClient().send(HttpRequest.newBuilder(server.base().resolve("/api/blobs/" + digest))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(upload.statusCode()).as("upload %d", i).isEqualTo(i == 0 ? 201 : 200);
        }
    }

    /** A delete removes unused blobs; one just uploaded waits for the create that uses it. */
    @Test
    void anUploadedBlobSurvivesADeleteBeforeItsCreate() throws Exception {
        Path gguf = TestServer.shared().resolve("models/stories260K-gguf-v2-q8_0.gguf");
        String digest = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(gguf)));
        HttpResponse<String> upload = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                server.base().resolve("/api/blobs/" + digest)).POST(java.net.http.HttpRequest.BodyPublishers.ofFile(gguf)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(upload.statusCode()).as(upload.body()).isEqualTo(201);
        assertThat(server.post("/api/copy", "{\"source\":\"stories\",\"destination\":\"doomed\"}").statusCode()).isEqualTo(200);
        assertThat(server.send("DELETE", "/api/delete", "{\"model\":\"doomed\"}").statusCode()).isEqualTo(200);

        assertThat(server.send("HEAD", "/api/blobs/" + digest, null).statusCode()).isEqualTo(200);
        HttpResponse<String> created = server.post("/api/create", "{\"model\":\"uploaded\",\"files\":{\"m.gguf\":\"" + digest
                + "\"},\"stream\":false}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        assertThat(server.post("/api/show", "{\"model\":\"uploaded\"}").statusCode()).isEqualTo(200);
        assertThat(server.send("DELETE", "/api/delete", "{\"model\":\"uploaded\"}").statusCode()).isEqualTo(200);
        assertThat(server.send("HEAD", "/api/blobs/" + digest, null).statusCode()).as("used by its create, then unused").isEqualTo(404);
    }

    @Test
    void createRejectsBadInputWithoutLeavingAModel() throws Exception {
        HttpResponse<String> wrongType = server.post("/api/create",
                "{\"model\":\"bad\",\"from\":\"stories\",\"parameters\":{\"temperature\":\"hot\"},\"stream\":false}");
        assertThat(wrongType.statusCode()).isEqualTo(400);
        HttpResponse<String> notAFile = server.post("/api/create", "{\"model\":\"bad\",\"from\":\"/no/such.gguf\",\"stream\":false}");
        assertThat(notAFile.statusCode()).isEqualTo(400);
        HttpResponse<String> badName = server.post("/api/create", "{\"model\":\"../../etc/passwd\",\"from\":\"stories\",\"stream\":false}");
        assertThat(badName.statusCode()).isEqualTo(400);
        assertThat(json(badName.body()).get("error").asText()).isEqualTo("invalid model name");
        assertThat(tagNames()).doesNotContain("bad:latest");
    }

    /** Every refusal of a server path reads alike, so that the answer does not tell which files exist. */
    @Test
    void createFromAPathTakesOnlyGgufFilesWithOneAnswerForEverythingElse() throws Exception {
        Path notGguf = Files.writeString(Files.createTempFile("notes", ".gguf"), "not a model");
        notGguf.toFile().deleteOnExit();
        for (String from : List.of("/no/such.gguf", "/etc/passwd", "/proc/self/environ", "/tmp", notGguf.toString(), "/dev/zero")) {
            HttpResponse<String> r = server.post("/api/create", "{\"model\":\"bad\",\"from\":\"" + from + "\",\"stream\":false}");
            assertThat(r.statusCode()).as(from).isEqualTo(400);
            assertThat(json(r.body()).get("error").asText()).as(from)
                    .isEqualTo("'from' is neither a model nor a GGUF file on this machine: " + from);
        }
    }

    /** A client on another machine may name models only: the server's files are not its to read. */
    @Test
    void createFromAPathIsRefusedToClientsOnOtherMachines() throws Exception {
        java.net.InetAddress external = java.net.NetworkInterface.networkInterfaces()
                .flatMap(java.net.NetworkInterface::inetAddresses)
                .filter(a -> !a.isLoopbackAddress() && a instanceof java.net.Inet4Address).findFirst().orElse(null);
        org.junit.jupiter.api.Assumptions.assumeTrue(external != null, "no non-loopback address to connect from");
        Path stories = TestServer.shared().resolve("models/stories260K.gguf");
        try (JollamaServer open = JollamaServer.start(dev.jollama.server.config.ServerConfig.from(Map.of(
                "OLLAMA_HOST", "0.0.0.0:0", "OLLAMA_MODELS", server.store().root().toString())))) {
            var http = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build();
            java.util.function.Function<String, HttpResponse<String>> create = host -> {
                try {
                    return http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://" + host + ":" + open.port() + "/api/create"))
                            .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"model\":\"remote\",\"from\":\"" + stories
                                    + "\",\"stream\":false}")).build(), HttpResponse.BodyHandlers.ofString());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            };
            HttpResponse<String> remote = create.apply(external.getHostAddress());
            assertThat(remote.statusCode()).isEqualTo(400);
            assertThat(json(remote.body()).get("error").asText()).isEqualTo("'from' is neither a model nor a GGUF file on this machine: " + stories);
            assertThat(create.apply("127.0.0.1").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void createFromAGgufPathRecognisesItsChatTemplate() throws Exception {
        Path phi3 = TestServer.shared().resolve("tokenizer/ggml-vocab-phi-3.gguf");
        HttpResponse<String> created = server.post("/api/create", "{\"model\":\"phi\",\"from\":\"" + phi3 + "\",\"stream\":false}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        JsonNode show = json(server.post("/api/show", "{\"model\":\"phi\"}").body());
        String expected = Files.readString(TestServer.shared().resolve("reference/ollama-templates/phi-3.gotmpl"));
        assertThat(show.get("template").asText()).isEqualTo(expected.replace("\r\n", "\n"));
        assertThat(show.get("parameters").asText()).contains("<|end|>");
    }

    @Test
    void embeddingsAreNormalisedMeanPooledStates() throws Exception {
        JsonNode reply = json(server.post("/api/embed", "{\"model\":\"stories\",\"input\":[\"Once upon a time\",\"A cat\"]}").body());
        JsonNode embeddings = reply.get("embeddings");
        assertThat(embeddings).hasSize(2);
        assertThat(embeddings.get(0)).hasSize(64);
        double norm = 0;
        for (JsonNode x : embeddings.get(0)) {
            norm += x.asDouble() * x.asDouble();
        }
        assertThat(norm).isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-4));
        assertThat(reply.get("prompt_eval_count").asInt()).isPositive();
        JsonNode shortened = json(server.post("/api/embed", "{\"model\":\"stories\",\"input\":\"A cat\",\"dimensions\":8}").body());
        assertThat(shortened.get("embeddings").get(0)).hasSize(8);
        JsonNode legacy = json(server.post("/api/embeddings", "{\"model\":\"stories\",\"prompt\":\"A cat\"}").body());
        assertThat(legacy.get("embedding")).hasSize(64);
        JsonNode empty = json(server.post("/api/embeddings", "{\"model\":\"stories\",\"prompt\":\"\"}").body());
        assertThat(empty.get("embedding")).isEmpty();
    }
}
