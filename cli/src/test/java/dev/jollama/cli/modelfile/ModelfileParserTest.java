package dev.jollama.cli.modelfile;

import dev.jollama.client.Message;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Modelfile text to a Modelfile, or to the error naming the line. */
class ModelfileParserTest {

    private static Modelfile modelfile(String from, String template, String system, Map<String, Object> parameters,
            List<Message> messages, List<String> licenses) {
        return new Modelfile(from, null, template, system, parameters, messages, licenses, List.of());
    }

    private static Message message(String role, String content) {
        return new Message(role, content, null, null, null, null);
    }

    static Stream<Arguments> validFiles() {
        return Stream.of(
                Arguments.of("FROM only", "FROM llama3.2\n",
                        modelfile("llama3.2", null, null, Map.of(), List.of(), List.of())),
                Arguments.of("any case, comments and blank lines", """
                        # a comment
                        from ./model.gguf

                          # an indented comment
                        System You are Mario.
                        template {{ .Prompt }}
                        """,
                        modelfile("./model.gguf", "{{ .Prompt }}", "You are Mario.", Map.of(), List.of(), List.of())),
                Arguments.of("triple-quoted values across lines, kept verbatim", """
                        FROM m
                        TEMPLATE \"""{{ if .System }}{{ .System }}
                        {{ end }}{{ .Prompt }}\"""
                        SYSTEM \"""
                          Two lines,
                          with "quotes".
                        \"""
                        """,
                        modelfile("m", "{{ if .System }}{{ .System }}\n{{ end }}{{ .Prompt }}",
                                "\n  Two lines,\n  with \"quotes\".\n", Map.of(), List.of(), List.of())),
                Arguments.of("triple quotes on one line, double and single quotes", """
                        FROM m
                        SYSTEM \"""one line\"""
                        TEMPLATE "a "quoted" {{ .Prompt }}"
                        LICENSE 'MIT'
                        """,
                        modelfile("m", "a \"quoted\" {{ .Prompt }}", "one line", Map.of(), List.of(), List.of("MIT"))),
                Arguments.of("a double-quoted value across lines", "FROM m\nSYSTEM \"first\nsecond\"\n",
                        modelfile("m", null, "first\nsecond", Map.of(), List.of(), List.of())),
                Arguments.of("typed parameters; stop lines build a list", """
                        FROM m
                        PARAMETER temperature 0
                        PARAMETER num_predict 12
                        PARAMETER stop <|im_end|>
                        PARAMETER top_p .9
                        PARAMETER stop "User:"
                        PARAMETER use_mmap false
                        PARAMETER seed -1
                        PARAMETER repeat_penalty 1e0
                        """,
                        modelfile("m", null, null, Map.of("temperature", 0.0, "num_predict", 12L,
                                "stop", List.of("<|im_end|>", "User:"), "top_p", 0.9, "use_mmap", false, "seed", -1L,
                                "repeat_penalty", 1.0), List.of(), List.of())),
                Arguments.of("messages and licenses in order", """
                        FROM m
                        MESSAGE user Is Toronto in Canada?
                        MESSAGE assistant \"""yes\"""
                        LICENSE first
                        LICENSE \"""second
                        license\"""
                        """,
                        modelfile("m", null, null, Map.of(),
                                List.of(message("user", "Is Toronto in Canada?"), message("assistant", "yes")),
                                List.of("first", "second\nlicense"))),
                Arguments.of("the last TEMPLATE and SYSTEM win", "FROM m\nSYSTEM a\nSYSTEM b\nTEMPLATE x\nTEMPLATE y",
                        modelfile("m", "y", "b", Map.of(), List.of(), List.of())),
                Arguments.of("CRLF line ends and a byte order mark", "\uFEFFFROM m\r\nSYSTEM \"\"\"a\r\nb\"\"\"\r\n",
                        modelfile("m", null, "a\nb", Map.of(), List.of(), List.of())),
                Arguments.of("an empty quoted TEMPLATE", "FROM m\nTEMPLATE \"\"\"\"\"\"\n",
                        modelfile("m", "", null, Map.of(), List.of(), List.of())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validFiles")
    void parses(String name, String text, Modelfile expected) {
        assertThat(ModelfileParser.parse(text)).isEqualTo(expected);
    }

    static Stream<Arguments> invalidFiles() {
        return Stream.of(
                Arguments.of("FROM m\n\nFORM x\n", 3, "line 3: unknown instruction \"FORM\""),
                Arguments.of("FROM m\nPARAMETER-x 1\n", 2, "line 2: unknown instruction \"PARAMETER-x\""),
                Arguments.of("FROM m\n# fine\n\n\nPARAMETER temprature 0.7\n", 5,
                        "line 5: unknown parameter 'temprature'"),
                Arguments.of("FROM m\nPARAMETER temperature hot\n", 2,
                        "line 2: invalid float value \"hot\" for parameter temperature"),
                Arguments.of("FROM m\nPARAMETER num_ctx 2048.5\n", 2,
                        "line 2: invalid int value \"2048.5\" for parameter num_ctx"),
                Arguments.of("FROM m\nPARAMETER seed 99999999999999999999\n", 2,
                        "line 2: invalid int value \"99999999999999999999\" for parameter seed"),
                Arguments.of("FROM m\nPARAMETER use_mmap maybe\n", 2,
                        "line 2: invalid bool value \"maybe\" for parameter use_mmap"),
                Arguments.of("FROM m\nPARAMETER num_ctx\n", 2, "line 2: PARAMETER num_ctx needs a value"),
                Arguments.of("FROM m\nPARAMETER\n", 2, "line 2: PARAMETER needs a value"),
                Arguments.of("FROM m\nPARAMETER \"num_ctx\" 1\n", 2,
                        "line 2: PARAMETER needs a name and a value, got \"\"num_ctx\" 1\""),
                Arguments.of("FROM m\nMESSAGE bot hello\n", 2,
                        "line 2: message role must be one of \"system\", \"user\", or \"assistant\", got \"bot\""),
                Arguments.of("FROM m\nMESSAGE user\n", 2, "line 2: MESSAGE user needs a text"),
                Arguments.of("FROM\n", 1, "line 1: FROM needs a value"),
                Arguments.of("FROM \"\"\n", 1, "line 1: FROM needs a value"),
                Arguments.of("FROM a\nFROM b\nFROM c\n", 3, "line 3: a third FROM: a model is made from one model file and at most one projector file"),
                Arguments.of("FROM m\nADAPTER ./lora.gguf\n", 2,
                        "line 2: ADAPTER is not supported by jollama (it cannot apply LoRA adapters)"),
                Arguments.of("FROM m\nrenderer qwen3\n", 2, "line 2: RENDERER is not supported by jollama"),
                Arguments.of("FROM m\nTEMPLATE \"\"\"{{ .Prompt }}\n\nmore\n", 2,
                        "line 2: missing closing \"\"\" for the value opened here"),
                Arguments.of("FROM m\nSYSTEM \"\"\"a\nb\"\"\" extra\n", 3,
                        "line 3: unexpected text after the closing \"\"\": extra"),
                Arguments.of("FROM m\nSYSTEM \"unclosed\nstill\n", 2,
                        "line 2: missing closing \" for the value opened here"),
                Arguments.of("FROM m\nLICENSE 'MIT\n", 2, "line 2: missing closing ' in 'MIT"),
                Arguments.of("# nothing but a comment\nSYSTEM hi\n", 0,
                        "no FROM line: a Modelfile needs FROM with a model name or a GGUF file"));
    }

    @ParameterizedTest(name = "{2}")
    @MethodSource("invalidFiles")
    void namesTheLineOfTheProblem(String text, int line, String message) {
        assertThatThrownBy(() -> ModelfileParser.parse(text)).isInstanceOfSatisfying(ModelfileException.class,
                e -> assertThat(e.line()).isEqualTo(line)).hasMessage(message);
    }

    @Test
    void deprecatedParametersAreIgnoredWithAWarning() {
        Modelfile m = ModelfileParser.parse("FROM m\nPARAMETER mirostat 2\nPARAMETER top_k 20\n");
        assertThat(m.parameters()).isEqualTo(Map.of("top_k", 20L));
        assertThat(m.warnings()).containsExactly("line 2: parameter mirostat is deprecated and ignored");
    }

    @Test
    void fromIsAFileRelativeToTheModelfileFolderWhenOneExists(@TempDir Path folder) throws IOException {
        Path gguf = Files.createDirectories(folder.resolve("models")).resolve("tiny.gguf");
        Files.write(gguf, new byte[] {1});
        assertThat(ModelfileParser.parse("FROM models/tiny.gguf").fromFile(folder)).contains(gguf);
        assertThat(ModelfileParser.parse("FROM ./models/../models/tiny.gguf").fromFile(folder)).contains(gguf);
        assertThat(ModelfileParser.parse("FROM " + gguf).fromFile(Path.of("elsewhere"))).contains(gguf);
        assertThat(ModelfileParser.parse("FROM llama3.2").fromFile(folder)).isEmpty();
        assertThat(ModelfileParser.parse("FROM missing.gguf").fromFile(folder)).isEmpty();
        Modelfile vision = ModelfileParser.parse("FROM models/tiny.gguf\nFROM " + gguf);
        assertThat(vision.from()).isEqualTo("models/tiny.gguf");
        assertThat(vision.projectorFile(folder)).contains(gguf);
    }
}
