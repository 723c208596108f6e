package dev.jollama.server.scheduler;

import dev.jollama.engine.model.Model;
import dev.jollama.server.TestServer;
import dev.jollama.server.config.ServerConfig;
import dev.jollama.server.store.ModelName;
import dev.jollama.server.store.StoredModel;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** num_thread is a load-time option, as in Ollama: the model runs on that many workers and a change reloads it. */
class NumThreadTest {
    private static final int PROCESSORS = Runtime.getRuntime().availableProcessors();

    @Test
    void numThreadSizesTheWorkerPoolAndAChangeReloads() throws Exception {
        try (TestServer server = TestServer.start(Map.of());
             Scheduler scheduler = new Scheduler(ServerConfig.from(Map.of("OLLAMA_MODELS", server.store().root().toString())))) {
            StoredModel stories = server.store().find(ModelName.parse("stories")).orElseThrow();

            Model one = modelFor(scheduler, stories, 1);
            assertThat(one.threads()).isEqualTo(1);
            assertThat(modelFor(scheduler, stories, 1)).as("same num_thread: no reload").isSameAs(one);

            Model auto = modelFor(scheduler, stories, 0);
            assertThat(auto.threads()).isEqualTo(PROCESSORS);
            if (PROCESSORS > 1) {
                assertThat(auto).as("another num_thread reloads").isNotSameAs(one);
            }
            assertThat(modelFor(scheduler, stories, -3)).as("below 1 means one per processor").isSameAs(auto);
            assertThat(modelFor(scheduler, stories, PROCESSORS + 7)).as("beyond the processors counts as one each").isSameAs(auto);
        }
    }

    private static Model modelFor(Scheduler scheduler, StoredModel stored, int threads) throws InterruptedException {
        try (Lease lease = scheduler.acquire(stored, 256, threads, Optional.empty())) {
            return lease.model();
        }
    }
}
