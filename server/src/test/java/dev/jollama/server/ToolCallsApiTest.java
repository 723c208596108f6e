package dev.jollama.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.jollama.server.TestServer.json;
import static dev.jollama.server.TestServer.lines;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tools in /api/chat, black-box, on {@link ScriptedModel}s whose output is a known tool call: request binding of
 * any JSON Schema in parameters (Ollama's api.Tool), the call prefix from the template (tools.parseTag), call parsing
 * and streaming (tools.Parser.Add as ChatHandler drives it), tool history reaching the template (chatPrompt), and the
 * capability check (Model.CheckCapabilities).
 */
class ToolCallsApiTest {
    /** A Qwen-style template: calls written inside {@code <tool_call>}; a tool result asks for the final answer. */
    static final String TOOLS_TEMPLATE = "{{- if .Tools }}<|tools|>{{ range .Tools }}{{ .Function.Name }} {{ end }}{{ end }}"
            + "{{- range .Messages }}{{ if eq .Role \"user\" }}{{ .Content }}"
            + "{{ else if eq .Role \"assistant\" }}<|assistant|>{{ if .ToolCalls }}<tool_call>{{ range .ToolCalls }}"
            + "[{{ .Function.Index }}:{{ .Function.Name }}{{ .Function.Arguments }}]{{ end }}</tool_call>{{ else }}{{ .Content }}{{ end }}"
            + "{{ else if eq .Role \"tool\" }}<|tool|>{{ .ToolName }}={{ .Content }}<|answer|>{{ end }}{{ end }}";
    /** A template that writes calls as bare JSON objects, so every object in the output is tried as a call. */
    static final String JSON_TEMPLATE = "{{- if .Tools }}{{ .Tools }}{{ end }}{{ range .Messages }}{{ .Content }}"
            + "{{ if .ToolCalls }}{{ range .ToolCalls }}{\"name\": \"{{ .Function.Name }}\"}{{ end }}{{ end }}{{ end }}";
    /** Writes an assistant's calls and a tool message's tool_name as triggers, so the answer shows what the template saw. */
    static final String HISTORY_TEMPLATE = "{{- if .Tools }}{{ end }}{{ range .Messages }}{{ range .ToolCalls }}"
            + "<|{{ .Function.Index }}-{{ .Function.Name }}-{{ .Function.Arguments.city }}|>{{ end }}"
            + "{{ if eq .Role \"tool\" }}<|from-{{ .ToolName }}|>{{ end }}{{ end }}";
    static final Map<String, List<String>> SCRIPTS = Map.of(
            "<|0-get_weather-Paris|>", List.of("The call reached the template."),
            "<|from-get_weather|>", List.of("The tool name reached the template."),
            "<|weather|>", List.of("<tool_call>{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}</tool_call>"),
            "<|chatty|>", List.of("Let me check. ", "<tool_", "call>{\"name\": \"get_", "weather\", \"arguments\": ",
                    "{\"city\": \"Tok", "yo\", \"days\": 3}}", "</tool_call>"),
            "<|two|>", List.of("<tool_call>{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Oslo\"}}</tool_call>",
                    "<tool_call>{\"name\": \"get_time\", \"arguments\": {\"zone\": \"CET\"}}</tool_call>"),
            "<|json|>", List.of("{\"name\": \"get_time\", \"arguments\": {\"zone\": \"UTC\"}}"),
            "<|prose|>", List.of("It is {probably} sunny."),
            "<|answer|>", List.of("The weather is sunny."));
    /** Tools whose parameters use JSON Schema beyond Ollama's ToolProperty fields. */
    static final String TOOLS = "[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"description\":\"Weather in a city\","
            + "\"parameters\":{\"type\":\"object\",\"additionalProperties\":false,\"$schema\":\"http://json-schema.org/draft-07/schema#\","
            + "\"properties\":{\"city\":{\"type\":\"string\",\"minLength\":1,\"pattern\":\"^[A-Z]\"},"
            + "\"days\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":7,\"default\":1},"
            + "\"when\":{\"type\":\"object\",\"properties\":{\"date\":{\"type\":\"string\",\"format\":\"date\"}},\"additionalProperties\":false}},"
            + "\"required\":[\"city\"]}}},"
            + "{\"type\":\"function\",\"function\":{\"name\":\"get_time\",\"parameters\":{\"type\":\"object\","
            + "\"properties\":{\"zone\":{\"anyOf\":[{\"type\":\"string\"},{\"type\":\"null\"}],\"examples\":[\"CET\"]}}}}}]";
    /** GGUF chat templates (Jinja) of the two kinds: one that writes calls inside {@code <tool_call>}, one bare JSON. */
    static final String JINJA_TAGGED = "{% if tools %}Answer calls inside <tool_call></tool_call>.{% endif %}"
            + "{% for m in messages %}{{ m.content }}{% endfor %}";
    static final String JINJA_JSON = "{% if tools %}{{ tools | tojson }}{% endif %}{% for m in messages %}{{ m.content }}{% endfor %}";
    @RegisterExtension
    static final TestServer server = TestServer.perClass();

    @BeforeAll
    static void start() throws Exception {
        addScriptedModels(server, Map.of("tooler", TOOLS_TEMPLATE, "jsontooler", JSON_TEMPLATE, "historian", HISTORY_TEMPLATE));
        for (Map.Entry<String, String> jinja : Map.of("jinja-tooler", JINJA_TAGGED, "jinja-jsontooler", JINJA_JSON).entrySet()) {
            Path file = ScriptedModel.write(Files.createTempFile("scripted-jinja", ".gguf"), SCRIPTS, jinja.getValue());
            server.addModel(jinja.getKey(), file, null);
            Files.delete(file);
        }
    }

    /** Adds models made from one GGUF that answers {@link #SCRIPTS}, each with its template (name to template). */
    static void addScriptedModels(TestServer server, Map<String, String> templates) throws IOException {
        Path gguf = ScriptedModel.write(Files.createTempFile("scripted", ".gguf"), SCRIPTS);
        for (Map.Entry<String, String> model : templates.entrySet()) {
            server.addModel(model.getKey(), gguf, model.getValue());
        }
        Files.delete(gguf);
    }

    private static HttpResponse<String> chat(String model, String messages, boolean stream, String extra) throws Exception {
        return server.post("/api/chat", "{\"model\":\"" + model + "\",\"messages\":" + messages + ",\"tools\":" + TOOLS
                + ",\"stream\":" + stream + extra + "}");
    }

    private static String user(String content) {
        return "[{\"role\":\"user\",\"content\":\"" + content.replace("\"", "\\\"") + "\"}]";
    }

    /** Ollama's tools.Parser and ChatHandler: name, arguments as an object, index, an id; done_reason stays stop. */
    @Test
    void aCallInTheOutputIsReturnedAsToolCalls() throws Exception {
        HttpResponse<String> r = chat("tooler", user("Weather in Paris?<|weather|>"), false, "");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode reply = json(r.body());
        assertThat(reply.get("message").get("content").asText()).isEmpty();
        JsonNode call = reply.get("message").get("tool_calls").get(0);
        assertThat(call.get("id").asText()).matches("call_[a-z0-9]{8}");
        assertThat(call.get("function").get("index").asInt()).isZero();
        assertThat(call.get("function").get("name").asText()).isEqualTo("get_weather");
        assertThat(call.get("function").get("arguments")).isEqualTo(json("{\"city\":\"Paris\"}"));
        assertThat(reply.get("done_reason").asText()).isEqualTo("stop");
    }

    /** Table: what tools.Parser makes of each script, with tag "<tool_call>" (Qwen style) or "{" (bare JSON). */
    @Test
    void outputsParseAsOllamasToolsParserDoes() throws Exception {
        record Case(String model, String trigger, String content, List<String> calls) {
        }
        List<Case> cases = List.of(
                new Case("tooler", "<|two|>", "", List.of("0 get_weather {\"city\":\"Oslo\"}", "1 get_time {\"zone\":\"CET\"}")),
                new Case("tooler", "<|chatty|>", "Let me check. ", List.of("0 get_weather {\"city\":\"Tokyo\",\"days\":3}")),
                new Case("tooler", "<|answer|>", "The weather is sunny.", List.of()),
                new Case("jsontooler", "<|json|>", "", List.of("0 get_time {\"zone\":\"UTC\"}")),
                new Case("jsontooler", "<|prose|>", "It is {probably} sunny.", List.of()),
                // a model without TEMPLATE: the tag comes from its GGUF chat template (see ToolCallTag)
                new Case("jinja-tooler", "<|two|>", "", List.of("0 get_weather {\"city\":\"Oslo\"}", "1 get_time {\"zone\":\"CET\"}")),
                new Case("jinja-tooler", "<|json|>", "{\"name\": \"get_time\", \"arguments\": {\"zone\": \"UTC\"}}", List.of()),
                new Case("jinja-jsontooler", "<|json|>", "", List.of("0 get_time {\"zone\":\"UTC\"}")));
        for (Case c : cases) {
            JsonNode message = json(chat(c.model(), user("Hi" + c.trigger()), false, "").body()).get("message");
            assertThat(message.get("content").asText()).as(c.trigger()).isEqualTo(c.content());
            List<String> calls = new ArrayList<>();
            message.path("tool_calls").forEach(t -> calls.add(t.get("function").get("index").asInt() + " "
                    + t.get("function").get("name").asText() + " " + t.get("function").get("arguments")));
            assertThat(calls).as(c.trigger()).isEqualTo(c.calls());
        }
    }

    /** ChatHandler streaming: content before the call streams; the call comes whole in one chunk, not as content. */
    @Test
    void streamingSendsContentFirstAndTheCallWhole() throws Exception {
        List<JsonNode> chunks = lines(chat("tooler", user("Weather in Tokyo?<|chatty|>"), true, "").body());
        StringBuilder content = new StringBuilder();
        List<JsonNode> calls = new ArrayList<>();
        int callChunk = -1;
        for (int i = 0; i < chunks.size(); i++) {
            JsonNode message = chunks.get(i).get("message");
            content.append(message.get("content").asText());
            if (message.has("tool_calls")) {
                message.get("tool_calls").forEach(calls::add);
                callChunk = i;
            }
        }
        assertThat(content.toString()).isEqualTo("Let me check. ");
        assertThat(chunks.getFirst().get("message").get("content").asText()).isEqualTo("Let me check. ");
        assertThat(calls).hasSize(1);
        assertThat(calls.getFirst().get("function").get("arguments")).isEqualTo(json("{\"city\":\"Tokyo\",\"days\":3}"));
        assertThat(callChunk).isPositive().isLessThan(chunks.size() - 1);
        assertThat(chunks.getLast().get("done_reason").asText()).isEqualTo("stop");
    }

    /** chatPrompt: an assistant's tool_calls (index, name, arguments) and a tool message's tool_name reach the template. */
    @Test
    void toolHistoryReachesTheTemplate() throws Exception {
        String call = "{\"role\":\"user\",\"content\":\"Weather?\"},{\"role\":\"assistant\",\"content\":\"\",\"tool_calls\":"
                + "[{\"function\":{\"index\":0,\"name\":\"get_weather\",\"arguments\":{\"city\":\"Paris\",\"days\":2}}}]}";
        String result = ",{\"role\":\"tool\",\"tool_name\":\"get_weather\",\"content\":\"sunny\"}";
        assertThat(json(chat("historian", "[" + call + "]", false, "").body()).get("message").get("content").asText())
                .isEqualTo("The call reached the template.");
        assertThat(json(chat("historian", "[" + call + result + "]", false, "").body()).get("message").get("content").asText())
                .isEqualTo("The tool name reached the template.");
        JsonNode reply = json(chat("tooler", "[" + call + result + "]", false, "").body());
        assertThat(reply.get("message").get("content").asText()).isEqualTo("The weather is sunny.");
        assertThat(reply.get("message").has("tool_calls")).isFalse();
    }

    /** Model.CheckCapabilities via scheduleRunner: "<full name> does not support tools"; a malformed tool is Go's 400. */
    @Test
    void toolsOnAModelWithoutToolsInItsTemplateAre400() throws Exception {
        HttpResponse<String> r = chat("test", user("hi"), false, "");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r.body()).get("error").asText()).isEqualTo("registry.ollama.ai/library/test:latest does not support tools");
        HttpResponse<String> bad = server.post("/api/chat", "{\"model\":\"tooler\",\"messages\":" + user("hi")
                + ",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":5}}]}");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(json(bad.body()).get("error").asText()).startsWith("json: cannot unmarshal number into Go struct field")
                .endsWith("of type string");
    }
}
