package dev.jollama.engine.bench;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class WarmupTest {

    @Test
    void runsEveryTypeAndLeavesNoFilesBehind() throws IOException {
        Warmup.run();

        Path temp = Path.of(System.getProperty("java.io.tmpdir"));
        try (Stream<Path> files = Files.list(temp)) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("jollama-warmup-"))).isEmpty();
        }
    }
}
