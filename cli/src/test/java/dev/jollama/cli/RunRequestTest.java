package dev.jollama.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;

/** What {@code run} asks the server for, and how it shows a thinking model's answer. */
class RunRequestTest {
    private static final String SHOW = "{\"capabilities\":[\"completion\"]}";
    private static final String SHOW_THINKING = "{\"capabilities\":[\"completion\",\"thinking\"]}";

    private FakeServer server;

    @BeforeEach
    void start() throws IOException {
        server = new FakeServer().on("/api/show", SHOW).on("/api/generate",
                "{\"response\":\"{\\\"a\\\":\",\"done\":false}", "{\"response\":\"1}\",\"done\":true}");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private TestServer.Outcome run(String... args) {
        return TestServer.run(server.url(), "", false, args);
    }

    @Test
    void flagsBecomeRequestFields() {
        TestServer.Outcome o = run("run", "m", "--format", "json", "--keepalive", "10m", "--think=low",
                "--temperature", "0.5", "--seed", "7", "--num-ctx", "256", "hi");
        assertThat(o.exitCode()).isZero();
        assertThat(o.out()).isEqualTo("{\"a\":1}\n\n");
        JsonNode sent = server.requests("/api/generate").getFirst().body();
        assertThat(sent.get("model").asText()).isEqualTo("m");
        assertThat(sent.get("prompt").asText()).isEqualTo("hi");
        assertThat(sent.get("format").asText()).isEqualTo("json");
        assertThat(sent.get("keep_alive").asInt()).isEqualTo(600);
        assertThat(sent.get("think").asText()).isEqualTo("low");
        assertThat(sent.get("options").toString()).isEqualTo("{\"temperature\":0.5,\"seed\":7,\"num_ctx\":256}");
        assertThat(sent.get("stream").asBoolean()).isTrue();
    }

    @Test
    void aSchemaFormatIsSentAsAnObject() {
        run("run", "m", "--format", "{\"type\":\"object\"}", "hi");
        assertThat(server.requests("/api/generate").getFirst().body().get("format").toString())
                .isEqualTo("{\"type\":\"object\"}");
    }

    @Test
    void thinkWithoutAValueIsOnAndLeavesThePromptAlone() {
        run("run", "m", "--think", "Why is the sky blue?");
        JsonNode sent = server.requests("/api/generate").getFirst().body();
        assertThat(sent.get("think").asBoolean()).isTrue();
        assertThat(sent.get("prompt").asText()).isEqualTo("Why is the sky blue?");
        run("run", "m", "--think=false", "hi");
        assertThat(server.requests("/api/generate").get(1).body().get("think").asBoolean()).isFalse();
    }

    @Test
    void withoutFlagsOnlyTheModelAndPromptAreSent() {
        run("run", "m", "hi");
        assertThat(server.requests("/api/generate").getFirst().body().toString())
                .isEqualTo("{\"model\":\"m\",\"prompt\":\"hi\",\"stream\":true}");
    }

    @Test
    void aThinkingModelThinksByDefaultAndItsThinkingIsSetApart() {
        server.on("/api/show", SHOW_THINKING).on("/api/generate",
                "{\"thinking\":\"Rayleigh \",\"done\":false}", "{\"thinking\":\"scattering.\",\"done\":false}",
                "{\"response\":\"Because of\",\"done\":false}", "{\"response\":\" the air.\",\"done\":true}");
        TestServer.Outcome o = run("run", "m", "Why is the sky blue?");
        assertThat(server.requests("/api/generate").getFirst().body().get("think").asBoolean()).isTrue();
        assertThat(o.out()).isEqualTo("Thinking...\nRayleigh scattering.\n...done thinking.\n\nBecause of the air.\n\n");

        TestServer.Outcome hidden = run("run", "m", "--hidethinking", "Why is the sky blue?");
        assertThat(hidden.out()).isEqualTo("Because of the air.\n\n");
    }

    @Test
    void anErrorMidStreamEndsTheRunWithTheServersMessage() {
        server.on("/api/generate", "{\"response\":\"Once\",\"done\":false}", "{\"error\":\"model runner crashed\"}");
        TestServer.Outcome o = run("run", "m", "hi");
        assertThat(o.exitCode()).isEqualTo(1);
        assertThat(o.out()).isEqualTo("Once");
        assertThat(o.err()).isEqualTo("Error: model runner crashed\n");
    }
}
