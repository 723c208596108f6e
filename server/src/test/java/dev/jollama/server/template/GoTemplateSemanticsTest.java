package dev.jollama.server.template;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** Go text/template semantics, one case per row: template, data, expected output as Go renders it. */
class GoTemplateSemanticsTest {

    static Map<String, Object> data(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    static List<Object> list(Object... values) {
        return Arrays.asList(values);
    }

    static Stream<Arguments> cases() {
        Map<String, Object> abc = data("L", list("a", "b", "c"), "M", data("b", 2L, "a", 1L), "S", "héllo");
        return Stream.of(
                // trim markers and comments
                arguments("a  {{- 1 -}}  b", null, "a1b"),
                arguments("a {{- 1}} b", null, "a1 b"),
                arguments("a\n\t {{- \"x\" }}\n", null, "ax\n"),
                arguments("{{ 3 -}} \n y", null, "3y"),
                arguments("{{-3}}", null, "-3"),
                arguments("a {{/* note */}} b", null, "a  b"),
                arguments("a {{- /* note */ -}} \n b", null, "ab"),
                arguments("{{ if\n  true }}newline inside an action{{ end }}", null, "newline inside an action"),
                // if / else if / else
                arguments("{{ if .A }}a{{ else if .B }}b{{ else }}c{{ end }}", data("A", false, "B", "yes"), "b"),
                arguments("{{ if .A }}a{{ else if .B }}b{{ else }}c{{ end }}", data("A", 0L, "B", ""), "c"),
                arguments("{{ if .A }}a{{ else if .B }}b{{ else }}c{{ end }}", data("A", list(1L), "B", true), "a"),
                // truth
                arguments("{{ if .V }}T{{ else }}F{{ end }}", data("V", ""), "F"),
                arguments("{{ if .V }}T{{ else }}F{{ end }}", data("V", 0.0), "F"),
                arguments("{{ if .V }}T{{ else }}F{{ end }}", data("V", List.of()), "F"),
                arguments("{{ if .V }}T{{ else }}F{{ end }}", data("V", Map.of()), "F"),
                arguments("{{ if .V }}T{{ else }}F{{ end }}", data(), "F"),
                arguments("{{ if .V }}T{{ else }}F{{ end }}", data("V", Map.of("k", 1L)), "T"),
                arguments("{{ if .V }}T{{ else }}F{{ end }}", data("V", TemplateMessage.of("user", "")), "T"),
                // range
                arguments("{{ range $i, $v := .L }}{{ $i }}={{ $v }};{{ end }}", abc, "0=a;1=b;2=c;"),
                arguments("{{ range $k, $v := .M }}{{ $k }}={{ $v }};{{ end }}", abc, "a=1;b=2;"),
                arguments("{{ range .M }}{{ . }}{{ end }}", abc, "12"),
                arguments("{{ range .L }}x{{ else }}empty{{ end }}", data("L", List.of()), "empty"),
                arguments("{{ range .Missing }}x{{ else }}none{{ end }}", data(), "none"),
                arguments("{{ range . }}{{ if eq . 2 }}{{ continue }}{{ end }}{{ if eq . 4 }}{{ break }}{{ end }}{{ . }}{{ end }}",
                        list(1L, 2L, 3L, 4L, 5L), "13"),
                arguments("{{ range .L }}{{ range . }}{{ if eq . 2 }}{{ break }}{{ end }}{{ . }}{{ end }}|{{ end }}",
                        data("L", list(list(1L, 2L, 3L), list(4L))), "1|4|"),
                arguments("{{ range 3 }}{{ . }}{{ end }}", null, "012"),
                arguments("{{ range $i := 3 }}{{ $i }}{{ end }}", null, "012"),
                arguments("{{ range 0 }}x{{ else }}no iterations{{ end }}", null, "no iterations"),
                // variables
                arguments("{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ end }}{{ $x }}", null, "2"),
                arguments("{{ $x := 1 }}{{ if true }}{{ $x := 2 }}{{ $x }}{{ end }}{{ $x }}", null, "21"),
                arguments("{{ $s := \"\" }}{{ range .L }}{{ $s = printf \"%s%s\" $s . }}{{ end }}{{ $s }}", abc, "abc"),
                arguments("{{ range .L }}{{ $.S }}{{ . }} {{ end }}", abc, "hélloa héllob hélloc "),
                arguments("{{ with $x := .S }}{{ $x }}{{ end }}", abc, "héllo"),
                arguments("{{ $v := 0 }}{{ range $v = .L }}{{ end }}{{ $v }}", abc, "c"),
                // and / or return an operand and stop at the deciding one
                arguments("{{ and 1 0 2 }}", null, "0"),
                arguments("{{ and 1 2 }}", null, "2"),
                arguments("{{ or 0 \"\" \"x\" }}", null, "x"),
                arguments("{{ or 0 \"\" }}", null, ""),
                arguments("{{ and .A (index .Missing 0) }}", data("A", false), "false"),
                arguments("{{ or .B (index .Missing 0) }}", data("B", "b"), "b"),
                arguments("{{ 0 | and 1 }}", null, "0"),
                arguments("{{ not .A }} {{ not 1 }}", data("A", ""), "true false"),
                // comparisons
                arguments("{{ eq .R \"a\" \"b\" \"c\" }}", data("R", "c"), "true"),
                arguments("{{ eq .R \"a\" \"b\" \"c\" }}", data("R", "d"), "false"),
                arguments("{{ eq 1 1 }} {{ ne \"a\" \"b\" }} {{ lt 1 2 }} {{ le 2 2 }} {{ gt \"b\" \"a\" }} {{ ge 1.5 2.5 }}",
                        null, "true true true true true false"),
                arguments("{{ eq .Missing nil }} {{ eq .I 3 }}", data("I", 3), "true true"),
                // len, index, slice
                arguments("{{ len .L }} {{ len .S }} {{ len .M }}", abc, "3 6 2"),
                arguments("{{ index .L 1 }} {{ index .M \"a\" }} {{ index .M \"zz\" }}", abc, "b 1 <no value>"),
                arguments("{{ index .N 1 0 }}", data("N", list(list(1L), list(2L, 3L))), "2"),
                arguments("{{ index .S 1 }}", abc, "195"),
                arguments("{{ slice .L 1 }} {{ slice .L 1 2 }} {{ slice .L }} {{ slice \"hello\" 1 3 }}", abc,
                        "[b c] [b] [a b c] el"),
                arguments("{{ len (slice $.L 1) }}", abc, "2"),
                // printing values
                arguments("{{ .L }} {{ .M }} {{ .Missing }} {{ .Missing.Deeper }}", abc,
                        "[a b c] map[a:1 b:2] <no value> <no value>"),
                arguments("{{ .L }}", data("L", list("x", null)), "[x <nil>]"),
                arguments("{{ 3.0 }} {{ 1e6 }} {{ 0.1 }} {{ 123456.0 }} {{ 1234567.0 }} {{ true }} {{ 0x1F }} {{ 'a' }}",
                        null, "3 1e+06 0.1 123456 1.234567e+06 true 31 97"),
                arguments("{{ \"\\x41\\u00e9\\t|\" }}{{ `raw\\n` }}", null, "Aé\t|raw\\n"),
                arguments("{{ . }}", null, "<no value>"),
                // print, println, printf
                arguments("{{ print 1 2 \"a\" \"b\" 3 }}|{{ println 1 \"a\" }}|", null, "1 2ab3|1 a\n|"),
                arguments("{{ print .Missing }} {{ printf \"%v\" nil }}", data(), "<nil> <nil>"),
                arguments("{{ printf \"%s|%d|%q|%v\" \"a\" 42 \"q\\\"x\" .L }}", abc, "a|42|\"q\\\"x\"|[a b c]"),
                arguments("{{ printf \"%5.2f|%-4d|%04d|%x|%X|%t|%c|%e|%g\" 3.14159 7 42 255 255 true 65 1234.5678 0.000012345 }}",
                        null, " 3.14|7   |0042|ff|FF|true|A|1.234568e+03|1.2345e-05"),
                arguments("{{ printf \"%v %v %v %v %.1f %.2f\" 1.0 1e6 123456.0 1e21 0.25 1.005 }}", null,
                        "1 1e+06 123456 1e+21 0.2 1.00"),
                arguments("{{ printf \"%d\" \"x\" }}|{{ printf \"%s\" }}|{{ printf \"a\" 1 }}", null,
                        "%!d(string=x)|%!s(MISSING)|a%!(EXTRA int=1)"),
                arguments("{{ printf \"%6s|%-6s|%.2s|%q|%x|%T\" \"ab\" \"ab\" \"héllo\" 'x' \"hi\" 1.5 }}", null,
                        "    ab|ab    |hé|'x'|6869|float64"),
                arguments("{{ printf \"%+d %+.1e %08.3f %%\" 5 12345.678 -3.14159 }}", null, "+5 +1.2e+04 -003.142 %"),
                arguments("{{ \"output\" | printf \"%q\" }}", null, "\"output\""),
                // widths and precisions beyond Go's bound (1e6) are refused as Go's fmt refuses them
                arguments("{{ printf \"%*d|%.*d|%.*d|%-*d|\" 2000000000 1 2000000000 2 -1 3 -3 4 }}", null,
                        "%!(BADWIDTH)1|%!(BADPREC)2|%!(BADPREC)3|4  |"),
                arguments("{{ printf \"%99999999999d\" 1 }}|{{ printf \"%.99999999999d\" 1 }}", null,
                        "%!(NOVERB)%!(EXTRA int=1)|%!(NOVERB)%!(EXTRA int=1)"),
                arguments("{{ printf \"%.3g|%g|%e|%v|%.0f|%.0f|%v\" 1234.5678 100000.0 0.0 -0.0 0.5 1.5 .F }}",
                        data("F", 0.1f), "1.23e+03|100000|0.000000e+00|-0|0|2|0.1"),
                // json
                arguments("{{ json .S }}", data("S", "<a href=\"x\">&\n\t\u2028é"),
                        "\"\\u003ca href=\\\"x\\\"\\u003e\\u0026\\n\\t\\u2028é\""),
                arguments("{{ json . }}", data("b", 1L, "a", list(true, null, 1.5, 1e21, 1e-7, 100.0)),
                        "{\"a\":[true,null,1.5,1e+21,1e-7,100],\"b\":1}"),
                arguments("{{ json .Missing }} {{ json .L }}", data("L", List.of()), "null []"),
                // with
                arguments("{{ with .A }}{{ . }}{{ else with .B }}b:{{ . }}{{ else }}none{{ end }}", data("A", "a"), "a"),
                arguments("{{ with .A }}{{ . }}{{ else with .B }}b:{{ . }}{{ else }}none{{ end }}", data("B", "x"), "b:x"),
                arguments("{{ with .A }}{{ . }}{{ else with .B }}b:{{ . }}{{ else }}none{{ end }}", data(), "none"),
                arguments("{{ with .O }}{{ with .I }}{{ . }}{{ end }}{{ end }}", data("O", data("I", "deep")), "deep"),
                // define, template, block
                arguments("{{ define \"T\" }}[{{ . }}]{{ end }}{{ template \"T\" \"x\" }}{{ block \"B\" 1 }}<{{ . }}>{{ end }}",
                        null, "[x]<1>"),
                arguments("{{ define \"T\" }}{{ $ }}{{ end }}{{ $y := 5 }}{{ template \"T\" .A }}", data("A", "only-dot"),
                        "only-dot"),
                // escaping functions
                arguments("{{ html \"<a&'\\\"\" }} {{ js \"a'b<=\" }} {{ urlquery \"a b&c/é\" }}", null,
                        "&lt;a&amp;&#39;&#34; a\\'b\\u003C\\u003D a+b%26c%2F%C3%A9"),
                arguments("{{ html .Missing }}", data(), "&lt;no value&gt;")
        );
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rendersAsGo(String template, Object data, String expected) {
        assertThat(GoTemplate.parse("t", template, TemplateFunctions.ollama()).execute(data)).isEqualTo(expected);
    }
}
