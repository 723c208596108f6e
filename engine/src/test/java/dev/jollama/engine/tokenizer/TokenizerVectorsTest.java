package dev.jollama.engine.tokenizer;

import dev.jollama.engine.gguf.GgufFormatException;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * llama.cpp's tokenizer test vectors: for each {@code ggml-vocab-*.gguf} with {@code .inp}/{@code .out} files, every
 * input must tokenize (add_special=false, parse_special=false) to exactly the expected ids, and decode back to
 * itself (WordPiece: to text with the same ids). Vocabularies without vectors are only round-tripped; those we
 * cannot load are printed with the reason.
 */
class TokenizerVectorsTest {
    private static final String SEPARATOR = "\n__ggml_vocab_test__\n";
    private static final List<String> MUST_PASS = List.of("llama-spm", "phi-3", "gpt-2", "deepseek-coder", "deepseek-llm",
            "falcon", "gpt-neox", "mpt", "refact", "starcoder", "bert-bge");

    private record Case(int index, String input, int[] expected) {
    }

    @TestFactory
    Stream<DynamicNode> everyVocabularyWithVectors() throws IOException {
        Map<String, String> notRun = new LinkedHashMap<>();
        Map<String, Tokenizer> withoutVectors = new LinkedHashMap<>();
        List<String> sharedInputs = List.of();
        List<DynamicNode> containers = new ArrayList<>();
        for (Path gguf : vocabularies()) {
            String name = nameOf(gguf);
            Tokenizer tokenizer;
            try {
                long started = System.nanoTime();
                tokenizer = TokenizerTestData.load(gguf);
                System.out.printf("loaded %s (%d tokens) in %d ms%n", name, tokenizer.vocabularySize(), (System.nanoTime() - started) / 1_000_000);
            } catch (GgufFormatException e) {
                notRun.put(name, e.getMessage());
                continue;
            }
            Path inp = gguf.resolveSibling(gguf.getFileName() + ".inp");
            Path out = gguf.resolveSibling(gguf.getFileName() + ".out");
            if (!Files.exists(inp) || !Files.exists(out)) {
                withoutVectors.put(name, tokenizer);
                continue;
            }
            List<Case> cases = readCases(inp, out);
            sharedInputs = cases.stream().map(Case::input).toList();
            containers.add(DynamicContainer.dynamicContainer(name, cases.stream().map(c -> DynamicTest.dynamicTest(
                    "#" + c.index() + " " + printable(c.input()), () -> {
                        assertThat(tokenizer.encode(c.input(), false, false)).as("ids of %s", printable(c.input())).containsExactly(c.expected());
                        assertRoundTrip(tokenizer, c.input());
                    }))));
        }
        // vocabularies without vectors of their own: at least the other vocabularies' inputs must decode back to themselves
        for (Map.Entry<String, Tokenizer> vocabulary : withoutVectors.entrySet()) {
            System.out.println("no test vectors for " + vocabulary.getKey() + ": only checking that the other vocabularies' inputs decode back to themselves");
            containers.add(DynamicContainer.dynamicContainer(vocabulary.getKey() + " (round trip only)", sharedInputs.stream().map(input ->
                    DynamicTest.dynamicTest(printable(input), () -> assertRoundTrip(vocabulary.getValue(), input)))));
        }
        notRun.forEach((name, reason) -> System.out.println("not run: " + name + ": " + reason));
        assertThat(notRun.keySet()).as("must-pass vocabularies that could not be loaded").doesNotContainAnyElementsOf(MUST_PASS);
        return containers.stream();
    }

    /**
     * The decoded ids are the input again; WordPiece normalises the text it encodes, so there the decoded text must
     * encode to the same ids, less the unknown tokens (which decode to nothing).
     */
    private static void assertRoundTrip(Tokenizer tokenizer, String input) {
        int[] ids = tokenizer.encode(input, true, false);
        String decoded = tokenizer.decode(ids);
        if (tokenizer instanceof WordPieceTokenizer wordPiece) {
            int unknown = wordPiece.vocabulary.unknown();
            assertThat(tokenizer.encode(decoded, true, false)).as("ids of the decoded %s", printable(decoded))
                    .containsExactly(IntStream.of(ids).filter(id -> id != unknown).toArray());
        } else {
            assertThat(decoded).isEqualTo(input);
        }
    }

    private static List<Path> vocabularies() throws IOException {
        Path dir = TokenizerTestData.shared("tokenizer");
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().matches("ggml-vocab-.*\\.gguf")).sorted().toList();
        }
    }

    private static String nameOf(Path gguf) {
        String file = gguf.getFileName().toString();
        return file.substring("ggml-vocab-".length(), file.length() - ".gguf".length());
    }

    /** Each input ends with the separator line; the .out file has one line of ids per input. */
    private static List<Case> readCases(Path inp, Path out) throws IOException {
        String raw = Files.readString(inp, StandardCharsets.UTF_8);
        assertThat(raw).as("%s ends with the separator", inp).endsWith(SEPARATOR);
        String[] inputs = raw.substring(0, raw.length() - SEPARATOR.length()).split(Pattern.quote(SEPARATOR), -1);
        List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
        assertThat(lines).as("lines of %s", out).hasSize(inputs.length);
        List<Case> cases = new ArrayList<>();
        for (int i = 0; i < inputs.length; i++) {
            String line = lines.get(i).trim();
            int[] ids = line.isEmpty() ? new int[0] : Arrays.stream(line.split("\\s+")).mapToInt(Integer::parseInt).toArray();
            cases.add(new Case(i, inputs[i], ids));
        }
        return cases;
    }

    private static String printable(String s) {
        String escaped = s.replace("\n", "\\n").replace("\t", "\\t");
        return "'" + (escaped.length() > 40 ? escaped.substring(0, 40) + "..." : escaped) + "'";
    }
}
