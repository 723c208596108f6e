package dev.jollama.engine.tensor;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WorkerPoolTest {

    /** Guided chunks cover every item exactly once, each chunk starts at a multiple of the grain, the first is long. */
    @Test
    void everyItemRunsOnceInChunksOfTheGrain() {
        try (WorkerPool pool = new WorkerPool(3)) {
            for (int[] shape : new int[][]{{1000, 7}, {2048, 16}, {5, 8}, {97, 1}}) {
                int count = shape[0], grain = shape[1];
                AtomicIntegerArray runs = new AtomicIntegerArray(count);
                AtomicIntegerArray longest = new AtomicIntegerArray(1);
                pool.run(count, grain, (worker, from, to) -> {
                    assertThat(from % grain).as("chunk start %d for grain %d", from, grain).isZero();
                    longest.accumulateAndGet(0, to - from, Math::max);
                    for (int i = from; i < to; i++) {
                        runs.incrementAndGet(i);
                    }
                });
                for (int i = 0; i < count; i++) {
                    assertThat(runs.get(i)).as("runs of item %d of %d", i, count).isEqualTo(1);
                }
                if (count >= 6 * grain * 2) {
                    assertThat(longest.get(0)).as("longest chunk of %d items", count).isGreaterThanOrEqualTo(count / 6 / grain * grain);
                }
            }
        }
    }

    @Test
    void aFailingTaskFailsTheRunAndThePoolGoesOn() {
        try (WorkerPool pool = new WorkerPool(2)) {
            assertThatThrownBy(() -> pool.run(1000, 10, (worker, from, to) -> {
                throw new IllegalStateException("item " + from);
            })).isInstanceOf(IllegalStateException.class);
            AtomicIntegerArray runs = new AtomicIntegerArray(100);
            pool.run(100, 10, (worker, from, to) -> {
                for (int i = from; i < to; i++) {
                    runs.incrementAndGet(i);
                }
            });
            for (int i = 0; i < 100; i++) {
                assertThat(runs.get(i)).isEqualTo(1);
            }
        }
    }
}
