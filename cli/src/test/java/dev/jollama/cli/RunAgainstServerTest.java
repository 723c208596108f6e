package dev.jollama.cli;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code jollama run MODEL [PROMPT]} through a server: the answer on stdout, figures and errors on stderr. */
class RunAgainstServerTest {
    private static final String GREEDY_12 = ", there was a little girl named Lily. She";

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

    @Test
    void answersThePrompt() {
        TestServer.Outcome o = server.run("run", "stories", "--temperature", "0", "--num-predict", "12",
                "Once upon a time");
        assertThat(o.exitCode()).isZero();
        assertThat(o.out()).isEqualTo(GREEDY_12 + "\n\n");
        assertThat(o.err()).isEmpty();
    }

    @Test
    void promptWordsAreJoinedWithSpaces() {
        TestServer.Outcome o = server.run("run", "stories", "--temperature", "0", "--num-predict", "12",
                "Once", "upon", "a", "time");
        assertThat(o.out()).isEqualTo(GREEDY_12 + "\n\n");
    }

    @Test
    void readsThePromptFromAPipe() {
        TestServer.Outcome o = server.runPiped("Once upon a time", "run", "stories", "--temperature", "0",
                "--num-predict", "12");
        assertThat(o.exitCode()).isZero();
        assertThat(o.out()).isEqualTo(GREEDY_12 + "\n\n");
    }

    @Test
    void pipedTextComesBeforeThePromptArgument() {
        TestServer.Outcome o = server.runPiped("Once upon", "run", "stories", "--temperature", "0",
                "--num-predict", "12", "a time");
        assertThat(o.out()).isEqualTo(GREEDY_12 + "\n\n");
    }

    @Test
    void verbosePrintsTheFiguresOnStderr() {
        TestServer.Outcome o = server.run("run", "stories", "--verbose", "--temperature", "0", "--num-predict", "12",
                "Once upon a time");
        assertThat(o.exitCode()).isZero();
        assertThat(o.out()).isEqualTo(GREEDY_12 + "\n\n");
        List<String> labels = o.err().lines().map(l -> l.substring(0, l.indexOf(':'))).toList();
        assertThat(labels).containsExactly("total duration", "load duration", "prompt eval count",
                "prompt eval duration", "prompt eval rate", "eval count", "eval duration", "eval rate");
        assertThat(o.err()).containsPattern("(?m)^eval count:           12 token\\(s\\)$")
                .containsPattern("(?m)^eval rate:            \\d+\\.\\d\\d tokens/s$")
                .containsPattern("(?m)^total duration:       [0-9.]+(ms|s|µs)$");
    }

    @Test
    void withoutAPromptOrTerminalItOnlyLoadsTheModel() {
        TestServer.Outcome o = server.run("run", "stories");
        assertThat(o.exitCode()).isZero();
        assertThat(o.out()).isEmpty();
        assertThat(server.run("ps").out()).contains("stories:latest");
    }

    @Test
    void thinkingOnAModelThatCannotIsRefused() {
        TestServer.Outcome o = server.run("run", "stories", "--think", "hello");
        assertThat(o.exitCode()).isEqualTo(1);
        assertThat(o.err()).isEqualTo("Error: \"stories\" does not support thinking\n");
    }

    @Test
    void aBadKeepaliveIsAClearError() {
        TestServer.Outcome o = server.run("run", "stories", "--keepalive", "soon", "hello");
        assertThat(o.exitCode()).isEqualTo(1);
        assertThat(o.err()).isEqualTo("Error: time: invalid duration \"soon\"\n");
    }
}
