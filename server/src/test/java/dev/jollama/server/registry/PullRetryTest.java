package dev.jollama.server.registry;

import dev.jollama.server.store.ModelName;
import dev.jollama.server.store.ModelStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Transfer trouble, with a policy fast enough for tests: stalls, a registry failing for a while, leftover partial
 * files, pulls that nobody waits for, and removal of unused blobs racing a pull.
 */
class PullRetryTest {
    private static final TransferPolicy FAST = new TransferPolicy(2, Duration.ofMillis(20), Duration.ofMillis(500));

    private FakeRegistry registry;
    private ModelStore store;
    private ModelPuller puller;
    private FakeRegistry.Model model;
    private ModelName name;

    @BeforeEach
    void start() throws IOException {
        registry = FakeRegistry.start();
        store = new ModelStore(Path.of("target", "test-stores", UUID.randomUUID().toString()).toAbsolutePath());
        puller = new ModelPuller(store, "test", FAST);
        model = registry.publishStories("stories", "latest", "{{ .Prompt }}");
        name = ModelName.parse(registry.name("stories"));
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    /** Records statuses; abandons the pull once {@code abandonAfter} lines were reported (never when negative). */
    private static final class Recorder implements PullProgress {
        final List<String> lines = new ArrayList<>();
        final int abandonAfter;

        Recorder(int abandonAfter) {
            this.abandonAfter = abandonAfter;
        }

        @Override
        public void status(String status) {
            lines.add(status);
        }

        @Override
        public void blob(String digest, long total, long completed) {
            lines.add(digest + " " + completed + "/" + total);
        }

        @Override
        public boolean abandoned() {
            return abandonAfter >= 0 && lines.size() >= abandonAfter;
        }
    }

    private Recorder pull() throws IOException {
        Recorder progress = new Recorder(-1);
        puller.pull(name, true, progress);
        return progress;
    }

    private long partialSize(String digest) throws IOException {
        return Files.size(store.partialBlobPath(digest));
    }

    @Test
    void aStalledBodyIsAbandonedAndResumed() throws Exception {
        registry.inject(model.weightsDigest(), new FakeRegistry.Fault.Stall(200_000));
        assertThat(pull().lines).last().isEqualTo("success");
        assertThat(registry.blobRequests(model.weightsDigest())).extracting(FakeRegistry.Request::range).containsExactly(null, "bytes=200000-");
        assertThat(store.hasBlob(model.weightsDigest())).isTrue();
    }

    @Test
    void aRegistryFailingForAWhileFailsThePullAndTheRetryResumes() throws Exception {
        String digest = model.weightsDigest();
        registry.inject(digest, new FakeRegistry.Fault.Drop(300_000), new FakeRegistry.Fault.Status(503), new FakeRegistry.Fault.Status(503));
        assertThatThrownBy(this::pull).isInstanceOf(IOException.class).hasMessage("download " + digest
                + ": gave up after 2 attempts in a row that brought no data; last: GET http://" + registry.host()
                + "/v2/library/stories/blobs/" + digest + " answered 503: injected failure");
        // what arrived before the drop; bytes in flight when the connection closed may be lost
        long kept = partialSize(digest);
        assertThat(kept).isBetween(1L, 300_000L);
        assertThat(store.readManifest(name)).isEmpty();

        registry.clearRequests();
        assertThat(pull().lines).last().isEqualTo("success");
        assertThat(registry.blobRequests(digest)).extracting(FakeRegistry.Request::range).containsExactly("bytes=" + kept + "-");
        assertThat(store.hasBlob(digest)).isTrue();
        assertThat(store.partialBlobPath(digest)).doesNotExist();
    }

    @Test
    void aPartialFileOfWrongBytesIsDeletedByVerificationAndTheRetryStartsAfresh() throws Exception {
        String digest = model.weightsDigest();
        Files.createDirectories(store.partialBlobPath(digest).getParent());
        Files.write(store.partialBlobPath(digest), new byte[500]);

        assertThatThrownBy(this::pull).hasMessageStartingWith("verify " + digest + ": digest mismatch");
        assertThat(store.partialBlobPath(digest)).doesNotExist();
        assertThat(registry.blobRequests(digest)).extracting(FakeRegistry.Request::range).containsExactly("bytes=500-");

        assertThat(pull().lines).last().isEqualTo("success");
        assertThat(store.hasBlob(digest)).isTrue();
    }

    @Test
    void aDiskErrorFailsThePullWithoutRetryingAndLeavesNoModel() throws Exception {
        String digest = model.weightsDigest();
        Files.createDirectories(store.partialBlobPath(digest)); // writing the partial file fails, as on a broken disk

        assertThatThrownBy(this::pull).hasMessageStartingWith("download " + digest + ": ");
        assertThat(registry.blobRequests(digest)).hasSize(1);
        assertThat(store.readManifest(name)).isEmpty();
        assertThat(store.hasBlob(digest)).isFalse();

        Files.delete(store.partialBlobPath(digest));
        assertThat(pull().lines).last().isEqualTo("success");
    }

    @Test
    void aPullNoOneWaitsForStopsButItsDownloadCompletes() throws Exception {
        String digest = model.weightsDigest();
        CountDownLatch reached = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        registry.inject(digest, new FakeRegistry.Fault.Hold(100_000, reached, release));
        Recorder progress = new Recorder(2); // "pulling manifest" and the first progress of the weights

        assertThatThrownBy(() -> puller.pull(name, true, progress)).isInstanceOf(CancellationException.class);
        assertThat(store.readManifest(name)).isEmpty();
        assertThat(store.hasBlob(digest)).isFalse();
        release.countDown();
        for (int i = 0; i < 100 && !store.hasBlob(digest); i++) {
            Thread.sleep(50);
        }
        assertThat(store.hasBlob(digest)).isTrue();
    }

    @Test
    void blobsOfAPullInProgressSurviveRemovalOfUnusedBlobs() throws Exception {
        String weights = model.weightsDigest();
        String params = model.manifest().layers().get(2).digest();
        CountDownLatch reached = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        registry.inject(params, new FakeRegistry.Fault.Hold(5, reached, release));

        Thread pull = Thread.ofVirtual().start(() -> {
            try {
                pull();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(reached.await(10, TimeUnit.SECONDS)).isTrue();
        // The blobs download side by side: the held one can be reached before the weights are in.
        for (int i = 0; i < 200 && !store.hasBlob(weights); i++) {
            Thread.sleep(50);
        }
        assertThat(store.hasBlob(weights)).isTrue(); // verified and stored, but no manifest refers to it yet
        store.removeUnusedBlobs();
        assertThat(store.hasBlob(weights)).isTrue();
        release.countDown();
        pull.join(10_000);

        assertThat(store.readManifest(name)).isPresent();
        store.removeUnusedBlobs();
        model.digests().forEach(d -> assertThat(store.hasBlob(d)).as(d).isTrue());
    }
}
