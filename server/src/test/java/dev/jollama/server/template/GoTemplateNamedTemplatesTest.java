package dev.jollama.server.template;

import org.junit.jupiter.api.DynamicTest;
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

/** Every named Ollama template against Ollama's expected renderings, byte for byte. */
class GoTemplateNamedTemplatesTest {

    private static final TemplateMessage SYSTEM = TemplateMessage.of("system", "You are a helpful assistant.");
    private static final TemplateMessage USER = TemplateMessage.of("user", "Hello, how are you?");
    private static final TemplateMessage ASSISTANT =
            TemplateMessage.of("assistant", "I'm doing great. How can I help you today?");
    private static final TemplateMessage USER_AGAIN =
            TemplateMessage.of("user", "I'd like to show off how chat templating works!");

    /** The message lists of the cases, named by their roles as in Ollama's testdata. */
    private static final Map<String, List<TemplateMessage>> CASES = Map.of(
            "user", List.of(USER),
            "user-assistant-user", List.of(USER, ASSISTANT, USER_AGAIN),
            "system-user-assistant-user", List.of(SYSTEM, USER, ASSISTANT, USER_AGAIN));

    @TestFactory
    Stream<DynamicTest> everyTemplateRendersEveryCaseByteForByte() throws IOException {
        Path dir = SharedReference.ollamaTemplates();
        List<DynamicTest> tests = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(p -> p.toString().endsWith(".gotmpl")).sorted().toList()) {
                String name = file.getFileName().toString();
                PromptTemplate template = PromptTemplate.parse(Files.readString(file, StandardCharsets.UTF_8));
                try (Stream<Path> cases = Files.list(dir.resolve("testdata").resolve(name))) {
                    for (Path expectedFile : cases.sorted().toList()) {
                        String caseName = expectedFile.getFileName().toString();
                        tests.add(DynamicTest.dynamicTest(name + " " + caseName, () -> {
                            assertThat(CASES).as("message list of case %s", caseName).containsKey(caseName);
                            String rendered = template.execute(PromptValues.ofMessages(CASES.get(caseName)));
                            assertThat(rendered).isEqualTo(Files.readString(expectedFile, StandardCharsets.UTF_8));
                        }));
                    }
                }
            }
        }
        assertThat(tests).hasSizeGreaterThanOrEqualTo(3 * 19);
        return tests.stream();
    }
}
