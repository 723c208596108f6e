package dev.jollama.engine.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class WarmupTest {

    @Test
    void runsEveryTypeAndLeavesNoFilesBehind(@TempDir Path directory) throws IOException {
        Warmup.run(directory);

        try (Stream<Path> files = Files.list(directory)) {
            assertThat(files).isEmpty();
        }
    }
}
