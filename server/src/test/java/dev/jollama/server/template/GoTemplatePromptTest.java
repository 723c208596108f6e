package dev.jollama.server.template;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** Ollama's layer over the engine: the three render paths, collate, Vars, thinking tags, tools as values. */
class GoTemplatePromptTest {

    private static final String LEGACY = "{{- if .System }}System: {{ .System }} {{ end }}"
            + "{{- if .Prompt }}User: {{ .Prompt }} {{ end }}"
            + "{{- if .Response }}Assistant: {{ .Response }} {{ end }}";

    private static TemplateMessage user(String content) {
        return TemplateMessage.of("user", content);
    }

    private static TemplateMessage assistant(String content) {
        return TemplateMessage.of("assistant", content);
    }

    private static TemplateMessage system(String content) {
        return TemplateMessage.of("system", content);
    }

    private static String render(String template, List<TemplateMessage> messages) {
        return PromptTemplate.parse(template).execute(PromptValues.ofMessages(messages));
    }

    @Test
    void legacyTemplateRendersTheOpenTurnUpToResponse() {
        assertThat(render(LEGACY, List.of(user("Hello!")))).isEqualTo("User: Hello! ");
        assertThat(render(LEGACY, List.of(system("You are a helpful assistant."), user("Hello!"))))
                .isEqualTo("System: You are a helpful assistant. User: Hello! ");
    }

    static Stream<Arguments> sameConversationThreeWays() {
        List<TemplateMessage> chat = List.of(user("Hello friend!"), assistant("Hello human!"), user("What is your name?"));
        String mistral = "[INST] Hello friend![/INST] Hello human![INST] What is your name?[/INST] ";
        List<TemplateMessage> withSystem = List.of(system("You are a helpful assistant!"), user("Hello friend!"),
                assistant("Hello human!"), user("What is your name?"));
        String mistralSystem = "[INST] You are a helpful assistant!\n\nHello friend![/INST] Hello human![INST] What is your name?[/INST] ";
        List<TemplateMessage> prefilled = List.of(user("Hello friend!"), assistant("Hello human!"),
                user("What is your name?"), assistant("My name is Ollama and I"));
        String chatml = "<|im_start|>system\nYou are a helpful assistant!<|im_end|>\n<|im_start|>user\nHello friend!<|im_end|>\n"
                + "<|im_start|>assistant\nHello human!<|im_end|>\n<|im_start|>user\nWhat is your name?<|im_end|>\n"
                + "<|im_start|>assistant\n";
        String mistralNoResponse = "[INST] {{ if .System }}{{ .System }}\n\n{{ end }}{{ .Prompt }}[/INST] ";
        String mistralResponse = mistralNoResponse + "{{ .Response }}";
        String mistralMessages = "[INST] {{ if .System }}{{ .System }}\n\n{{ end }}\n{{- range .Messages }}\n"
                + "{{- if eq .Role \"user\" }}{{ .Content }}[/INST] {{ else if eq .Role \"assistant\" }}{{ .Content }}[INST] {{ end }}\n"
                + "{{- end }}";
        return Stream.of(
                arguments(mistralNoResponse, chat, mistral),
                arguments(mistralResponse, chat, mistral),
                arguments(mistralMessages, chat, mistral),
                arguments(mistralNoResponse, withSystem, mistralSystem),
                arguments(mistralResponse, withSystem, mistralSystem),
                arguments(mistralMessages, withSystem, mistralSystem),
                arguments("[INST] {{ .Prompt }}[/INST] ", prefilled,
                        "[INST] Hello friend![/INST] Hello human![INST] What is your name?[/INST] My name is Ollama and I"),
                arguments("{{- range $i, $m := .Messages }}{{- if eq .Role \"user\" }}[INST] {{ .Content }}[/INST] "
                                + "{{ else if eq .Role \"assistant\" }}{{ .Content }}{{ end }}{{- end }}", prefilled,
                        "[INST] Hello friend![/INST] Hello human![INST] What is your name?[/INST] My name is Ollama and I"),
                arguments("{{ if .System }}<|im_start|>system\n{{ .System }}<|im_end|>\n{{ end }}{{ if .Prompt }}<|im_start|>user\n"
                        + "{{ .Prompt }}<|im_end|>\n{{ end }}<|im_start|>assistant\n{{ .Response }}<|im_end|>\n", withSystem, chatml),
                arguments("{{- range $index, $_ := .Messages }}<|im_start|>{{ .Role }}\n{{ .Content }}<|im_end|>\n{{ end }}"
                        + "<|im_start|>assistant\n", withSystem, chatml));
    }

    @ParameterizedTest
    @MethodSource("sameConversationThreeWays")
    void legacyAndMessagesTemplatesRenderTheSameConversationAlike(String template, List<TemplateMessage> messages,
                                                                  String expected) {
        assertThat(render(template, messages)).isEqualTo(expected);
    }

    @Test
    void legacyCutDropsEverythingAfterTheFirstResponseField() {
        // the later command of the pipeline is cut away, which leaves it empty, so the whole action goes
        assertThat(render("A{{ .Prompt }}{{ .Response | printf \"%s\" }}B", List.of(user("hi")))).isEqualTo("Ahi");
        assertThat(render("A{{ .Prompt }}{{ .Response | printf \"%s\" }}B", List.of(user("hi"), assistant("yo"),
                user("again")))).isEqualTo("AhiyoBAagain");
        // Ollama crashes here (the else list is cut); the else branch is dropped instead
        assertThat(render("{{ if .Prompt }}{{ .Response }}x{{ else }}y{{ end }}z", List.of(user("hi")))).isEmpty();
    }

    @Test
    void fillInTheMiddleUsesPromptAndSuffix() {
        PromptTemplate template = PromptTemplate.parse(
                "{{- if .Suffix }}<PRE> {{ .Prompt }} <SUF>{{ .Suffix }} <MID>{{- else }}{{ .Prompt }}{{- end }}");
        assertThat(template.execute(PromptValues.fillInTheMiddle("def add(", "    return c")))
                .isEqualTo("<PRE> def add( <SUF>    return c <MID>");
        assertThat(template.execute(PromptValues.ofMessages(List.of(user("def add("))))).isEqualTo("def add(");
        assertThat(template.vars()).contains("suffix");
    }

    static Stream<Arguments> vars() {
        return Stream.of(
                arguments("{{ .Prompt }}", List.of("prompt", "response")),
                arguments("{{ .System }} {{ .Prompt }}", List.of("prompt", "response", "system")),
                arguments("{{ .System }} {{ .Prompt }} {{ .Response }}", List.of("prompt", "response", "system")),
                arguments("{{ with .Tools }}{{ . }}{{ end }} {{ .System }} {{ .Prompt }}",
                        List.of("prompt", "response", "system", "tools")),
                arguments("{{ range .Messages }}{{ .Role }} {{ .Content }}{{ end }}", List.of("content", "messages", "role")),
                arguments("{{ range .Messages }}{{ if eq .Role \"tool\" }}Tool Result: {{ .ToolName }} {{ .Content }}{{ end }}{{ end }}",
                        List.of("content", "messages", "role", "toolname")),
                arguments("{{- $system := \"\" }}{{ range $i, $_ := .Messages }}{{ $.System }}{{ end }}",
                        List.of("$", "messages", "system")), // declarations are not arguments: not listed
                arguments("{{ define \"t\" }}{{ .Suffix }}{{ end }}{{ .Prompt }}", List.of("prompt", "response", "suffix")));
    }

    @ParameterizedTest
    @MethodSource("vars")
    void varsListsEveryMentionedNameInLowerCase(String template, List<String> expected) {
        assertThat(PromptTemplate.parse(template).vars()).isEqualTo(expected);
    }

    @Test
    void parseRejectsTemplateCallsWithoutArgumentLikeOllama() {
        assertThatThrownBy(() -> PromptTemplate.parse("{{define \"x\"}}{{template \"x\"}}{{end}}{{template \"x\"}}"))
                .isInstanceOf(TemplateException.class).hasMessage("undefined template specified");
        assertThatThrownBy(() -> PromptTemplate.parse("{{ .Prompt ")).hasMessageContaining("unclosed action");
    }

    @Test
    void collateMergesConsecutiveRolesExceptToolsAndGathersSystem() {
        TemplateMessage weather = new TemplateMessage("tool", "sunny", null, null, null, "get_weather", null);
        TemplateMessage temperature = new TemplateMessage("tool", "72F", null, null, null, "get_temperature", null);
        PromptTemplate.Collated collated = PromptTemplate.collate(List.of(system("You are helpful"), system("Be brief"),
                user("Hello"), user("How are you?"), weather, temperature, user("Thanks")));
        assertThat(collated.system()).isEqualTo("You are helpful\n\nBe brief");
        assertThat(collated.messages()).extracting(TemplateMessage::Content)
                .containsExactly("You are helpful\n\nBe brief", "Hello\n\nHow are you?", "sunny", "72F", "Thanks");
        assertThat(collated.messages()).extracting(TemplateMessage::ToolName)
                .containsExactly("", "", "get_weather", "get_temperature", "");
    }

    @Test
    void messagesTemplateSeesSystemThinkValuesAndNilLists() {
        String template = "{{ .System }}|{{ range .Messages }}{{ .Role }}:{{ .Images }}{{ .ToolCalls }}{{ len .Images }};{{ end }}"
                + "{{ .Think }} {{ .ThinkLevel }} {{ .IsThinkSet }}";
        PromptValues values = new PromptValues(List.of(system("sys"), user("hi")), null, "", "", true, "high", true);
        assertThat(PromptTemplate.parse(template).execute(values)).isEqualTo("sys|system:[][]0;user:[][]0;true high true");
        assertThat(render("{{ .Messages }}|{{ json .Messages }}", List.of())).isEqualTo("[]|null");
        // messages are pointers to structs in Ollama: an action prints the struct, fmt the pointer
        assertThat(render("{{ range .Messages }}{{ . }}|{{ printf \"%v\" . }}{{ end }}", List.of(user("hi"))))
                .isEqualTo("{user hi  [] []  }|&{user hi  [] []  }");
        assertThat(render("{{ range .Messages }}{{ json . }}{{ end }}", List.of(user("hi")))).isEqualTo(
                "{\"Role\":\"user\",\"Content\":\"hi\",\"Thinking\":\"\",\"Images\":null,\"ToolCalls\":null,"
                        + "\"ToolName\":\"\",\"ToolCallID\":\"\"}");
    }

    private static List<TemplateTool> weatherTool() {
        Map<String, ToolProperty> properties = new LinkedHashMap<>();
        properties.put("unit", new ToolProperty(null, new ToolProperty.PropertyType(List.of("string", "null")), null,
                "", List.of("c", "f"), null, null));
        properties.put("location", new ToolProperty(null, ToolProperty.PropertyType.of("string"), null, "City name",
                null, null, null));
        TemplateTool.Parameters parameters = new TemplateTool.Parameters("object", null, null, List.of("location"),
                ToolProperties.of(properties));
        return List.of(new TemplateTool("function", null,
                new TemplateTool.Function("get_weather", "Get <weather>", parameters)));
    }

    @Test
    void toolsPrintAsJsonAndRangeByPropertyName() {
        String template = "{{ range .Messages }}{{ end }}{{ .Tools }}\n"
                + "{{ range .Tools }}{{ range $name, $p := .Function.Parameters.Properties }}"
                + "{{ $name }}:{{ $p.Type }}:{{ toTypeScriptType $p }};{{ end }}{{ end }}";
        PromptValues values = new PromptValues(List.of(user("hi")), weatherTool(), "", "", false, "", false);
        assertThat(PromptTemplate.parse(template).execute(values)).isEqualTo(
                "[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"description\":\"Get \\u003cweather\\u003e\","
                        + "\"parameters\":{\"type\":\"object\",\"required\":[\"location\"],\"properties\":{"
                        + "\"location\":{\"type\":\"string\",\"description\":\"City name\"},"
                        + "\"unit\":{\"type\":[\"string\",\"null\"],\"enum\":[\"c\",\"f\"]}}}}}]\n"
                        + "location:string:string;unit:[string null]:string | null;");
        assertThat(PromptTemplate.parse("{{ range .Messages }}{{ end }}{{ if .Tools }}T{{ else }}none{{ end }} {{ .Tools }} {{ json .Tools }}")
                .execute(PromptValues.ofMessages(List.of(user("hi"))))).isEqualTo("none null null");
        assertThat(PromptTemplate.parse("{{ .Messages }}{{ .Tools }}").vars()).contains("tools");
    }

    @Test
    void toolCallArgumentsPrintAsJsonAndRangeInKeyOrder() {
        Map<String, Object> arguments = new LinkedHashMap<>();
        arguments.put("days", 3.0);
        arguments.put("city", "Tokyo");
        TemplateMessage call = new TemplateMessage("assistant", "", null, null, List.of(new TemplateMessage.ToolCall("",
                new TemplateMessage.ToolCallFunction(0, "get_weather", new ToolCallArguments(arguments)))), null, null);
        String template = "{{ range .Messages }}{{ range .ToolCalls }}{{ .Function.Name }}({{ .Function.Arguments }})"
                + "{{ range $k, $v := .Function.Arguments }} {{ $k }}={{ $v }}{{ end }}{{ end }}{{ end }}";
        assertThat(render(template, List.of(user("weather?"), call)))
                .isEqualTo("get_weather({\"city\":\"Tokyo\",\"days\":3}) city=Tokyo days=3");
    }

    @Test
    void thinkingTagsAreTheTextAroundThinkingInsideTheMessagesRange() {
        PromptTemplate thinking = PromptTemplate.parse("{{- range .Messages }}{{ if eq .Role \"assistant\" }}"
                + "{{ if .Thinking }}<think>\n{{ .Thinking }}\n</think>{{ end }}{{ .Content }}{{ end }}{{ end }}");
        assertThat(thinking.thinkingTags()).isEqualTo(new PromptTemplate.ThinkingTags("<think>", "</think>"));
        assertThat(PromptTemplate.parse("{{ .Thinking }}{{ range .Messages }}{{ .Content }}{{ end }}").thinkingTags())
                .isEqualTo(new PromptTemplate.ThinkingTags("", ""));
    }

    @Test
    void ollamaDateFunctionsUseTheClock() {
        Clock clock = Clock.fixed(Instant.parse("2026-03-01T10:00:00Z"), ZoneOffset.UTC);
        GoTemplate template = GoTemplate.parse("", "{{ currentDate }} {{ yesterdayDate \"ignored\" }}",
                TemplateFunctions.ollama(clock));
        assertThat(template.execute(null)).isEqualTo("2026-03-01 2026-02-28");
    }
}
