package dev.jollama.server.scheduler;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The memory a model may still take: the machine's (available memory and free swap, as Ollama counts it), for the
 * mapped weights and everything else, and the Java heap's, where the KV cache lives.
 */
interface MemoryBudget {

    /** Bytes the machine can still give, or {@link Long#MAX_VALUE} when it cannot tell. */
    long systemAvailable();

    /** Bytes of the Java heap not holding live data (as of the last collection). */
    long heapAvailable();

    MemoryBudget OF_THIS_PROCESS = new MemoryBudget() {
        @Override
        public long systemAvailable() {
            try {
                List<String> lines = Files.readAllLines(Path.of("/proc/meminfo"));
                return kibibytes(lines, "MemAvailable:") + kibibytes(lines, "SwapFree:");
            } catch (IOException | RuntimeException e) {
                return Long.MAX_VALUE; // not Linux: no estimate, as Ollama on macOS
            }
        }

        @Override
        public long heapAvailable() {
            long live = 0;
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getType() == MemoryType.HEAP) {
                    // After the last collection, so garbage does not count; before the first, what is used now.
                    MemoryUsage afterGc = pool.getCollectionUsage();
                    live += afterGc != null && afterGc.getUsed() > 0 ? afterGc.getUsed() : pool.getUsage().getUsed();
                }
            }
            return Runtime.getRuntime().maxMemory() - live;
        }

        private static long kibibytes(List<String> meminfo, String key) {
            return meminfo.stream().filter(l -> l.startsWith(key)).findFirst()
                    .map(l -> Long.parseLong(l.substring(key.length()).strip().split("\\s+")[0]) * 1024)
                    .orElseThrow(() -> new IllegalStateException("/proc/meminfo has no " + key));
        }
    };
}
