package dev.jollama.cli;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Path;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** What the launcher's start-up relies on: its cache training runs clean, and a command builds only its own verb. */
class StartupTest {
    private static final URI NO_SERVER = URI.create("http://127.0.0.1:9");

    @Test
    void theCacheTrainingRunsEveryCommandAsExpected() {
        Path models = Path.of("target", "training-stores", UUID.randomUUID().toString()).toAbsolutePath();
        assertThat(StartupTraining.run(models)).isZero();
    }

    @Test
    void theClientCacheTrainingRunsEveryCommandAgainstAServerProcess() throws Exception {
        Path models = Path.of("target", "training-stores", UUID.randomUUID().toString()).toAbsolutePath();
        assertThat(StartupTraining.runAgainstServerProcess(models)).isZero();
    }

    @Test
    void theUsageListsEveryVerb() {
        TestServer.Outcome o = TestServer.run(NO_SERVER, "", false, "--help");
        assertThat(o.exitCode()).isZero();
        assertThat(o.out()).contains("run ", "serve ", "create ", "show ", "stop ", "pull ", "list, ls ", "ps ", "cp ",
                "rm ", "bench ", "synth ");
    }

    @Test
    void aMistypedVerbGetsSuggestions() {
        TestServer.Outcome o = TestServer.run(NO_SERVER, "", false, "lst");
        assertThat(o.exitCode()).isNotZero();
        assertThat(o.err()).contains("Unmatched argument at index 0: 'lst'", "Did you mean: jollama ls or jollama list?");
    }

    @Test
    void anAliasFindsItsVerb() {
        TestServer.Outcome o = TestServer.run(NO_SERVER, "", false, "ls");
        assertThat(o.err()).isEqualTo("Error: could not connect to jollama server at " + NO_SERVER + ", is it running?\n");
    }
}
