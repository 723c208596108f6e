package dev.jollama.engine.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class WarmupTest {

    @Test
    void runsEveryTypeAndLeavesNoFilesBehind(@TempDir Path directory) throws IOException, InterruptedException {
        Warmup.run(directory, () -> false);

        try (Stream<Path> files = Files.list(directory)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void waitsWhileTheServerServes(@TempDir Path directory) throws IOException, InterruptedException {
        AtomicInteger asked = new AtomicInteger();
        int servingAnswers = 3;

        Warmup.run(directory, () -> asked.incrementAndGet() <= servingAnswers);

        assertThat(asked.get()).as("asked before every model and step, again while serving")
                .isGreaterThan(servingAnswers + SynthType.values().length * 2);
    }
}
