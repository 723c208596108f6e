package dev.jollama.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import dev.jollama.server.config.ServerConfig;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static dev.jollama.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Host header check, CORS, body size limit and unknown paths. */
class HttpEdgesTest {
    @RegisterExtension
    static final TestServer server = TestServer.perClass(() -> Map.of("OLLAMA_ORIGINS", "https://app.example.com"));

    /** A raw HTTP/1.1 exchange, so Host and Origin can be anything; returns the whole response text. */
    private static String exchange(String method, String path, String... headers) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            StringBuilder request = new StringBuilder(method + " " + path + " HTTP/1.1\r\n");
            for (String h : headers) {
                request.append(h).append("\r\n");
            }
            request.append("Connection: close\r\n\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream response = new ByteArrayOutputStream();
            in.transferTo(response);
            return response.toString(StandardCharsets.UTF_8);
        }
    }

    @ParameterizedTest(name = "Host {0} -> {1}")
    @CsvSource({"evil.example.com,403", "localhost:11434,200", "127.0.0.1,200", "192.168.1.5:80,200", "[::1]:11434,200",
            "myapp.localhost,200", "attacker.com:11434,403"})
    void hostHeaderIsCheckedWhenBoundToLoopback(String host, int status) throws Exception {
        assertThat(exchange("GET", "/api/version", "Host: " + host)).startsWith("HTTP/1.1 " + status);
    }

    @ParameterizedTest(name = "Origin {0} -> {1}")
    @CsvSource({"http://evil.example.com,403", "http://localhost:3000,200", "http://127.0.0.1,200",
            "https://app.example.com,200", "vscode-webview://abc,200"})
    void originsAreCheckedAgainstOllamaOrigins(String origin, int status) throws Exception {
        String response = exchange("GET", "/api/version", "Host: localhost", "Origin: " + origin);
        assertThat(response).startsWith("HTTP/1.1 " + status);
        if (status == 200) {
            assertThat(response).containsIgnoringCase("Access-Control-Allow-Origin: " + origin);
        }
    }

    @Test
    void preflightIsAnswered() throws Exception {
        String response = exchange("OPTIONS", "/api/generate", "Host: localhost", "Origin: http://localhost:5173",
                "Access-Control-Request-Method: POST");
        assertThat(response).startsWith("HTTP/1.1 204");
        assertThat(response).containsIgnoringCase("Access-Control-Allow-Methods:");
    }

    @Test
    void hugeBodiesAreRefusedWith413() throws Exception {
        String huge = "{\"model\":\"stories\",\"prompt\":\"" + "a".repeat(65 << 20) + "\"}";
        HttpResponse<String> r = server.post("/api/generate", huge);
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(json(r.body()).get("error").asText()).contains("too large");
        assertThat(server.get("/api/version").statusCode()).isEqualTo(200);
    }

    /** The check follows the address bound, however OLLAMA_HOST spells it. */
    @ParameterizedTest(name = "OLLAMA_HOST {0}")
    @ValueSource(strings = {"LOCALHOST:0", "LocalHost:0", "127.0.0.1:0"})
    void hostHeaderIsCheckedForEverySpellingOfLoopback(String host) throws Exception {
        try (JollamaServer other = JollamaServer.start(ServerConfig.from(Map.of("OLLAMA_HOST", host,
                "OLLAMA_MODELS", server.store().root().toString())))) {
            try (Socket socket = new Socket("127.0.0.1", other.port())) {
                socket.getOutputStream().write("GET /api/version HTTP/1.1\r\nHost: evil.example.com\r\nConnection: close\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                assertThat(new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).startsWith("HTTP/1.1 403");
            }
        }
    }

    @Test
    void anUnresolvableHostIsSaidSo() {
        assertThatThrownBy(() -> JollamaServer.start(ServerConfig.from(Map.of("OLLAMA_HOST", "no-such-host.invalid:0",
                "OLLAMA_MODELS", server.store().root().toString()))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot resolve the host name 'no-such-host.invalid'");
    }

    @Test
    void unknownPathIsA404WithJson() throws Exception {
        HttpResponse<String> r = server.get("/api/nothing");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(json(r.body()).has("error")).isTrue();
    }
}
