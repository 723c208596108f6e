package dev.jollama.server.tools;

import dev.jollama.server.api.ToolCall;
import dev.jollama.server.template.PromptTemplate;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Cases of Ollama's tools tests (TestParseTag, TestParser), through {@link ToolCallTag} and {@link ToolCallParser}. */
class ToolCallParserTest {
    private static final String QWEN = "{{if .ToolCalls}}<tool_call>{{range .ToolCalls}}{\"name\": \"{{.Function.Name}}\", "
            + "\"arguments\": {{.Function.Arguments}}}{{end}}</tool_call>{{end}}";
    private static final String JSON = "{{if .ToolCalls}}{{range .ToolCalls}}{\"name\": \"{{.Function.Name}}\", "
            + "\"arguments\": {{.Function.Arguments}}}{{end}}{{end}}";
    private static final String MISTRAL = "{{if .ToolCalls}}[TOOL_CALLS] [{{range .ToolCalls}}{\"name\": \"{{.Function.Name}}\", "
            + "\"arguments\": {{.Function.Arguments}}}{{end}}][/TOOL_CALLS]{{end}}";
    private static final String LIST = "{{if .ToolCalls}}[{{range .ToolCalls}}{\"name\": \"{{.Function.Name}}\", "
            + "\"arguments\": {{.Function.Arguments}}}{{end}}]{{end}}";
    private static final List<String> TOOLS = List.of("get_temperature", "get_conditions", "say_hello", "say_hello_world");

    /** TestParseTag. */
    @Test
    void theTagIsTheFirstTextOfTheToolCallsBranch() {
        record Case(String template, String tag) {
        }
        for (Case c : List.of(new Case("", "{"), new Case("{{if .ToolCalls}}{{end}}", "{"),
                new Case("{{if .ToolCalls}}{{range .ToolCalls}}{{ . }}{{end}}{{end}}", "{"),
                new Case("{{if .ToolCalls}}```json\n{{end}}", "```json"),
                new Case("{{if .ToolCalls}}[{{range .ToolCalls}}{{ . }}{{end}}]{{end}}", "["),
                new Case("{{if .ToolCalls}}\n [ {{range .ToolCalls}}{{ . }}{{end}}]{{end}}", "["),
                new Case("{{if .ToolCalls}}{{range .ToolCalls}}{{ . }}{{end}}]{{end}}", "{"),
                new Case("{{if .ToolCalls}} {{range .ToolCalls}}{{ . }}{{end}}{{end}}", "{"),
                new Case(JSON, "{"), new Case(QWEN, "<tool_call>"), new Case(MISTRAL, "[TOOL_CALLS] ["),
                new Case("{{range .Messages}}{{if eq .Role \"assistant\"}}{{if .ToolCalls}}<|python_tag|>{{end}}{{end}}{{end}}", "<|python_tag|>"))) {
            assertThat(ToolCallTag.of(PromptTemplate.parse(c.template()))).as(c.template()).isEqualTo(c.tag());
        }
    }

    /** TestParser: content and calls from pieces of output, as Parser.Add returns them. */
    @Test
    void callsAndContentAsOllamasParserFindsThem() {
        record Case(String name, String template, List<String> inputs, String content, List<String> calls) {
        }
        String sf = "{\"name\": \"get_conditions\", \"arguments\": {\"location\": \"San Francisco\"}}";
        List<Case> cases = List.of(
                new Case("just text", QWEN, List.of("Hello, how can I help you today?"), "Hello, how can I help you today?", List.of()),
                new Case("tool call", QWEN, List.of("<tool_call>" + sf + "</tool_call>"), "", List.of("0 get_conditions {\"location\":\"San Francisco\"}")),
                new Case("empty args", QWEN, List.of("<tool_call>{\"name\": \"get_conditions\", \"arguments\": {}}</tool_call>"), "",
                        List.of("0 get_conditions {}")),
                new Case("text before tool call", QWEN, List.of("Let me check the weather. <tool_call>{\"name\": \"get_temperature\", "
                        + "\"arguments\": {\"city\": \"New York\"}}</tool_call>"), "Let me check the weather. ",
                        List.of("0 get_temperature {\"city\":\"New York\"}")),
                new Case("two tool calls in a list", MISTRAL, List.of("[TOOL_CALLS] [{\"name\": \"get_temperature\", \"arguments\": "
                        + "{\"city\": \"London\", \"format\": \"fahrenheit\"}}, {\"name\": \"get_conditions\", \"arguments\": {\"location\": \"Tokyo\"}}][/TOOL_CALLS]"),
                        "", List.of("0 get_temperature {\"city\":\"London\",\"format\":\"fahrenheit\"}", "1 get_conditions {\"location\":\"Tokyo\"}")),
                new Case("json", JSON, List.of("{", "\"name\": \"get_temperature\",", "\"arguments\": {", "\"city\": \"Tokyo\"", "}", "}"), "",
                        List.of("0 get_temperature {\"city\":\"Tokyo\"}")),
                new Case("json maybe a tool call", JSON, List.of("{", "\"name\": \"get_temperature\",", "\"arguments\": {"), "", List.of()),
                new Case("json not a tool call", JSON, List.of("{", "\"name\": \"search\", ", "\"arguments\": {",
                        "\"query\": \"What is the capital of Canada?\"", "}", "}"),
                        "{\"name\": \"search\", \"arguments\": {\"query\": \"What is the capital of Canada?\"}}", List.of()),
                new Case("json object followed by tool call", JSON, List.of("{\"name\": \"jeff\"}", sf), "{\"name\": \"jeff\"}" + sf, List.of()),
                new Case("json code", JSON, List.of("for { fmt.Println(\"hello\") }"), "for { fmt.Println(\"hello\") }", List.of()),
                new Case("list not a tool call", LIST, List.of("[special", " del", "ivery]"), "[special delivery]", List.of()),
                new Case("tool name with collision", QWEN, List.of("<tool_call>", "{", "\"name\": \"say_hello", "_world\",",
                        "\"arguments\": {}}", "}"), "", List.of("0 say_hello_world {}")));
        for (Case c : cases) {
            ToolCallParser parser = new ToolCallParser(ToolCallTag.of(PromptTemplate.parse(c.template())), TOOLS);
            StringBuilder content = new StringBuilder();
            List<String> calls = new ArrayList<>();
            for (String input : c.inputs()) {
                ToolCallParser.Parsed parsed = parser.add(input);
                content.append(parsed.content());
                for (ToolCall call : parsed.calls()) {
                    calls.add(call.index() + " " + call.name() + " " + call.arguments());
                }
            }
            assertThat(content.toString()).as(c.name()).isEqualTo(c.content());
            assertThat(calls).as(c.name()).isEqualTo(c.calls());
        }
    }
}
