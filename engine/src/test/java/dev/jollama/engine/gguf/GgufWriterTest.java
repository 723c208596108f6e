package dev.jollama.engine.gguf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GgufWriterTest {

    /** Integers are written as uint32 (as llama.cpp has them), so a negative one is refused, naming its key. */
    @Test
    void refusesNegativeIntegers(@TempDir Path directory) {
        GgufWriter writer = new GgufWriter().put("general.architecture", "llama").put("llama.block_count", -1);

        assertThatThrownBy(() -> writer.write(directory.resolve("bad.gguf")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("metadata 'llama.block_count': -1 is negative; integers are written as uint32");
    }
}
