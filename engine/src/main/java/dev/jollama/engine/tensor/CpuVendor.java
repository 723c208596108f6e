package dev.jollama.engine.tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The processor's maker, for the kernels' one choice that measured differently between makers' memory systems (the
 * read-ahead, {@link FloatTensor}). The JDK does not tell; Linux's /proc/cpuinfo does, elsewhere it stays unknown.
 */
final class CpuVendor {
    private CpuVendor() {
    }

    /** Whether /proc/cpuinfo names Intel as the maker ({@code vendor_id : GenuineIntel}); false where unreadable. */
    static boolean isIntel() {
        return isIntel(Path.of("/proc/cpuinfo"));
    }

    static boolean isIntel(Path cpuinfo) {
        try (Stream<String> lines = Files.lines(cpuinfo)) {
            return lines.filter(line -> line.startsWith("vendor_id")).findFirst()
                    .map(line -> line.substring(line.indexOf(':') + 1).strip().equals("GenuineIntel")).orElse(false);
        } catch (IOException | RuntimeException unreadable) {
            // Not Linux, or no such file: no read-ahead, the choice measured on the processors we know of but Intel's.
            return false;
        }
    }
}
