package dev.jollama.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The chat of {@code run MODEL} at a terminal, typed through an injected stdin. */
class InteractiveChatTest {
    private static final String REPLY = "{\"message\":{\"role\":\"assistant\",\"content\":\"Hello\"},\"done\":false}";
    private static final String DONE = "{\"message\":{\"role\":\"assistant\",\"content\":\"!\"},\"done\":true,"
            + "\"total_duration\":2000000,\"eval_count\":2,\"eval_duration\":1000000}";

    private FakeServer server;

    @BeforeEach
    void start() throws IOException {
        server = new FakeServer()
                .on("/api/show", "{\"capabilities\":[\"completion\"],\"template\":\"{{ .Prompt }}\"}")
                .on("/api/generate", "{\"done\":true,\"done_reason\":\"load\"}")
                .on("/api/chat", REPLY, DONE)
                .on("/api/create", "{\"status\":\"success\"}");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private TestServer.Outcome chat(String typed) {
        return TestServer.run(server.url(), typed, true, "run", "m");
    }

    /** The messages of each chat request, as role: content. */
    private List<List<String>> conversations() {
        List<List<String>> all = new ArrayList<>();
        for (FakeServer.Request r : server.requests("/api/chat")) {
            List<String> messages = new ArrayList<>();
            r.body().get("messages").forEach(m -> messages.add(m.get("role").asText() + ": " + m.get("content").asText()));
            all.add(messages);
        }
        return all;
    }

    @Test
    void eachLineIsSentWithTheConversationSoFar() {
        TestServer.Outcome o = chat("Hi\nHow are you?\n/bye\n");
        assertThat(o.exitCode()).isZero();
        assertThat(o.out()).isEqualTo(">>> Hello!\n\n>>> Hello!\n\n>>> ");
        assertThat(conversations()).containsExactly(
                List.of("user: Hi"),
                List.of("user: Hi", "assistant: Hello!", "user: How are you?"));
        // The model is loaded before the first prompt, as ollama does.
        assertThat(server.requests("/api/generate")).hasSize(1);
    }

    @Test
    void tripleQuotesSpanLines() {
        chat("\"\"\"First line,\nsecond line.\n\"\"\"\n\"\"\"One line\"\"\"\n/bye\n");
        assertThat(conversations()).extracting(List::getLast)
                .containsExactly("user: First line,\nsecond line.\n", "user: One line");
    }

    @Test
    void theEndOfInputEndsTheChat() {
        TestServer.Outcome o = chat("Hi\n");
        assertThat(o.exitCode()).isZero();
        assertThat(o.out()).isEqualTo(">>> Hello!\n\n>>> \n");
    }

    @Test
    void setCommandsChangeTheRequests() {
        TestServer.Outcome o = chat("""
                /set parameter temperature 0.2
                /set parameter stop a b
                /set parameter temprature 1
                /set format json
                /set system Be brief.
                /set verbose
                Hi
                /bye
                """);
        assertThat(o.out()).contains("Set parameter 'temperature' to '0.2'\n", "Set parameter 'stop' to 'a, b'\n",
                "Couldn't set parameter: \"unknown parameter 'temprature'\"\n", "Set format to 'json' mode.\n",
                "Set system message.\n", "Set 'verbose' mode.\n");
        JsonNode sent = server.requests("/api/chat").getFirst().body();
        assertThat(sent.get("options").toString()).isEqualTo("{\"temperature\":0.2,\"stop\":[\"a\",\"b\"]}");
        assertThat(sent.get("format").asText()).isEqualTo("json");
        assertThat(conversations().getFirst()).containsExactly("system: Be brief.", "user: Hi");
        assertThat(o.err()).contains("total duration:       2ms\n", "eval rate:            2000.00 tokens/s\n");
    }

    @Test
    void aMultiLineSystemMessage() {
        chat("/set system \"\"\"Line one\nline two\"\"\"\nHi\n/bye\n");
        assertThat(conversations().getFirst()).containsExactly("system: Line one\nline two", "user: Hi");
    }

    @Test
    void clearForgetsTheConversationButKeepsTheSystemMessage() {
        TestServer.Outcome o = chat("/set system Be brief.\nHi\n/clear\nAgain\n/bye\n");
        assertThat(o.out()).contains("Cleared session context\n");
        assertThat(conversations().getLast()).containsExactly("system: Be brief.", "user: Again");
    }

    @Test
    void showAndHelpAndUnknownCommands() {
        TestServer.Outcome o = chat("/show template\n/show license\n/?\n/nonsense\n/bye\n");
        assertThat(o.out()).contains("{{ .Prompt }}\n", "No license was specified for this model.\n",
                "Unknown command '/nonsense'. Type /? for help\n");
        assertThat(o.err()).contains("/bye            Exit", "Use \"\"\" to begin a multi-line message.");
        assertThat(server.requests("/api/chat")).isEmpty();
    }

    @Test
    void saveCreatesAModelFromTheSession() {
        TestServer.Outcome o = chat("/set system Be brief.\n/set parameter temperature 0\nHi\n/save brief\n/bye\n");
        assertThat(o.out()).contains("Created new model 'brief'\n");
        JsonNode sent = server.requests("/api/create").getFirst().body();
        assertThat(sent.get("model").asText()).isEqualTo("brief");
        assertThat(sent.get("from").asText()).isEqualTo("m");
        assertThat(sent.get("system").asText()).isEqualTo("Be brief.");
        assertThat(sent.get("parameters").toString()).isEqualTo("{\"temperature\":0.0}");
        assertThat(sent.get("messages")).hasSize(3);
    }

    @Test
    void aRefusedMessageIsReportedAndTheChatGoesOn() {
        server.on("/api/chat", "{\"error\":\"\\\"m\\\" does not support thinking\"}");
        TestServer.Outcome o = chat("Hi\nAgain\n/bye\n");
        assertThat(o.exitCode()).isZero();
        assertThat(o.err()).contains("Error: \"m\" does not support thinking\n");
        // The refused message is not kept in the conversation.
        assertThat(conversations().getLast()).containsExactly("user: Again");
    }
}
