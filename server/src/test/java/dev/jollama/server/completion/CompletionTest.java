package dev.jollama.server.completion;

import dev.jollama.server.TestServer;
import dev.jollama.server.api.ApiException;
import dev.jollama.server.api.GoJson;
import dev.jollama.server.api.Options;
import dev.jollama.server.config.ServerConfig;
import dev.jollama.server.scheduler.Lease;
import dev.jollama.server.scheduler.Scheduler;
import dev.jollama.server.store.ModelName;
import dev.jollama.server.store.ModelStore;
import dev.jollama.server.store.StoredModel;
import dev.jollama.server.thinking.OutputParser;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The completion seen from a sink: what any reply writer gets, whatever its wire format. */
class CompletionTest {
    private static Scheduler scheduler;
    private static StoredModel stories;

    @BeforeAll
    static void load() throws Exception {
        ModelStore store = TestServer.newStore();
        scheduler = new Scheduler(ServerConfig.from(Map.of("OLLAMA_MODELS", store.root().toString())));
        stories = store.find(ModelName.parse("stories")).orElseThrow();
    }

    @AfterAll
    static void close() {
        if (scheduler != null) {
            scheduler.close();
        }
    }

    /** Records what a completion reports, and whether it started first. */
    private static final class Recorder implements CompletionSink {
        final List<Object> seen = new ArrayList<>();

        @Override
        public void start() {
            seen.add("start");
        }

        @Override
        public void accept(CompletionEvent event) {
            seen.add(event);
        }

        @Override
        public boolean cancelled() {
            return false;
        }

        @Override
        public void fail(RuntimeException e) {
            seen.add(e);
        }
    }

    private static Completion.Settings settings(int numCtx, boolean truncate, int logprobs) {
        Options options = Options.resolve(numCtx, Map.of(),
                GoJson.object().put("temperature", 0).put("num_predict", 8).put("num_ctx", numCtx));
        long now = System.nanoTime();
        return new Completion.Settings(options, truncate, true, logprobs, OutputParser.PASS_THROUGH, null, now, now);
    }

    private static Lease lease(int numCtx) throws InterruptedException {
        return scheduler.acquire(stories, numCtx, 0, Optional.empty());
    }

    @Test
    void startsThenDeltasThenDone() throws Exception {
        Recorder sink = new Recorder();
        try (Lease lease = lease(256)) {
            Completion.run(lease, "Once upon a time", settings(256, true, 1), sink);
        }
        assertThat(sink.seen.getFirst()).isEqualTo("start");
        StringBuilder text = new StringBuilder();
        int logprobs = 0;
        for (Object e : sink.seen.subList(1, sink.seen.size() - 1)) {
            CompletionEvent.Delta d = (CompletionEvent.Delta) e;
            text.append(d.text());
            logprobs += d.logprobs().size();
            assertThat(d.logprobs()).allSatisfy(l -> assertThat(l.topLogprobs()).hasSize(1));
        }
        assertThat(text.toString()).isEqualTo(", there was a little girl");
        assertThat(logprobs).isEqualTo(8);
        CompletionEvent.Done done = (CompletionEvent.Done) sink.seen.getLast();
        assertThat(done.doneReason()).isEqualTo("length");
        assertThat(done.metrics().evalCount()).isEqualTo(8);
        assertThat(done.tokens()).hasSize(done.metrics().promptEvalCount() - 1 + 8); // the context leaves BOS out
        assertThat(done.metrics().truncated()).isZero();
    }

    @Test
    void aPromptTooLongIsRefusedBeforeTheSinkStarts() throws Exception {
        Recorder sink = new Recorder();
        try (Lease lease = lease(64)) {
            assertThatThrownBy(() -> Completion.run(lease, "Once upon a time ".repeat(40), settings(64, false, -1), sink))
                    .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(400))
                    .hasMessage("the input length exceeds the context length");
        }
        assertThat(sink.seen).isEmpty();
    }

    @Test
    void aTruncatedPromptSaysByHowMuch() throws Exception {
        Recorder sink = new Recorder();
        try (Lease lease = lease(64)) {
            Completion.run(lease, "Once upon a time ".repeat(40), settings(64, true, -1), sink);
        }
        CompletionEvent.Done done = (CompletionEvent.Done) sink.seen.getLast();
        assertThat(done.metrics().truncated()).isPositive();
        assertThat(done.metrics().promptEvalCount()).isLessThan(64);
    }

    @Test
    void aFailureAfterTheStartGoesToTheSink() throws Exception {
        Recorder sink = new Recorder();
        try (Lease lease = lease(64)) {
            Completion.run(lease, new int[0], settings(64, true, -1), sink);
        }
        assertThat(sink.seen).hasSize(2);
        assertThat(sink.seen.getLast()).isInstanceOfSatisfying(IllegalArgumentException.class,
                e -> assertThat(e).hasMessage("the prompt has no tokens"));
    }
}
