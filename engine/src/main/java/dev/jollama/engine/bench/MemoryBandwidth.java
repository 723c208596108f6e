package dev.jollama.engine.bench;

import dev.jollama.engine.tensor.WorkerPool;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * The machine's memory read bandwidth as decoding sees it: a streaming vector read over a buffer far larger than
 * the caches, split over the same workers. The best of several passes, since neighbours only ever slow it down.
 */
final class MemoryBandwidth {
    private static final VectorSpecies<Long> L = LongVector.SPECIES_PREFERRED;
    private static final long BUFFER_BYTES = 2L << 30;
    private static final int CHUNKS = 256;

    private MemoryBandwidth() {
    }

    /** Bytes per second. */
    static double measure(WorkerPool pool, int passes) {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment buffer = arena.allocate(BUFFER_BYTES, 4096);
            buffer.fill((byte) 1); // touch every page before timing
            long chunk = BUFFER_BYTES / CHUNKS;
            long[] sums = new long[pool.threads()];
            double best = 0;
            for (int pass = 0; pass < passes; pass++) {
                long start = System.nanoTime();
                pool.run(CHUNKS, 1, (worker, from, to) -> {
                    for (int c = from; c < to; c++) {
                        sums[worker] += sum(buffer, c * chunk, (c + 1) * chunk);
                    }
                });
                best = Math.max(best, BUFFER_BYTES / ((System.nanoTime() - start) / 1e9));
            }
            if (sums[0] == 42) {
                System.out.print(""); // keeps the sums observable so the reads are not removed
            }
            return best;
        }
    }

    private static long sum(MemorySegment s, long from, long to) {
        LongVector a = LongVector.zero(L), b = LongVector.zero(L);
        long step = L.vectorByteSize();
        for (long o = from; o < to; o += 2 * step) {
            a = a.add(LongVector.fromMemorySegment(L, s, o, ByteOrder.LITTLE_ENDIAN));
            b = b.add(LongVector.fromMemorySegment(L, s, o + step, ByteOrder.LITTLE_ENDIAN));
        }
        return a.add(b).reduceLanes(VectorOperators.ADD);
    }
}
