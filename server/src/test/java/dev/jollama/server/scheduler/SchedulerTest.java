package dev.jollama.server.scheduler;

import dev.jollama.engine.gguf.GgufFormatException;
import dev.jollama.engine.model.Model;
import dev.jollama.server.TestServer;
import dev.jollama.server.config.ServerConfig;
import dev.jollama.server.store.ModelName;
import dev.jollama.server.store.ModelStore;
import dev.jollama.server.store.StoredModel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The scheduler on a fake clock, with a loader that counts loads and can be held mid-load or made to fail. The
 * models are stories260K under two names, "stories" and "test".
 */
class SchedulerTest {
    private static final Duration FIVE_MINUTES = Duration.ofMinutes(5);
    /** One worker per processor: the shared pool, so the models loaded here start no threads of their own. */
    private static final int THREADS = 0;
    /** Long enough never to be reached when things work; a test that hits it has found a request stuck. */
    private static final long STUCK_SECONDS = 30;

    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
    private final Loader loader = new Loader();
    private final Memory memory = new Memory();
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private ModelStore store;
    private Scheduler scheduler;
    private StoredModel stories;
    private StoredModel test;

    /** Counts loads; a held load waits until released, a failing one throws. */
    private static final class Loader implements Scheduler.Loader {
        final AtomicInteger loads = new AtomicInteger();
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        volatile boolean holdNext;
        volatile RuntimeException failNext;

        @Override
        public Model load(Path path, Model.Options options) {
            loads.incrementAndGet();
            if (failNext != null) {
                RuntimeException e = failNext;
                failNext = null;
                throw e;
            }
            if (holdNext) {
                holdNext = false;
                entered.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while held", e);
                }
            }
            return Model.load(path, options);
        }
    }

    /** A machine and heap of the test's choosing. */
    private static final class Memory implements MemoryBudget {
        volatile long system = Long.MAX_VALUE;
        volatile long heap = Long.MAX_VALUE;

        @Override
        public long systemAvailable() {
            return system;
        }

        @Override
        public long heapAvailable() {
            return heap;
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        store = TestServer.newStore();
        stories = store.find(ModelName.parse("stories")).orElseThrow();
        test = store.find(ModelName.parse("test")).orElseThrow();
        scheduler = scheduler(Map.of());
    }

    @AfterEach
    void tearDown() {
        loader.release.countDown();
        threads.shutdownNow();
        if (scheduler != null) { // null when setUp skipped the test (no ../shared)
            scheduler.close();
        }
    }

    private Scheduler scheduler(Map<String, String> env) {
        Map<String, String> all = new HashMap<>(env);
        all.put("OLLAMA_MODELS", store.root().toString());
        return new Scheduler(ServerConfig.from(all), loader, memory, now::get);
    }

    private void advance(Duration d) {
        now.updateAndGet(t -> t.plus(d));
    }

    private Lease acquire(StoredModel model, int contextLength, Optional<Optional<Duration>> keepAlive) throws InterruptedException {
        return scheduler.acquire(model, contextLength, THREADS, keepAlive);
    }

    private Model use(StoredModel model, int contextLength, Optional<Optional<Duration>> keepAlive) throws InterruptedException {
        try (Lease lease = acquire(model, contextLength, keepAlive)) {
            return lease.model();
        }
    }

    @Test
    void aLoadedModelIsReusedAndAnotherContextLengthReloadsIt() throws Exception {
        Model first = use(stories, 256, Optional.empty());
        assertThat(use(stories, 256, Optional.empty())).isSameAs(first);
        assertThat(loader.loads).hasValue(1);

        Model bigger = use(stories, 512, Optional.empty());
        assertThat(bigger).isNotSameAs(first);
        assertThat(loader.loads).hasValue(2);
        assertThat(scheduler.running()).singleElement().satisfies(r -> assertThat(r.contextLength()).isEqualTo(512));
    }

    @Test
    void anIdleModelStaysForItsKeepAliveAndNoLonger() throws Exception {
        Model model = use(stories, 256, Optional.of(Optional.of(FIVE_MINUTES)));
        assertThat(scheduler.running()).singleElement()
                .satisfies(r -> assertThat(r.expiresAt()).isEqualTo(now.get().plus(FIVE_MINUTES)));

        advance(FIVE_MINUTES.minusNanos(1));
        assertThat(use(stories, 256, Optional.empty())).as("still loaded").isSameAs(model);

        // The request gave no keep_alive: the model keeps its five minutes, counted from this request's end.
        advance(FIVE_MINUTES.minusNanos(1));
        assertThat(scheduler.running()).hasSize(1);
        advance(Duration.ofNanos(1));
        assertThat(scheduler.running()).isEmpty();
        assertThat(use(stories, 256, Optional.empty())).isNotSameAs(model);
        assertThat(loader.loads).hasValue(2);
    }

    @Test
    void withoutAKeepAliveTheConfiguredOneApplies() throws Exception {
        scheduler.close();
        scheduler = scheduler(Map.of("OLLAMA_KEEP_ALIVE", "30s"));
        use(stories, 256, Optional.empty());
        advance(Duration.ofSeconds(30));
        assertThat(scheduler.running()).isEmpty();
    }

    @Test
    void aNegativeKeepAliveKeepsTheModelForever() throws Exception {
        Model model = use(stories, 256, Optional.of(Optional.empty()));
        advance(Duration.ofDays(3650));
        assertThat(use(stories, 256, Optional.empty())).isSameAs(model);
    }

    @Test
    void aModelInUseDoesNotExpire() throws Exception {
        try (Lease lease = acquire(stories, 256, Optional.of(Optional.of(Duration.ofSeconds(1))))) {
            advance(Duration.ofHours(1));
            assertThat(scheduler.running()).hasSize(1);
        }
        assertThat(scheduler.running()).hasSize(1);
        advance(Duration.ofSeconds(1));
        assertThat(scheduler.running()).isEmpty();
    }

    @Test
    void aRequestForALoadedModelProceedsWhileAnotherModelLoads() throws Exception {
        Model loaded = use(stories, 256, Optional.empty());
        loader.holdNext = true;
        Future<Model> other = threads.submit(() -> use(test, 256, Optional.empty()));
        assertThat(loader.entered.await(STUCK_SECONDS, TimeUnit.SECONDS)).as("the other load started").isTrue();

        Future<Model> again = threads.submit(() -> use(stories, 256, Optional.empty()));
        assertThat(again.get(STUCK_SECONDS, TimeUnit.SECONDS)).isSameAs(loaded);
        assertThat(other.isDone()).as("the other load is still held").isFalse();

        loader.release.countDown();
        assertThat(other.get(STUCK_SECONDS, TimeUnit.SECONDS)).isNotSameAs(loaded);
        assertThat(scheduler.running()).hasSize(2);
    }

    @Test
    void beyondTheQueueLimitARequestIsRefusedAtOnce() throws Exception {
        scheduler.close();
        scheduler = scheduler(Map.of("OLLAMA_MAX_QUEUE", "1"));
        loader.holdNext = true;
        Future<Model> waiting = threads.submit(() -> use(stories, 256, Optional.empty()));
        assertThat(loader.entered.await(STUCK_SECONDS, TimeUnit.SECONDS)).isTrue();

        assertThatThrownBy(() -> use(test, 256, Optional.empty())).isInstanceOf(SchedulerException.QueueFull.class);

        loader.release.countDown();
        waiting.get(STUCK_SECONDS, TimeUnit.SECONDS);
        assertThat(use(test, 256, Optional.empty())).as("the queue has room again").isNotNull();
    }

    @Test
    void busyWhileARequestLoadsOrHoldsAModel() throws Exception {
        assertThat(scheduler.busy()).isFalse();
        loader.holdNext = true;
        Future<Model> loading = threads.submit(() -> use(stories, 256, Optional.empty()));
        assertThat(loader.entered.await(STUCK_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(scheduler.busy()).as("loading").isTrue();

        loader.release.countDown();
        loading.get(STUCK_SECONDS, TimeUnit.SECONDS);
        assertThat(scheduler.busy()).as("loaded, no request").isFalse();
        try (Lease lease = acquire(stories, 256, Optional.empty())) {
            assertThat(scheduler.busy()).as("holding it").isTrue();
        }
        assertThat(scheduler.busy()).isFalse();
    }

    @Test
    void aFileThatDoesNotLoadIsALoadFailureAndTheNextLoadStillRuns() throws Exception {
        loader.failNext = new GgufFormatException(stories.modelPath(), "not a GGUF file");
        assertThatThrownBy(() -> use(stories, 256, Optional.empty()))
                .isInstanceOfSatisfying(SchedulerException.LoadFailed.class,
                        e -> assertThat(e.problem()).endsWith("not a GGUF file"));
        assertThat(scheduler.running()).isEmpty();
        assertThat(use(stories, 256, Optional.empty())).isNotNull();
    }

    @Test
    void aModelThatDoesNotFitTheMachineIsRefusedWithOllamasMessage() {
        memory.system = 1 << 20;
        assertThatThrownBy(() -> use(stories, 256, Optional.empty()))
                .isInstanceOfSatisfying(SchedulerException.NotEnoughMemory.class, e -> assertThat(e.heap()).isFalse())
                .hasMessageMatching("model requires more system memory \\(\\d+\\.\\d (KiB|MiB)\\) than is available \\(1\\.0 MiB\\)");
        assertThat(scheduler.running()).isEmpty();
    }

    @Test
    void aKvCacheThatDoesNotFitTheHeapIsRefused() {
        memory.heap = 1024;
        assertThatThrownBy(() -> use(stories, 256, Optional.empty()))
                .isInstanceOfSatisfying(SchedulerException.NotEnoughMemory.class, e -> assertThat(e.heap()).isTrue())
                .hasMessageEndingWith("than is available (1.0 KiB)");
        assertThat(scheduler.running()).isEmpty();
    }

    @Test
    void idleModelsAreUnloadedWhenThatMakesRoom() throws Exception {
        long cache = use(stories, 256, Optional.empty()).cache().capacityBytes();
        memory.heap = cache * 3 / 2; // room for one model's cache, not two
        use(test, 256, Optional.empty());
        assertThat(scheduler.running()).extracting(m -> m.stored().name().model()).containsExactly("test");
    }

    @Test
    void theMessageWritesSizesAsOllamaDoes() {
        assertThat(SchedulerException.NotEnoughMemory.humanBytes(5L << 30)).isEqualTo("5.0 GiB");
        assertThat(SchedulerException.NotEnoughMemory.humanBytes(1536L << 20)).isEqualTo("1.5 GiB");
        assertThat(SchedulerException.NotEnoughMemory.humanBytes(1000)).isEqualTo("1000 B");
    }
}
