package dev.jollama.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** A chat with a real model: the greedy story comes back through /api/chat. */
class StoriesChatTest {
    @Test
    void chatsWithAModelCreatedFromAModelfile(@TempDir Path folder) throws IOException {
        try (TestServer server = TestServer.start()) {
            Files.writeString(folder.resolve("Modelfile"), """
                    FROM %s
                    TEMPLATE {{ .Prompt }}
                    PARAMETER temperature 0
                    PARAMETER num_predict 12
                    """.formatted(TestServer.stories260K()));
            assertThat(server.run("create", "chatty", "-f", folder.resolve("Modelfile").toString()).exitCode()).isZero();

            TestServer.Outcome o = server.runAtTerminal("Once upon a time\n/bye\n", "run", "chatty");
            assertThat(o.exitCode()).isZero();
            assertThat(o.out()).isEqualTo(">>> , there was a little girl named Lily. She\n\n>>> ");
        }
    }
}
