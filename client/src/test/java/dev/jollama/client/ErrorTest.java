package dev.jollama.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Failures reach the caller as a JollamaException with the HTTP status and the server's own message. */
class ErrorTest extends AgainstFakeOllama {
    private static final GenerateRequest PROMPT = GenerateRequest.builder("x").prompt("p").build();

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            400 | {"error":"invalid model name"}                                  | invalid model name
            404 | {"error":"model 'x' not found"}                                 | model 'x' not found
            400 | {"error":"\\"x\\" does not support thinking"}                   | "x" does not support thinking
            500 | {"error":"option \\"num_ctx\\" must be of type integer"}        | option "num_ctx" must be of type integer
            503 | {"error":"server busy, please try again.  maximum pending requests exceeded"} | server busy, please try again.  maximum pending requests exceeded
            404 | 404 page not found                                              | 404 page not found
            405 | ``                                                              | HTTP 405
            """)
    void statusAndMessageOfAnErrorReply(int status, String body, String message) {
        server.on("/api/generate", FakeOllama.json(status, body));

        assertThatThrownBy(() -> client.generate(PROMPT)).isInstanceOfSatisfying(JollamaException.class, e -> {
            assertThat(e.statusCode()).isEqualTo(status);
            assertThat(e).hasMessage(message);
        });
        // A streamed call fails the same way: the server answers with a plain error before streaming anything.
        assertThatThrownBy(() -> client.generateStream(PROMPT)).isInstanceOfSatisfying(JollamaException.class, e -> {
            assertThat(e.statusCode()).isEqualTo(status);
            assertThat(e).hasMessage(message);
        });
    }

    private static Arguments call(String name, Consumer<JollamaClient> call) {
        return Arguments.of(Named.of(name, call));
    }

    static Stream<Arguments> everyCall() {
        return Stream.of(
                call("generate with a callback", c -> c.generate(PROMPT, chunk -> { })),
                call("chat", c -> c.chat(ChatRequest.builder("x").build())),
                call("chat with a callback", c -> c.chat(ChatRequest.builder("x").build(), chunk -> { })),
                call("generateText", c -> c.generateText("p", "x", 1, 0, null, null, null)),
                call("pull", c -> c.pull("x", progress -> { })),
                call("list", JollamaClient::list),
                call("show", c -> c.show("x")),
                call("ps", JollamaClient::ps),
                call("copy", c -> c.copy("x", "y")),
                call("delete", c -> c.delete("x")),
                call("embed", c -> c.embed(EmbedRequest.of("x", "a"))),
                call("version", JollamaClient::version));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyCall")
    void everyCallReportsTheServersError(Consumer<JollamaClient> call) {
        for (String path : new String[] {"/api/generate", "/api/chat", "/api/pull", "/api/tags", "/api/show",
                "/api/ps", "/api/copy", "/api/delete", "/api/embed", "/api/version"}) {
            server.on(path, FakeOllama.json(404, "{\"error\":\"model 'x' not found\"}"));
        }

        assertThatThrownBy(() -> call.accept(client)).isInstanceOfSatisfying(JollamaException.class, e -> {
            assertThat(e.statusCode()).isEqualTo(404);
            assertThat(e).hasMessage("model 'x' not found");
        });
    }

    @Test
    void connectionRefusedSaysWhereItLookedForTheServer() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        String expected = "could not connect to jollama server at http://127.0.0.1:" + port + ", is it running?";

        try (JollamaClient nobodyThere = new JollamaClient("127.0.0.1:" + port)) {
            assertThatThrownBy(nobodyThere::version).isInstanceOfSatisfying(JollamaException.class, e -> {
                assertThat(e.statusCode()).isEqualTo(JollamaException.NO_RESPONSE);
                assertThat(e).hasMessage(expected);
            });
            assertThatThrownBy(() -> nobodyThere.generateStream(PROMPT)).hasMessage(expected);
        }
    }

    @Test
    void responseTimeoutCoversTheWaitForTheReplyToBegin() {
        server.on("/api/generate", (exchange, request) -> {
            try {
                Thread.sleep(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        URI url = server.url();

        try (JollamaClient impatient = new JollamaClient(url, Duration.ofMillis(200))) {
            assertThatThrownBy(() -> impatient.generate(PROMPT))
                    .isInstanceOf(JollamaException.class)
                    .hasMessage("no reply from " + url + "/api/generate within PT0.2S");
        }
    }
}
