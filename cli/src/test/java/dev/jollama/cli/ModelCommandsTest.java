package dev.jollama.cli;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** list, show, cp, rm, ps, stop and create against a real server, run in-process as a user runs them. */
class ModelCommandsTest {
    private static TestServer server;

    @BeforeAll
    static void start() throws IOException {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** Jollama's own version, beside the Ollama API version its server reports at /api/version. */
    @Test
    void versionNamesJollamaAndTheOllamaApi() {
        assertThat(server.run("--version").out()).isEqualTo("jollama 0.1.0 (Ollama API 0.32.15)\n");
    }

    /** One damaged model does not break the list of the others; asking for it says it is damaged. */
    @Test
    void aDamagedModelIsLeftOutOfTheList() throws IOException {
        Path manifest = server.models.resolve("manifests/registry.ollama.ai/library/damaged/latest");
        Files.createDirectories(manifest.getParent());
        Files.writeString(manifest, "{\"schemaVersion\":2,\"layers\":[");
        try {
            TestServer.Outcome list = server.run("list");
            assertThat(list.exitCode()).isZero();
            assertThat(list.out()).contains("stories:latest").doesNotContain("damaged");
            TestServer.Outcome show = server.run("show", "damaged");
            assertThat(show.exitCode()).isEqualTo(1);
            assertThat(show.err()).startsWith("Error: model damaged:latest is damaged: ");
        } finally {
            Files.delete(manifest);
        }
    }

    @Test
    void listShowsATableWithShortDigestHumanSizeAndAge() {
        TestServer.Outcome o = server.run("list");
        assertThat(o.exitCode()).isZero();
        assertThat(o.out().lines().findFirst()).hasValue("NAME              ID              SIZE      MODIFIED");
        assertThat(o.out()).containsPattern("(?m)^stories:latest    [0-9a-f]{12}    1\\.2 MB    (Less than a second|\\d+ seconds?) ago$");
        assertThat(server.run("ls").out()).isEqualTo(o.out());
        assertThat(server.run("list", "nothing-like-it").out()).isEqualTo("NAME    ID    SIZE    MODIFIED\n");
    }

    @Test
    void showSummarisesTheModel() {
        TestServer.Outcome o = server.run("show", "stories");
        assertThat(o.exitCode()).isZero();
        assertThat(o.out()).isEqualTo("""
                  Model
                    architecture        llama
                    parameters          292.8K
                    context length      2048
                    embedding length    64
                    quantization        F32

                  Capabilities
                    completion

                """);
    }

    @Test
    void showVerboseAddsTheMetadataWithArraysCutShort() {
        String out = server.run("show", "stories", "--verbose").out();
        assertThat(out).contains("  Metadata\n", "    llama.block_count                         5\n",
                "    llama.attention.layer_norm_rms_epsilon    1e-05\n",
                "    tokenizer.ggml.tokens                     [<unk> ...+511 more]\n");
    }

    @Test
    void showFlagsPrintOnePart(@TempDir Path folder) throws IOException {
        createFromModelfile(folder, "parts", """
                FROM %s
                TEMPLATE "{{ .System }} {{ .Prompt }}"
                SYSTEM You tell stories.
                PARAMETER temperature 0.5
                PARAMETER stop END
                LICENSE MIT
                """.formatted(TestServer.stories260K()));
        assertThat(server.run("show", "parts", "--template").out()).isEqualTo("{{ .System }} {{ .Prompt }}");
        assertThat(server.run("show", "parts", "--system").out()).isEqualTo("You tell stories.");
        assertThat(server.run("show", "parts", "--license").out()).isEqualTo("MIT\n");
        assertThat(server.run("show", "parts", "--parameters").out()).containsPattern("(?m)^stop +\"END\"$")
                .containsPattern("(?m)^temperature +0.5$");
        assertThat(server.run("show", "parts", "--modelfile").out()).contains("FROM ", "SYSTEM You tell stories.\n",
                "PARAMETER temperature 0.5", "LICENSE MIT\n");
        assertThat(server.run("show", "parts").out()).contains("""
                  Parameters
                    stop           "END"
                    temperature    0.5

                  System
                    You tell stories.

                  License
                    MIT
                """);
    }

    @Test
    void showFlagsAreExclusive() {
        TestServer.Outcome o = server.run("show", "stories", "--license", "--system");
        assertThat(o.exitCode()).isNotZero();
        assertThat(o.err()).startsWith("Error: --license, --system are mutually exclusive");
    }

    @Test
    void copyThenRemove() {
        TestServer.Outcome copy = server.run("cp", "stories", "copy-of-stories");
        assertThat(copy.exitCode()).isZero();
        assertThat(copy.out()).isEqualTo("copied 'stories' to 'copy-of-stories'\n");
        assertThat(server.run("list").out()).contains("copy-of-stories:latest");

        TestServer.Outcome remove = server.run("rm", "copy-of-stories");
        assertThat(remove.exitCode()).isZero();
        assertThat(remove.out()).isEqualTo("deleted 'copy-of-stories'\n");
        assertThat(server.run("list").out()).doesNotContain("copy-of-stories").contains("stories:latest");
    }

    @Test
    void removeStopsAtTheFirstModelThatIsNotThere() {
        server.run("cp", "stories", "doomed");
        TestServer.Outcome o = server.run("rm", "doomed", "never-was", "stories-kept");
        assertThat(o.exitCode()).isEqualTo(1);
        assertThat(o.out()).isEqualTo("deleted 'doomed'\n");
        assertThat(o.err()).isEqualTo("Error: model 'never-was' not found\n");
    }

    @Test
    void psListsALoadedModelUntilStopped() {
        server.run("cp", "stories", "running");
        assertThat(server.run("run", "running", "--num-predict", "1", "Once").exitCode()).isZero();

        TestServer.Outcome ps = server.run("ps");
        assertThat(ps.exitCode()).isZero();
        // The size is the model's 1.2 MB and its f16 KV cache of 2048 positions (640 bytes each), as Ollama counts it.
        assertThat(ps.out()).startsWith("NAME              ID              SIZE      PROCESSOR    CONTEXT    UNTIL\n")
                .containsPattern("(?m)^running:latest    [0-9a-f]{12}    2\\.5 MB    100% CPU     2048       "
                        + "4 minutes from now$");

        TestServer.Outcome stop = server.run("stop", "running");
        assertThat(stop.exitCode()).isZero();
        assertThat(stop.out()).isEmpty();
        assertThat(server.run("ps").out()).doesNotContain("running:latest");
    }

    @Test
    void stoppingAModelThatIsNotThereSaysSo() {
        TestServer.Outcome o = server.run("stop", "never-was");
        assertThat(o.exitCode()).isEqualTo(1);
        assertThat(o.err()).isEqualTo("Error: couldn't find model \"never-was\" to stop\n");
    }

    @Test
    void createFromAModelfileThenRunIt(@TempDir Path folder) throws IOException {
        // FROM a path relative to the Modelfile's folder, not to where the command runs.
        Path gguf = folder.relativize(TestServer.stories260K());
        TestServer.Outcome create = createFromModelfile(folder, "storyteller", """
                # A greedy storyteller
                FROM %s
                TEMPLATE {{ .Prompt }}
                SYSTEM \"""You write stories
                for children.\"""
                PARAMETER temperature 0
                PARAMETER num_predict 12
                PARAMETER stop <|end|>
                PARAMETER stop "The End"
                """.formatted(gguf));
        assertThat(create.exitCode()).isZero();
        assertThat(create.err()).startsWith("gathering model components\n").contains("writing manifest\n")
                .endsWith("success\n");

        TestServer.Outcome run = server.run("run", "storyteller", "Once upon a time");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).isEqualTo(", there was a little girl named Lily. She\n\n");
        assertThat(server.run("show", "storyteller", "--parameters").out())
                .containsPattern("(?m)^stop +\"<\\|end\\|>\"$").containsPattern("(?m)^stop +\"The End\"$");
        assertThat(server.run("show", "storyteller", "--system").out()).isEqualTo("You write stories\nfor children.");
    }

    /** A vision model: the text GGUF and its projector as two FROM lines; run attaches the image the prompt names. */
    @Test
    void createAVisionModelFromTwoFromLinesThenDescribeAnImage(@TempDir Path folder) throws IOException {
        Path vision = TestServer.shared().resolve("models/vision");
        TestServer.Outcome create = createFromModelfile(folder, "vis", "FROM " + vision.resolve("syn-llava-f32.gguf")
                + "\nFROM " + vision.resolve("syn-llava-mmproj-f16.gguf") + "\nPARAMETER num_predict 4\n");
        assertThat(create.exitCode()).as(create.err()).isZero();
        assertThat(server.run("show", "vis").out()).contains("vision");

        Path image = TestServer.shared().resolve("images/rgb-80x48.png");
        TestServer.Outcome run = server.run("run", "vis", "What is in " + image + " ?");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).contains("Added image '" + image + "'");
    }

    @Test
    void aBlobTheServerHasIsNotUploadedAgain(@TempDir Path folder) throws IOException {
        String modelfile = "FROM " + TestServer.stories260K() + "\n";
        assertThat(createFromModelfile(folder, "first", modelfile).exitCode()).isZero();
        TestServer.Outcome second = createFromModelfile(folder, "second", modelfile);
        assertThat(second.exitCode()).isZero();
        assertThat(second.err()).doesNotContain("copying file");
    }

    @Test
    void createFromAModelByName(@TempDir Path folder) throws IOException {
        TestServer.Outcome o = createFromModelfile(folder, "derived", "FROM stories\nPARAMETER num_ctx 256\n");
        assertThat(o.exitCode()).isZero();
        assertThat(o.err()).contains("using existing layer sha256:");
        assertThat(server.run("show", "derived", "--parameters").out()).containsPattern("(?m)^num_ctx +256$");
    }

    @Test
    void aModelfileErrorNamesItsLineAndNothingIsSent(@TempDir Path folder) throws IOException {
        TestServer.Outcome o = createFromModelfile(folder, "broken", "FROM stories\nPARAMETER temperature warm\n");
        assertThat(o.exitCode()).isEqualTo(1);
        assertThat(o.err()).isEqualTo("Error: line 2: invalid float value \"warm\" for parameter temperature\n");
        assertThat(server.run("list").out()).doesNotContain("broken");
    }

    @Test
    void aMissingModelfileIsNamed(@TempDir Path folder) {
        TestServer.Outcome o = server.run("create", "x", "-f", folder.resolve("Modelfile").toString());
        assertThat(o.exitCode()).isEqualTo(1);
        assertThat(o.err()).isEqualTo("Error: specified Modelfile wasn't found: " + folder.resolve("Modelfile") + "\n");
    }

    @Test
    void theServersRefusalIsShown(@TempDir Path folder) throws IOException {
        TestServer.Outcome o = createFromModelfile(folder, "orphan", "FROM no-such-model\n");
        assertThat(o.exitCode()).isEqualTo(1);
        assertThat(o.err()).isEqualTo(
                "Error: 'from' is neither a model nor a GGUF file on this machine: no-such-model\n");
    }

    @Test
    void createQuantizesWithDashQ(@TempDir Path folder) throws IOException {
        Path f32 = TestServer.shared().resolve("models/syn-llama-f32.gguf");
        Files.writeString(folder.resolve("Modelfile"), "FROM " + f32 + "\n");
        TestServer.Outcome o = server.run("create", "small", "-q", "q4_K_M", "-f", folder.resolve("Modelfile").toString());
        assertThat(o.exitCode()).as(o.err()).isZero();
        assertThat(o.err()).containsOnlyOnce("quantizing F32 model to Q4_K_M\n").contains("verifying conversion\n").endsWith("success\n");
        assertThat(server.run("show", "small").out()).containsPattern("(?m)^ +quantization +Q4_K_M$");

        TestServer.Outcome again = server.run("create", "smaller", "--quantize", "q4_0", "-f", writeModelfile(folder, "FROM small\n"));
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.err()).startsWith("using existing layer sha256:").endsWith("\nError: quantization is only supported for F16, BF16 and F32 models\n");
    }

    private static String writeModelfile(Path folder, String modelfile) throws IOException {
        return Files.writeString(folder.resolve("Modelfile"), modelfile).toString();
    }

    private static TestServer.Outcome createFromModelfile(Path folder, String name, String modelfile)
            throws IOException {
        Path file = Files.writeString(folder.resolve("Modelfile"), modelfile);
        return server.run("create", name, "-f", file.toString());
    }
}
