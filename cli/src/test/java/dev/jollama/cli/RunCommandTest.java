package dev.jollama.cli;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code jollama run --model FILE PROMPT}: output on stdout, clear errors and a non-zero exit on bad input. */
class RunCommandTest {

    private record Outcome(int exitCode, String out, String err) {}

    private static Outcome run(String... args) {
        PrintStream originalOut = System.out, originalErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            CommandLine command = JollamaCommand.commandLine();
            command.setOut(new java.io.PrintWriter(System.out, true));
            command.setErr(new java.io.PrintWriter(System.err, true));
            int code = command.execute(args);
            return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(originalOut);
            System.setErr(originalErr);
        }
    }

    @Test
    void withoutAModelItSaysSoAndFails() {
        Outcome o = run("run", "hello");
        assertThat(o.exitCode()).isNotZero();
        assertThat(o.err()).contains("no model given");
    }

    @Test
    void aMissingFileIsNamed() {
        Outcome o = run("run", "--model", "target/nowhere.gguf", "hello");
        assertThat(o.exitCode()).isNotZero();
        assertThat(o.err()).contains("model file not found: target/nowhere.gguf");
    }

    @Test
    void aFileThatIsNotAModelIsAClearError() throws Exception {
        Path notAModel = Files.writeString(Files.createDirectories(Path.of("target")).resolve("not-a-model.gguf"), "hello");
        Outcome o = run("run", "--model", notAModel.toString(), "hello");
        assertThat(o.exitCode()).isNotZero();
        assertThat(o.err()).contains("not a GGUF file");
    }

    @Test
    void greedyRunWritesTheStory() {
        Path model = Path.of("..", "..", "shared", "models", "stories260K.gguf").toAbsolutePath().normalize();
        Assumptions.assumeTrue(Files.exists(model), "../shared not found: skipping the model run");
        Outcome o = run("run", "--model", model.toString(), "--temperature", "0", "--num-predict", "12", "Once upon a time");
        assertThat(o.exitCode()).isZero();
        assertThat(o.out()).isEqualTo(", there was a little girl named Lily. She" + System.lineSeparator());
    }
}
