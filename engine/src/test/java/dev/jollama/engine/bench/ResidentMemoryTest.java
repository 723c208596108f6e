package dev.jollama.engine.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ResidentMemoryTest {

    @Test
    void sumsTheResidentKilobytesOfTheFilesMappingsOnly() {
        List<String> smaps = List.of(
                "7f0000000000-7f0000100000 r--s 00000000 fd:01 1234                       /models/a.gguf",
                "Size:               1024 kB",
                "Rss:                 300 kB",
                "7f0000100000-7f0000200000 rw-p 00000000 00:00 0 ",
                "Rss:                 999 kB",
                "7f0000200000-7f0000300000 r--s 00100000 fd:01 1234                       /models/a.gguf",
                "Rss:                  12 kB",
                "7f0000300000-7f0000400000 r--s 00000000 fd:01 99                         /models/ab.gguf",
                "Rss:                  50 kB");
        assertThat(ResidentMemory.ofMapping(smaps, "/models/a.gguf")).isEqualTo(312 * 1024);
    }
}
