package dev.jollama.server.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class TemplateRecognizerTest {

    /** Each line of Ollama's templates.jsonl pairs a Hugging Face Jinja template with the name it must map to. */
    @TestFactory
    Stream<DynamicTest> recognisesEveryJinjaTemplateOfTheTestData() throws IOException {
        Path dir = SharedReference.ollamaTemplates();
        TemplateRecognizer recognizer = TemplateRecognizer.load(dir);
        ObjectMapper json = new ObjectMapper();
        List<DynamicTest> tests = new ArrayList<>();
        List<String> lines = Files.readAllLines(dir.resolve("testdata").resolve("templates.jsonl"), StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            JsonNode line = json.readTree(lines.get(i));
            String expected = line.fieldNames().next();
            String jinja = line.get(expected).asText();
            tests.add(DynamicTest.dynamicTest("line " + (i + 1) + " " + expected, () -> {
                NamedTemplate named = recognizer.recognize(jinja).orElseThrow();
                assertThat(named.name()).isEqualTo(expected);
                assertThat(PromptTemplate.parse(named.template()).execute(
                        PromptValues.ofMessages(List.of(TemplateMessage.of("user", "hi"))))).contains("hi");
            }));
        }
        assertThat(tests).isNotEmpty();
        return tests.stream();
    }

    @Test
    void parametersLayerKeepsOnlyStopAsOllamaWritesIt() throws IOException {
        TemplateRecognizer recognizer = TemplateRecognizer.load(SharedReference.ollamaTemplates());
        String gemma3Jinja = new ObjectMapper().readTree(SharedReference.ollamaTemplates().resolve("index.json").toFile())
                .findParents("name").stream().filter(n -> n.get("name").asText().equals("gemma3-instruct"))
                .findFirst().orElseThrow().get("template").asText();
        NamedTemplate gemma3 = recognizer.recognize(gemma3Jinja).orElseThrow();
        assertThat(gemma3.parametersJson()).contains("temperature");
        assertThat(gemma3.parametersLayer()).contains("{\"stop\":[\"\\u003cend_of_turn\\u003e\"]}\n");
        assertThat(gemma3.stop()).containsExactly("<end_of_turn>");
    }

    @Test
    void unknownTemplatesAreNotRecognised() throws IOException {
        TemplateRecognizer recognizer = TemplateRecognizer.load(SharedReference.ollamaTemplates());
        assertThat(recognizer.recognize("{% for m in messages %}{{ m.content }}{% endfor %}")).isEmpty();
    }

    @Test
    void closestEntryWinsAndTiesGoToTheFirst() {
        NamedTemplate a = new NamedTemplate("a", "A", null);
        NamedTemplate b = new NamedTemplate("b", "B", null);
        TemplateRecognizer recognizer = new TemplateRecognizer(List.of(
                new TemplateRecognizer.IndexEntry("a", "abcdef"), new TemplateRecognizer.IndexEntry("b", "abcxyz"),
                new TemplateRecognizer.IndexEntry("b", "abcdeX")), Map.of("a", a, "b", b));
        assertThat(recognizer.recognize("abcdeY")).contains(a); // "abcdef" and "abcdeX" are both 1 away
        assertThat(recognizer.recognize("abcxyY")).contains(b);
        assertThat(a.parametersLayer()).isEmpty();
    }

    @Test
    void boundedDistanceIsLevenshteinInCodePointsCappedAtTheLimit() {
        assertThat(TemplateRecognizer.boundedDistance(cps("kitten"), cps("sitting"), 100)).isEqualTo(3);
        assertThat(TemplateRecognizer.boundedDistance(cps("kitten"), cps("sitting"), 2)).isEqualTo(2);
        assertThat(TemplateRecognizer.boundedDistance(cps("😀a"), cps("a"), 100)).isEqualTo(1);
        assertThat(TemplateRecognizer.boundedDistance(cps(""), cps("abc"), 100)).isEqualTo(3);
    }

    private static int[] cps(String s) {
        return s.codePoints().toArray();
    }
}
