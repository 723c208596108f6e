package dev.jollama.engine.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jollama.engine.gguf.GgufFile;
import dev.jollama.engine.model.Model;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The reference server's tokenization in {@code ../shared/golden/*.json}: each prompt, encoded with BOS and special
 * tokens parsed, gives {@code prompt_tokens} (which decode to the prompt when they are plain text); the generated
 * tokens decode, in one go after the prompt and streamed, to {@code generated_text}. The embedding goldens of
 * {@code ../shared/golden/embed} give each input's {@code tokens} the same way.
 */
class TokenizerGoldenTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TestFactory
    Stream<DynamicNode> everyGoldenFile() throws IOException {
        Path dir = TokenizerTestData.shared("golden");
        List<Path> goldens;
        try (Stream<Path> files = Files.list(dir)) {
            goldens = files.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
        }
        List<DynamicNode> containers = new ArrayList<>();
        for (Path golden : goldens) {
            JsonNode root = JSON.readTree(golden.toFile());
            Path modelFile = TokenizerTestData.shared("models/" + root.get("model").asText());
            Tokenizer tokenizer = TokenizerTestData.load(modelFile);
            String architecture;
            try (GgufFile file = GgufFile.open(modelFile)) {
                architecture = file.requireString("general.architecture");
            }
            // The tokenizers of families the engine does not run yet (issue 17) are checked when they arrive.
            boolean supported = Model.supportedArchitectures().contains(architecture);
            String skipped = modelFile.getFileName() + ": architecture '" + architecture + "' is not supported yet";
            List<DynamicTest> tests = new ArrayList<>();
            for (JsonNode c : root.get("cases")) {
                String prompt = c.get("prompt").asText();
                int[] promptTokens = ints(c.get("prompt_tokens"));
                int[] generated = ints(c.get("generated_tokens"));
                String generatedText = c.get("generated_text").asText();
                String label = prompt.length() > 30 ? prompt.substring(0, 30) + "..." : prompt;
                tests.add(DynamicTest.dynamicTest("prompt " + label, () -> {
                    Assumptions.assumeTrue(supported, skipped);
                    assertThat(tokenizer.encode(prompt, true, true)).containsExactly(promptTokens);
                    // Control tokens render as nothing (and phi3's take the newline after them), so only a prompt of
                    // plain text comes back whole.
                    boolean plainText = IntStream.of(promptTokens).skip(promptTokens[0] == tokenizer.bosToken() ? 1 : 0)
                            .noneMatch(tokenizer::isControl);
                    if (plainText) {
                        // Decoded as the start of a text: after BOS, which decoding takes as the mark of a start and
                        // a vocabulary without add_bos (gpt-oss) does not put there, so that its space prefix goes.
                        int[] fromStart = promptTokens[0] == tokenizer.bosToken() ? promptTokens
                                : IntStream.concat(IntStream.of(tokenizer.bosToken()), IntStream.of(promptTokens)).toArray();
                        assertThat(tokenizer.decode(fromStart)).isEqualTo(prompt);
                    }
                }));
                tests.add(DynamicTest.dynamicTest("generated after " + label, () -> {
                    Assumptions.assumeTrue(supported, skipped);
                    // Decoded as what it is, the continuation of the prompt: a generated BOS (olmo2's goldens have
                    // one) does not start a text whose space prefix decoding removes.
                    int[] all = IntStream.concat(IntStream.of(promptTokens), IntStream.of(generated)).toArray();
                    assertThat(tokenizer.decode(all)).isEqualTo(tokenizer.decode(promptTokens) + generatedText);
                    StreamingDecoder streaming = tokenizer.streamingDecoder();
                    StringBuilder streamed = new StringBuilder();
                    for (int token : generated) {
                        streamed.append(streaming.append(token));
                    }
                    assertThat(streamed.append(streaming.flush())).hasToString(generatedText);
                }));
            }
            containers.add(DynamicContainer.dynamicContainer(golden.getFileName().toString(), tests));
        }
        return containers.stream();
    }

    @TestFactory
    Stream<DynamicNode> everyEmbeddingGolden() throws IOException {
        Path dir = TokenizerTestData.shared("golden/embed");
        List<Path> goldens;
        try (Stream<Path> files = Files.list(dir)) {
            goldens = files.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
        }
        List<DynamicNode> containers = new ArrayList<>();
        for (Path golden : goldens) {
            JsonNode root = JSON.readTree(golden.toFile());
            Tokenizer tokenizer = TokenizerTestData.load(TokenizerTestData.shared("models/" + root.get("model").asText()));
            List<DynamicTest> tests = new ArrayList<>();
            for (JsonNode c : root.get("cases")) {
                String input = c.get("input").asText();
                int[] tokens = ints(c.get("tokens"));
                tests.add(DynamicTest.dynamicTest("input " + (input.length() > 30 ? input.substring(0, 30) + "..." : input),
                        () -> assertThat(tokenizer.encode(input, true, true)).containsExactly(tokens)));
            }
            containers.add(DynamicContainer.dynamicContainer(golden.getFileName().toString(), tests));
        }
        return containers.stream();
    }

    private static int[] ints(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).mapToInt(JsonNode::asInt).toArray();
    }
}
