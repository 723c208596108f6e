package dev.jollama.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.http.HttpResponse;

import static dev.jollama.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

/** /api/embed and /api/embeddings details, routing, /api/delete's name checks and /api/version, as Ollama answers. */
class EmbedRoutingVersionConformanceTest {
    @RegisterExtension
    static final TestServer server = TestServer.perClass();

    private static JsonNode embed(String body) throws Exception {
        HttpResponse<String> reply = server.post("/api/embed", body);
        assertThat(reply.statusCode()).as(reply.body()).isEqualTo(200);
        return json(reply.body());
    }

    /** EmbedHandler: dimensions truncates (and normalises again) only when 0 < dimensions < length. */
    @ParameterizedTest(name = "dimensions {0}")
    @CsvSource({"8, 8", "0, 64", "64, 64", "1000, 64", "-3, 64"})
    void dimensionsTruncateOnlyBelowTheLength(int dimensions, int length) throws Exception {
        JsonNode vector = embed("{\"model\":\"stories\",\"input\":\"Once upon a time\",\"dimensions\":" + dimensions + "}")
                .get("embeddings").get(0);
        assertThat(vector.size()).isEqualTo(length);
        double norm = 0;
        for (JsonNode x : vector) {
            norm += x.asDouble() * x.asDouble();
        }
        assertThat(norm).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
    }

    /** EmbedHandler: no input loads the model and answers exactly the model and no embeddings. */
    @Test
    void emptyInputAnswersTheModelAndNoEmbeddings() throws Exception {
        HttpResponse<String> reply = server.post("/api/embed", "{\"model\":\"stories\",\"input\":[]}");
        assertThat(reply.body()).isEqualTo("{\"model\":\"stories\",\"embeddings\":[]}");
        assertThat(server.post("/api/embed", "{\"model\":\"stories\",\"input\":\"\"}").body())
                .isEqualTo("{\"model\":\"stories\",\"embeddings\":[]}");
    }

    /** EmbedHandler and EmbeddingsHandler's model errors (writeModelRefParseError, handleScheduleError). */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', textBlock = """
            /api/embed      | {"model":"","input":"a"}          | 404 | model '' not found
            /api/embed      | {"model":"nosuch","input":"a"}    | 404 | model 'nosuch' not found
            /api/embeddings | {"model":"","prompt":"a"}         | 400 | model is required
            /api/embeddings | {"model":"nosuch","prompt":"a"}   | 404 | model "nosuch" not found, try pulling it first
            """)
    void modelErrors(String path, String body, int status, String error) throws Exception {
        HttpResponse<String> reply = server.post(path, body);
        assertThat(reply.statusCode()).as(reply.body()).isEqualTo(status);
        assertThat(json(reply.body()).get("error").asText()).isEqualTo(error);
    }

    /** GenerateRoutes sets gin's HandleMethodNotAllowed: a known path with another method is 405. */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"GET, /api/generate", "GET, /api/chat", "POST, /api/tags", "GET, /api/delete", "DELETE, /api/show", "PUT, /api/version"})
    void aKnownPathWithTheWrongMethodIs405(String method, String path) throws Exception {
        HttpResponse<String> reply = server.send(method, path, method.equals("GET") ? null : "{}");
        assertThat(reply.statusCode()).isEqualTo(405);
        assertThat(json(reply.body()).get("error").asText()).isEqualTo("405 method not allowed");
        assertThat(server.send("GET", "/api/nosuch", null).statusCode()).isEqualTo(404);
    }

    /** DeleteHandler: parseNormalizePullModelRef's errors come before the lookup. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            {"model":""}        | 400 | model is required
            {"model":"a/b/c/d"} | 400 | name "a/b/c/d" is invalid
            {"model":"nosuch"}  | 404 | model 'nosuch' not found
            """)
    void deleteNameErrors(String body, int status, String error) throws Exception {
        HttpResponse<String> reply = server.send("DELETE", "/api/delete", body);
        assertThat(reply.statusCode()).as(reply.body()).isEqualTo(status);
        assertThat(json(reply.body()).get("error").asText()).isEqualTo(error);
    }

    /** GenerateRoutes' /api/version: the version of the Ollama release whose API is implemented. */
    @Test
    void versionIsTheImplementedOllamaRelease() throws Exception {
        assertThat(server.get("/api/version").body()).isEqualTo("{\"version\":\"" + JollamaServer.OLLAMA_API_VERSION + "\"}");
        assertThat(JollamaServer.OLLAMA_API_VERSION).isEqualTo("0.32.15");
    }
}
