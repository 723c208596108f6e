package dev.jollama.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import static dev.jollama.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile and malformed requests: each is a 400 (or the status Ollama uses) with a message that says what was wrong,
 * never a 500, and no error text shows library internals, the server's classes or the store's absolute path.
 */
class HostileInputTest {
    @RegisterExtension
    static final TestServer server = TestServer.perClass();

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "{\"model\":\"test\",\"prompt\":\"hi\",\"context\":[-1]}",
            "{\"model\":\"test\",\"prompt\":\"hi\",\"context\":[2147483647]}",
            "{\"model\":\"test\",\"prompt\":\"hi\",\"options\":{\"repeat_last_n\":-2}}",
    })
    void badGenerateInputIsA400(String body) throws Exception {
        assertClean(server.post("/api/generate", body), 400);
    }

    @Test
    void aNumberLongerThanTheParserAllowsIsA400WithoutParserInternals() throws Exception {
        assertClean(server.post("/api/generate", "{\"model\":\"test\",\"prompt\":\"hi\",\"options\":{\"num_predict\":1"
                + "0".repeat(1200) + "}}"), 400);
    }

    @Test
    void deeplyNestedJsonIsA400WithoutParserInternals() throws Exception {
        String body = "{\"model\":\"test\",\"prompt\":\"hi\",\"options\":" + "[".repeat(5000) + "]".repeat(5000) + "}";
        assertClean(server.post("/api/generate", body), 400);
    }

    @Test
    void aStringLongerThanTheParserAllowsIsA400WithoutParserInternals() throws Exception {
        String body = "{\"model\":\"test\",\"prompt\":\"" + "a".repeat(20_000_001) + "\"}";
        assertClean(server.post("/api/generate", body), 400);
    }

    @Test
    void brokenChunkedFramingIsA400() throws Exception {
        String response = rawExchange("POST /api/generate HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
                + "Connection: close\r\n\r\n5\r\n{\"mod\r\nzz\r\nel\":1}\r\n0\r\n\r\n");
        assertThat(response).startsWith("HTTP/1.1 400");
        assertThat(response).doesNotContain("dev.jollama", "org.eclipse", "Exception");
    }

    @Test
    void deeplyNestedTemplatesAreA400() throws Exception {
        String template = "{{if true}}".repeat(100_000) + "x" + "{{end}}".repeat(100_000);
        HttpResponse<String> r = server.post("/api/generate", "{\"model\":\"test\",\"prompt\":\"hi\",\"template\":\"" + template + "\"}");
        assertClean(r, 400);
        assertThat(json(r.body()).get("error").asText()).contains("nested more than 1000 deep");
    }

    @Test
    void aRenderedPromptBeyondTheLimitIsA400NamingIt() throws Exception {
        String template = "{{printf \\\"%*d\\\" 1000000 1}}".repeat(200);
        HttpResponse<String> r = server.post("/api/generate", "{\"model\":\"test\",\"prompt\":\"hi\",\"template\":\"" + template + "\"}");
        assertClean(r, 400);
        assertThat(json(r.body()).get("error").asText()).contains("the rendered prompt exceeds 134217728 characters (the limit)");
    }

    @Test
    void hugePrintfWidthsRenderAsGoRendersThem() throws Exception {
        String template = "{{printf \\\"%*d\\\" 2000000000 1}}";
        HttpResponse<String> r = server.post("/api/generate", "{\"model\":\"test\",\"prompt\":\"hi\",\"template\":\"" + template
                + "\",\"stream\":false,\"_debug_render_only\":true}");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json(r.body()).get("_debug_info").get("rendered_template").asText()).isEqualTo("%!(BADWIDTH)1");
    }

    static void assertClean(HttpResponse<String> r, int status) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        JsonNode error = json(r.body()).get("error");
        assertThat(error).as(r.body()).isNotNull();
        assertThat(error.asText()).isNotBlank().doesNotContain("StreamReadConstraints", "com.fasterxml", "dev.jollama",
                "java.", "org.eclipse", server.store().root().toString());
    }

    private static String rawExchange(String request) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            ByteArrayOutputStream response = new ByteArrayOutputStream();
            socket.getInputStream().transferTo(response);
            return response.toString(StandardCharsets.UTF_8);
        }
    }
}
