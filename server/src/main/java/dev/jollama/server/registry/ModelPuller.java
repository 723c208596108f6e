package dev.jollama.server.registry;

import dev.jollama.server.store.Manifest;
import dev.jollama.server.store.ModelName;
import dev.jollama.server.store.ModelStore;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.System.Logger.Level;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Pulls models into the store as Ollama's PullModel does: the manifest, then each blob not yet stored (downloads of
 * the same blob are shared between concurrent pulls), every downloaded blob verified, the manifest written last,
 * then the layers only the previous version used removed. Blobs in use by a pull are pinned, so removals elsewhere
 * cannot take them before its manifest refers to them.
 */
public final class ModelPuller {
    private static final System.Logger LOG = System.getLogger(ModelPuller.class.getName());
    /** How often progress of a running download is reported at most. */
    private static final long PROGRESS_INTERVAL_MILLIS = 100;

    private final ModelStore store;
    private final String userAgent;
    private final TransferPolicy policy;
    private final ConcurrentHashMap<String, BlobDownload> downloads = new ConcurrentHashMap<>();

    /**
     * Built on the first pull, not with the server: building it reads and parses the JDK's trust store, a fifth of a
     * second of {@code serve}'s start-up.
     */
    private static final class Registry {
        static final HttpClient HTTP = RegistryClient.newHttpClient();
    }

    public ModelPuller(ModelStore store, String version) {
        this(store, version, TransferPolicy.DEFAULT);
    }

    public ModelPuller(ModelStore store, String version, TransferPolicy policy) {
        this.store = store;
        this.userAgent = "jollama/" + version + " (" + System.getProperty("os.arch") + " "
                + System.getProperty("os.name").toLowerCase(Locale.ROOT) + ") Java/" + Runtime.version().feature();
        this.policy = policy;
    }

    /**
     * Pulls a model. Throws {@link InsecureProtocolException} before reporting anything; afterwards
     * {@link RegistryException} for what the registry answered and IOException for transfer and disk trouble, always
     * leaving the store as it was apart from blobs and partial files a retry can use.
     *
     * @throws CancellationException when {@link PullProgress#abandoned()} turned true
     */
    public void pull(ModelName name, boolean insecure, PullProgress progress) throws IOException {
        RegistryClient registry = new RegistryClient(Registry.HTTP, name, insecure, userAgent);
        ModelName target = store.resolve(name).orElse(name); // an existing model keeps its spelling
        Optional<Manifest> previous = previousManifest(target);

        progress.status("pulling manifest");
        Manifest manifest;
        try {
            manifest = registry.manifest();
        } catch (RegistryException e) {
            throw new RegistryException("pull model manifest: " + e.getMessage(), e.registryStatus(), e);
        } catch (IOException e) {
            throw new IOException("pull model manifest: " + e.getMessage(), e);
        }
        List<Manifest.Layer> blobs = new ArrayList<>(manifest.layers());
        if (manifest.config() != null) {
            blobs.add(manifest.config());
        }
        try (ModelStore.BlobPin pin = store.pinBlobs(blobs.stream().map(Manifest.Layer::digest).toList())) {
            List<BlobDownload> downloaded = new ArrayList<>();
            for (Manifest.Layer blob : blobs) {
                if (store.hasBlob(blob.digest())) {
                    progress.blob(blob.digest(), blob.size(), blob.size());
                    continue;
                }
                BlobDownload download = download(blob, registry);
                downloaded.add(download);
                awaitTransfer(download, progress);
            }
            progress.status("verifying sha256 digest");
            for (BlobDownload download : downloaded) {
                await(download.verified(), progress);
            }
            stopIfAbandoned(progress);
            progress.status("writing manifest");
            store.writeManifest(target, manifest);
        }
        Set<String> unused = digests(previous);
        unused.removeAll(digests(Optional.of(manifest)));
        if (!unused.isEmpty()) {
            progress.status("removing unused layers");
            try {
                store.removeUnusedBlobs(unused);
            } catch (IOException e) {
                // the model is pulled; a blob left behind goes with the next removal
                progress.status("couldn't remove unused layers: " + e.getMessage());
            }
        }
        progress.status("success");
    }

    private Optional<Manifest> previousManifest(ModelName name) {
        try {
            return store.readManifest(name);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "the manifest of " + name.displayName() + " is unreadable and will be replaced: " + e.getMessage());
            return Optional.empty();
        }
    }

    /** The download of this blob under way, or a new one. */
    private BlobDownload download(Manifest.Layer blob, RegistryClient registry) {
        String key = blob.digest().toLowerCase(Locale.ROOT);
        BlobDownload download = downloads.computeIfAbsent(key, k -> {
            BlobDownload created = new BlobDownload(store, blob, registry, policy);
            created.verified().whenComplete((done, failure) -> downloads.remove(k, created));
            return created;
        });
        download.start();
        return download;
    }

    private static void awaitTransfer(BlobDownload download, PullProgress progress) throws IOException {
        long reported = -1;
        while (true) {
            stopIfAbandoned(progress);
            long completed = download.completed();
            if (completed != reported) {
                progress.blob(download.digest(), download.size(), completed);
                reported = completed;
            }
            if (download.transferred().isDone()) {
                await(download.transferred(), progress);
                if (reported != download.size()) {
                    progress.blob(download.digest(), download.size(), download.size());
                }
                return;
            }
            try {
                download.transferred().get(PROGRESS_INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException | ExecutionException e) {
                // reported on the next round
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("pull interrupted");
            }
        }
    }

    /** Waits for a download step; its failure is rethrown as it was raised. */
    private static void await(CompletableFuture<Void> step, PullProgress progress) throws IOException {
        while (true) {
            try {
                step.get(PROGRESS_INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
                return;
            } catch (TimeoutException e) {
                stopIfAbandoned(progress);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof IOException io) {
                    throw io;
                }
                throw new IOException(e.getCause().getMessage(), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("pull interrupted");
            }
        }
    }

    private static void stopIfAbandoned(PullProgress progress) {
        if (progress.abandoned()) {
            throw new CancellationException("no one waits for the pull any more");
        }
    }

    private static Set<String> digests(Optional<Manifest> manifest) {
        Set<String> digests = new LinkedHashSet<>();
        manifest.ifPresent(m -> {
            if (m.config() != null) {
                digests.add(m.config().digest().toLowerCase(Locale.ROOT));
            }
            if (m.layers() != null) {
                m.layers().forEach(l -> digests.add(l.digest().toLowerCase(Locale.ROOT)));
            }
        });
        return digests;
    }
}
