package dev.jollama.cli;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code jollama run --model FILE PROMPT}: a local GGUF file in-process, with clear errors on bad input. */
class RunCommandTest {
    /** Local runs need no server; an address where none listens shows that none is asked. */
    private static final URI NO_SERVER = URI.create("http://127.0.0.1:9");

    private static TestServer.Outcome run(String... args) {
        return TestServer.run(NO_SERVER, "", false, args);
    }

    @Test
    void withoutAModelItSaysSoAndFails() {
        TestServer.Outcome o = run("run");
        assertThat(o.exitCode()).isNotZero();
        assertThat(o.err()).contains("no model given");
    }

    @Test
    void aMissingFileIsNamed() {
        TestServer.Outcome o = run("run", "--model", "target/nowhere.gguf", "hello");
        assertThat(o.exitCode()).isNotZero();
        assertThat(o.err()).contains("model file not found: target/nowhere.gguf");
    }

    @Test
    void aFileThatIsNotAModelIsAClearError() throws Exception {
        Path notAModel = Files.writeString(Files.createDirectories(Path.of("target")).resolve("not-a-model.gguf"), "hello");
        TestServer.Outcome o = run("run", "--model", notAModel.toString(), "hello");
        assertThat(o.exitCode()).isNotZero();
        assertThat(o.err()).contains("not a GGUF file");
    }

    @Test
    void greedyRunWritesTheStory() {
        Path model = TestServer.stories260K();
        TestServer.Outcome o = run("run", "--model", model.toString(), "--temperature", "0", "--num-predict", "12",
                "Once upon a time");
        assertThat(o.exitCode()).isZero();
        assertThat(o.out()).isEqualTo(", there was a little girl named Lily. She" + System.lineSeparator());
    }
}
