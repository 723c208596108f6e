package dev.jollama.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.util.HexFormat;

import static dev.jollama.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

/** /api/create's checks and texts, as Ollama's CreateHandler and createModel (server/create.go) give them. */
class CreateConformanceTest {
    @RegisterExtension
    static final TestServer server = TestServer.perClass();
    private static String storiesDigest;

    @BeforeAll
    static void start() throws Exception {
        byte[] gguf = Files.readAllBytes(TestServer.shared().resolve("models/stories260K.gguf"));
        storiesDigest = upload(gguf);
    }

    private static String upload(byte[] bytes) throws Exception {
        String digest = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        HttpResponse<String> up = server.send("POST", "/api/blobs/" + digest, new String(bytes, StandardCharsets.ISO_8859_1));
        assertThat(up.statusCode()).isIn(200, 201);
        return digest;
    }

    private static HttpResponse<String> create(String body) throws Exception {
        return server.post("/api/create", body);
    }

    /**
     * CreateHandler's refusals: status and Ollama's text (the adapter one is Jollama's: it cannot apply LoRA; the
     * template error names the column as well, as all of Jollama's template errors do).
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            no source          | {"model":"x","stream":false}                                                           | neither 'from' or 'files' was specified
            bad template       | {"model":"x","from":"stories","template":"{{ .Prompt","stream":false}                 | template error: template: :1:10: unclosed action
            absolute file path | {"model":"x","files":{"/etc/m.gguf":"DIGEST"},"stream":false}                         | file path must be relative
            dotdot file path   | {"model":"x","files":{"../m.gguf":"DIGEST"},"stream":false}                           | file path must be relative
            empty digest       | {"model":"x","files":{"m.gguf":""},"stream":false}                                    | invalid digest format
            adapters           | {"model":"x","from":"stories","adapters":{"lora.gguf":"DIGEST"},"stream":false}      | adapters are not supported: Jollama cannot apply LoRA adapters; merge the adapter into the model's weights and create the model from the merged GGUF
            invalid name       | {"model":"a/b/c/d","from":"stories","stream":false}                                   | invalid model name
            """)
    void refusals(String name, String body, String error) throws Exception {
        HttpResponse<String> reply = create(body.replace("DIGEST", storiesDigest));
        assertThat(reply.statusCode()).as(reply.body()).isEqualTo(400);
        assertThat(json(reply.body()).get("error").asText()).isEqualTo(error);
    }

    /** detectModelTypeFromFiles: a GGUF is known by its bytes, whatever its name. */
    @Test
    void filesAreRecognisedByContent() throws Exception {
        HttpResponse<String> created = create("{\"model\":\"by-content\",\"files\":{\"weights.bin\":\"" + storiesDigest + "\"},\"stream\":false}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        String notGguf = upload("this is not a model".getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> named = create("{\"model\":\"x\",\"files\":{\"m.gguf\":\"" + notGguf + "\"},\"stream\":false}");
        assertThat(named.statusCode()).isEqualTo(400);
        assertThat(json(named.body()).get("error").asText()).isEqualTo("supplied file was not in GGUF format");
        HttpResponse<String> unnamed = create("{\"model\":\"x\",\"files\":{\"m.bin\":\"" + notGguf + "\"},\"stream\":false}");
        assertThat(unnamed.statusCode()).isEqualTo(400);
        assertThat(json(unnamed.body()).get("error").asText()).isEqualTo("unknown type");
    }

    /** setParameters stores the JSON API's parameters as given; requests then ignore names that are no option. */
    @Test
    void unknownParametersAreStoredAsGiven() throws Exception {
        HttpResponse<String> created = create("{\"model\":\"odd-params\",\"from\":\"stories\",\"parameters\":{\"foo\":1,\"num_predict\":2},\"stream\":false}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        JsonNode show = json(server.post("/api/show", "{\"model\":\"odd-params\"}").body());
        assertThat(show.get("parameters").asText()).contains("foo").contains("num_predict");
        HttpResponse<String> generated = server.post("/api/generate", "{\"model\":\"odd-params\",\"prompt\":\"Once\",\"stream\":false}");
        assertThat(generated.statusCode()).as(generated.body()).isEqualTo(200);
        assertThat(json(generated.body()).get("eval_count").asInt()).isEqualTo(2);
    }

    /** GetModel: ParentModel is the "from" of the weights layer, recorded when a model is made from another. */
    @Test
    void parentModelIsRecorded() throws Exception {
        assertThat(create("{\"model\":\"child\",\"from\":\"stories\",\"stream\":false}").statusCode()).isEqualTo(200);
        JsonNode show = json(server.post("/api/show", "{\"model\":\"child\"}").body());
        assertThat(show.get("details").get("parent_model").asText()).isEqualTo("stories:latest");
        JsonNode original = json(server.post("/api/show", "{\"model\":\"stories\"}").body());
        assertThat(original.get("details").get("parent_model").asText()).isEmpty();
    }
}
