package dev.jollama.engine.tensor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class CpuVendorTest {
    @TempDir
    Path dir;

    @Test
    void readsTheMakerFromTheFirstProcessor() throws IOException {
        assertThat(CpuVendor.isIntel(cpuinfo("processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\n"))).isTrue();
        assertThat(CpuVendor.isIntel(cpuinfo("processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 25\n"))).isFalse();
    }

    @Test
    void anUnreadableOrSilentFileIsNotIntel() throws IOException {
        assertThat(CpuVendor.isIntel(dir.resolve("missing"))).isFalse();
        assertThat(CpuVendor.isIntel(cpuinfo("processor\t: 0\nCPU implementer\t: 0x41\n"))).isFalse();
    }

    private Path cpuinfo(String text) throws IOException {
        return Files.writeString(dir.resolve("cpuinfo"), text);
    }
}
