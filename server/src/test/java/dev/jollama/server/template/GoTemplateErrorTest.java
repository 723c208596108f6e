package dev.jollama.server.template;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Parse and execution errors: Go's wording, located as NAME:LINE:COL (column in bytes from 0, as Go's execution
 * errors count it; Go's parse errors show the line only), execution errors naming the action.
 */
class GoTemplateErrorTest {

    private static final Map<String, Object> DATA = Map.of(
            "L", List.of("a", "b", "c"), "S", "str", "M", Map.of("x", 1L), "Msg", TemplateMessage.of("user", "hi"));

    static Stream<Arguments> parseErrors() {
        return Stream.of(
                arguments("{{ .Prompt ", "template: t:1:11: unclosed action"),
                arguments("{{ if true }}x", "template: t:1:14: unexpected EOF"),
                arguments("x{{ end }}", "template: t:1:8: unexpected {{end}}"),
                arguments("{{ else }}", "template: t:1:8: unexpected {{else}}"),
                arguments("{{ nofunc 1 }}", "template: t:1:3: function \"nofunc\" not defined"),
                arguments("{{ $x }}", "template: t:1:3: undefined variable \"$x\""),
                arguments("{{ range .L }}{{ $v := 1 }}{{ end }}{{ $v }}", "template: t:1:39: undefined variable \"$v\""),
                arguments("{{ break }}", "template: t:1:3: {{break}} outside {{range}}"),
                arguments("{{ .A | 1 }}", "template: t:1:8: non executable command in pipeline stage 2"),
                arguments("{{ }}", "template: t:1:3: missing value for command"),
                arguments("{{ if }}{{ end }}", "template: t:1:6: missing value for if"),
                arguments("{{ 'ab' }}", "template: t:1:3: malformed character constant: 'ab'"),
                arguments("{{ \"abc }}", "template: t:1:3: unterminated quoted string"),
                arguments("{{ /* a comment must follow the delimiter */ }}", "template: t:1:3: unexpected \"/\" in command"),
                arguments("{{/* c */ x }}", "template: t:1:2: comment ends before closing delimiter"),
                arguments("{{/* c ", "template: t:1:2: unclosed comment"),
                arguments("a\n{{ if\n .X }", "template: t:3:4: unexpected \"}\" in operand"),
                arguments("{{ ( .X }}", "template: t:1:8: unclosed left paren"),
                arguments("{{ 3x }}", "template: t:1:3: bad number syntax: \"3x\""),
                arguments("{{ range $i, $v, $w := . }}{{ end }}", "template: t:1:15: too many declarations in range"),
                arguments("{{ with .X }}{{ else if .Y }}{{ end }}", "template: t:1:21: unexpected <if> in input"),
                arguments("{{ \"a\".B }}", "template: t:1:3: unexpected . after term \"\\\"a\\\"\""),
                arguments("{{ template .X }}", "template: t:1:12: unexpected \".X\" in template clause"),
                arguments("{{ define \"a\" }}1{{ end }}{{ define \"a\" }}2{{ end }}",
                        "template: t:1:42: template: multiple definition of template \"a\""));
    }

    static Stream<Arguments> executionErrors() {
        return Stream.of(
                arguments("line1\nline2 {{ index .L 5 }}",
                        "template: t:2:9: executing \"t\" at <index .L 5>: error calling index: index out of range: 5"),
                arguments("{{ .S.B }}", "template: t:1:3: executing \"t\" at <.S.B>: can't evaluate field B in type string"),
                arguments("{{ .Msg.Nope }}", "template: t:1:3: executing \"t\" at <.Msg.Nope>: "
                        + "can't evaluate field Nope in type *template.TemplateMessage"),
                arguments("{{ len 3 }}", "template: t:1:3: executing \"t\" at <len 3>: error calling len: len of type int"),
                arguments("{{ lt 1 \"a\" }}", "template: t:1:3: executing \"t\" at <lt 1 \"a\">: "
                        + "error calling lt: incompatible types for comparison"),
                arguments("{{ eq 1 1.0 }}", "template: t:1:3: executing \"t\" at <eq 1 1.0>: "
                        + "error calling eq: incompatible types for comparison"),
                arguments("{{ eq }}", "template: t:1:3: executing \"t\" at <eq>: wrong number of args for eq: want at least 1 got 0"),
                arguments("{{ not 1 2 }}", "template: t:1:3: executing \"t\" at <not>: wrong number of args for not: want 1 got 2"),
                arguments("{{ template \"nope\" }}",
                        "template: t:1:12: executing \"t\" at <{{template \"nope\"}}>: template \"nope\" not defined"),
                arguments("{{ range 3.5 }}{{ end }}", "template: t:1:9: executing \"t\" at <3.5>: range can't iterate over 3.5"),
                arguments("{{ range $i, $v := 3 }}{{ end }}",
                        "template: t:1:19: executing \"t\" at <3>: can't use 3 to iterate over more than one variable"),
                arguments("{{ nil }}", "template: t:1:3: executing \"t\" at <nil>: nil is not a command"),
                arguments("{{ 1 2 }}", "template: t:1:3: executing \"t\" at <1>: can't give argument to non-function 1"),
                arguments("{{ .M.x 1 }}", "template: t:1:3: executing \"t\" at <.M.x>: x is not a method but has arguments"),
                arguments("{{ slice .L 2 1 }}", "template: t:1:3: executing \"t\" at <slice .L 2 1>: "
                        + "error calling slice: invalid slice index: 2 > 1"),
                arguments("{{ printf 1 }}", "template: t:1:3: executing \"t\" at <printf 1>: "
                        + "error calling printf: wrong type for value; expected string; got int"),
                arguments("{{ index .M 1 }}", "template: t:1:3: executing \"t\" at <index .M 1>: "
                        + "error calling index: value has type int; should be string"),
                arguments("{{ define \"T\" }}{{ .X.Y }}{{ end }}{{ template \"T\" \"s\" }}",
                        "template: t:1:19: executing \"T\" at <.X.Y>: can't evaluate field X in type string"),
                arguments("é {{ .S.B }}", // columns count UTF-8 bytes, as Go's do
                        "template: t:1:6: executing \"t\" at <.S.B>: can't evaluate field B in type string"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("parseErrors")
    void parseErrorsSayWhatAndWhere(String template, String message) {
        assertThatThrownBy(() -> GoTemplate.parse("t", template, TemplateFunctions.ollama()))
                .isInstanceOf(TemplateException.class).hasMessage(message);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("executionErrors")
    void executionErrorsNameTheAction(String template, String message) {
        GoTemplate parsed = GoTemplate.parse("t", template, TemplateFunctions.ollama());
        assertThatThrownBy(() -> parsed.execute(DATA)).isInstanceOf(TemplateException.class).hasMessage(message);
    }
}
