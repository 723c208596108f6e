package dev.jollama.engine.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * How much of a memory-mapped file this process has in memory: the Rss of its mappings in /proc/self/smaps (Linux).
 * Weights are mapped, not read, so this is what a run actually touched.
 */
final class ResidentMemory {
    private static final Path SMAPS = Path.of("/proc/self/smaps");

    private ResidentMemory() {
    }

    /** Bytes of {@code file}'s mappings resident now; -1 where the kernel does not say. */
    static long ofMapping(Path file) {
        if (!Files.isReadable(SMAPS)) {
            return -1;
        }
        try {
            return ofMapping(Files.readAllLines(SMAPS), file.toRealPath().toString());
        } catch (IOException e) {
            return -1;
        }
    }

    /** Sums the "Rss:" lines (in kB) of the mappings whose header line ends with {@code path}. */
    static long ofMapping(List<String> smaps, String path) {
        long kilobytes = 0;
        boolean inFile = false;
        for (String line : smaps) {
            if (isMappingHeader(line)) {
                inFile = line.endsWith(" " + path);
            } else if (inFile && line.startsWith("Rss:")) {
                kilobytes += Long.parseLong(line.substring(4).replace("kB", "").strip());
            }
        }
        return kilobytes * 1024;
    }

    /** "7f00-7f10 r--s 00000000 fd:01 123  /path": an address range first, where field lines start with a name. */
    private static boolean isMappingHeader(String line) {
        int dash = line.indexOf('-');
        return dash > 0 && line.chars().limit(dash).allMatch(c -> Character.digit(c, 16) >= 0);
    }
}
