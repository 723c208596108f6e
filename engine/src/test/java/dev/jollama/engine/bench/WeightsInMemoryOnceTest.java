package dev.jollama.engine.bench;

import dev.jollama.engine.model.Model;
import dev.jollama.engine.model.Sequence;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Once decoding has filled the copies of a model's Q4_K and Q4_0 matrices ({@code RowGroupsTensor}), prompts read the
 * copies and the process lets go of those matrices' pages of the file: each weight is in memory once, not in the
 * file's layout beside its copy. On this shape: 1.77 times the file's size before, 1.22 after (above 1.0: the token
 * embedding's rows read from the file, and the kernel maps up to 64 KB of cached pages around each page a read
 * faults in, across the ends of tensors; a matrix here is 0.6-2.3 MB, an 8B model's 10-100 MB).
 */
class WeightsInMemoryOnceTest {
    private static final ModelShape SHAPE = new ModelShape("memory", "llama", 1024, 4096, 2, 8, 2, 128, 1024,
            10_000f, 1e-5f, false, false, false, false, 0, 0, 0);

    @Test
    void promptsAfterDecodingReadTheCopies(@TempDir Path directory) throws IOException {
        assumeTrue(Files.isReadable(Path.of("/proc/self/smaps")), "needs /proc/self/smaps");
        assumeTrue(FloatVector.SPECIES_PREFERRED.length() >= 16, "with 8 lanes prompts read the file's layout");
        Path file = directory.resolve("memory-q4_k_m.gguf");
        Synth.write(SHAPE, SynthType.Q4_K_M, file);
        long fileBytes = Files.size(file);
        int[] prompt = new int[64];
        for (int i = 0; i < prompt.length; i++) {
            prompt[i] = 3 + 7 * i;
        }
        try (Model model = Model.load(file); Sequence sequence = model.newSequence(2 * prompt.length + 1)) {
            model.forward(sequence, prompt, 0, prompt.length); // through the file's layout; its last row starts the filling
            model.forward(sequence, 5);
            model.awaitLayouts();
            model.forward(sequence, prompt, 0, prompt.length);
            assertThat(ResidentMemory.ofMapping(file)).as("resident bytes of the model's mappings, file %d bytes", fileBytes)
                    .isLessThan(fileBytes * 14 / 10);
        }
    }
}
