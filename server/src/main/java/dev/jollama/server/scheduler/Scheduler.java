package dev.jollama.server.scheduler;

import dev.jollama.engine.gguf.GgufFormatException;
import dev.jollama.engine.model.ImageEncoder;
import dev.jollama.engine.model.Model;
import dev.jollama.server.config.ServerConfig;
import dev.jollama.server.store.StoredModel;

import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * Keeps models loaded per Ollama's keep_alive rules: a model stays loaded while requests use it and for its session
 * duration after the last one ends; a request that states keep_alive sets the duration, one that does not keeps it.
 * Each model has OLLAMA_NUM_PARALLEL slots; requests beyond them wait, and beyond OLLAMA_MAX_QUEUE waiting are refused.
 * Models load one at a time; a request for a model already loaded does not wait for another's load.
 */
public final class Scheduler implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Scheduler.class.getName());
    /** Ollama reports "forever" as about 292 years ahead. */
    private static final Duration FOREVER = ChronoUnit.YEARS.getDuration().multipliedBy(292);

    private static final long SLOT_POLL_MILLIS = 200;

    private final ServerConfig config;
    private final Loader loader;
    private final MemoryBudget memory;
    private final InstantSource clock;
    private final Map<String, LoadedModel> loaded = new HashMap<>();
    private final Object loadLock = new Object();
    private final AtomicInteger waiting = new AtomicInteger();
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "model-expiry");
        t.setDaemon(true);
        return t;
    });

    /** Opens a model file on a pool of {@code threads} workers (0: the shared pool). */
    @FunctionalInterface
    interface Loader {
        Model load(Path path, Model.Options options);
    }

    public Scheduler(ServerConfig config) {
        this(config, Model::load, MemoryBudget.OF_THIS_PROCESS, InstantSource.system());
    }

    /**
     * @param clock decides when an idle model's keep_alive has run out (the expiry timers only make sure it is
     *              looked at then)
     */
    Scheduler(ServerConfig config, Loader loader, MemoryBudget memory, InstantSource clock) {
        this.config = config;
        this.loader = loader;
        this.memory = memory;
        this.clock = clock;
    }

    /**
     * Loads the model if needed (or reloads it with another context length or thread count), waits for a free slot
     * and gives the request a new sequence in the model's KV cache.
     *
     * @param threads   the request's num_thread: 0 or less for one per processor; more than the processors count as
     *                  one per processor (the workers spin while they wait for work, so two on one core only slow
     *                  each other down)
     * @param keepAlive the request's keep_alive, or empty when it gave none; a null duration inside means forever
     * @throws SchedulerException.QueueFull   when OLLAMA_MAX_QUEUE requests are already waiting
     * @throws SchedulerException.LoadFailed  when the model's file cannot be loaded
     */
    public Lease acquire(StoredModel stored, int contextLength, int threads, Optional<Optional<Duration>> keepAlive) throws InterruptedException {
        return acquire(stored, contextLength, threads, keepAlive, () -> false);
    }

    /**
     * As {@link #acquire(StoredModel, int, int, Optional)}, giving up the wait for a slot when the client leaves.
     *
     * @throws SchedulerException.ClientGone when {@code clientGone} turned true while the request waited
     */
    public Lease acquire(StoredModel stored, int contextLength, int threads, Optional<Optional<Duration>> keepAlive,
                         BooleanSupplier clientGone) throws InterruptedException {
        if (waiting.incrementAndGet() > config.maxQueue()) {
            waiting.decrementAndGet();
            throw new SchedulerException.QueueFull(config.maxQueue());
        }
        try {
            LoadedModel model = loadedFor(stored, contextLength, workerThreads(threads), keepAlive);
            try {
                awaitSlot(model, clientGone);
            } catch (InterruptedException | SchedulerException e) {
                release(model);
                throw e;
            }
            return new Lease(this, model, model.model.newSequence(model.contextLength));
        } finally {
            waiting.decrementAndGet();
        }
    }

    /** Waits for a slot, looking at the client between short waits (it cannot say when it leaves). */
    private static void awaitSlot(LoadedModel model, BooleanSupplier clientGone) throws InterruptedException {
        while (!model.slots.tryAcquire(SLOT_POLL_MILLIS, TimeUnit.MILLISECONDS)) {
            if (clientGone.getAsBoolean()) {
                throw new SchedulerException.ClientGone();
            }
        }
    }

    /** num_thread as the worker pool takes it: 1 to the number of processors. */
    private static int workerThreads(int requested) {
        int processors = Runtime.getRuntime().availableProcessors();
        return requested <= 0 ? processors : Math.min(requested, processors);
    }

    private LoadedModel loadedFor(StoredModel stored, int contextLength, int threads, Optional<Optional<Duration>> keepAlive) {
        LoadedModel ready = claimIfLoaded(stored, contextLength, threads, keepAlive);
        if (ready != null) {
            return ready; // without waiting for the load lock: another model's load does not hold this request up
        }
        String key = stored.name().key();
        synchronized (loadLock) { // one load at a time, as Ollama does
            synchronized (this) {
                ready = claimIfLoaded(stored, contextLength, threads, keepAlive); // loaded while this request waited
                if (ready != null) {
                    return ready;
                }
                LoadedModel current = loaded.get(key);
                if (current != null) {
                    expire(current);
                }
            }
            Model model;
            try {
                // One per processor is the shared pool, which models loaded side by side take turns on; another
                // count gets a pool of its own.
                model = loader.load(stored.modelPath(), new Model.Options(threads == Runtime.getRuntime().availableProcessors() ? 0 : threads,
                        config.kvCacheType(), config.numParallel(), contextLength));
            } catch (GgufFormatException e) {
                throw new SchedulerException.LoadFailed(stored, e);
            }
            try {
                checkMemory(stored, model);
            } catch (SchedulerException e) {
                model.close();
                throw e;
            }
            ImageEncoder images;
            try {
                images = imageEncoder(stored, model);
            } catch (GgufFormatException e) {
                model.close();
                throw new SchedulerException.LoadFailed(stored, e);
            }
            Duration session = keepAlive.isPresent() ? keepAlive.get().orElse(null) : config.keepAlive();
            LoadedModel fresh = new LoadedModel(stored, model, images, contextLength, config.numParallel(), session);
            synchronized (this) {
                evictIfFull();
                loaded.put(key, fresh);
                claim(fresh);
            }
            LOG.log(Level.INFO, "loaded {0} with context {1} on {2} threads; KV cache {3}, {4} bytes per token, {5} MiB for {6} sequences",
                    stored.name().displayName(), String.valueOf(fresh.contextLength), String.valueOf(threads),
                    model.cache().type().ollamaName(), String.valueOf(model.cache().bytesPerToken()),
                    String.valueOf(model.cache().capacityBytes() >> 20), String.valueOf(config.numParallel()));
            return fresh;
        }
    }

    /**
     * Refuses a model that would not fit, as Ollama does, before anything large is in memory: the weights are mapped
     * and the KV cache's blocks are allocated as they are first used, so what the model will need is known now.
     * It needs its weights and its KV cache at full size (num_ctx x OLLAMA_NUM_PARALLEL) from the machine, and the
     * KV cache from the Java heap besides what other loaded models' caches may still take; the scratch buffers are
     * already allocated, so they count as live heap. Idle models are unloaded first when that makes it fit.
     */
    private void checkMemory(StoredModel stored, Model model) {
        long weights = stored.manifest().totalSize();
        long cache = model.cache().capacityBytes();
        MemoryShortage shortage = shortage(weights, cache);
        if (shortage != null) {
            synchronized (this) {
                loaded.values().stream().filter(m -> m.inFlight == 0).toList().forEach(this::unload);
            }
            shortage = shortage(weights, cache);
        }
        if (shortage != null) {
            throw new SchedulerException.NotEnoughMemory(stored, shortage.required(), shortage.available(), shortage.heap());
        }
    }

    private record MemoryShortage(long required, long available, boolean heap) {
    }

    private synchronized MemoryShortage shortage(long weights, long cache) {
        long system = memory.systemAvailable();
        if (weights + cache > system) {
            return new MemoryShortage(weights + cache, system, false);
        }
        long othersCaches = loaded.values().stream().mapToLong(m -> m.model.cache().capacityBytes()).sum();
        long heap = memory.heapAvailable() - othersCaches;
        return cache > heap ? new MemoryShortage(cache, Math.max(0, heap), true) : null;
    }

    /** The model claimed for the request if it is loaded as the request needs it (same file, context and threads). */
    private synchronized LoadedModel claimIfLoaded(StoredModel stored, int contextLength, int threads,
                                                   Optional<Optional<Duration>> keepAlive) {
        unloadExpired();
        LoadedModel current = loaded.get(stored.name().key());
        if (current == null || current.requestedContextLength != contextLength || current.model.threads() != threads
                || !current.stored.digest().equals(stored.digest())) {
            return null;
        }
        keepAlive.ifPresent(k -> current.sessionDuration = k.orElse(null));
        claim(current);
        return current;
    }

    private void claim(LoadedModel model) {
        model.inFlight++;
        if (model.expiryTimer != null) {
            model.expiryTimer.cancel(false);
            model.expiryTimer = null;
        }
        model.expiresAt = null;
    }

    /** Ends a request's claim on the model. */
    synchronized void release(LoadedModel model) {
        model.inFlight--;
        if (model.inFlight == 0) {
            armExpiry(model);
        }
    }

    private void armExpiry(LoadedModel model) {
        Instant now = clock.instant();
        if (model.sessionDuration == null) {
            model.expiresAt = now.plus(FOREVER);
            return;
        }
        model.expiresAt = now.plus(model.sessionDuration);
        if (model.sessionDuration.isZero()) {
            unload(model);
        } else {
            startExpiryTimer(model, model.sessionDuration);
        }
    }

    private void startExpiryTimer(LoadedModel model, Duration delay) {
        model.expiryTimer = timers.schedule(() -> {
            synchronized (this) {
                if (model.inFlight > 0 || model.unloaded) {
                    return;
                }
                Duration left = Duration.between(clock.instant(), model.expiresAt);
                if (left.isPositive()) {
                    startExpiryTimer(model, left); // the timer ran ahead of the clock
                } else {
                    unload(model);
                }
            }
        }, delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Idle models whose keep_alive has run out by the clock, should their timer not have fired yet. */
    private void unloadExpired() {
        Instant now = clock.instant();
        for (LoadedModel m : List.copyOf(loaded.values())) {
            if (m.inFlight == 0 && m.expiresAt != null && !now.isBefore(m.expiresAt)) {
                unload(m);
            }
        }
    }

    /** keep_alive 0 with an empty prompt: unload now, or as soon as the requests in flight end. */
    public synchronized void expire(StoredModel stored) {
        LoadedModel model = loaded.get(stored.name().key());
        if (model != null) {
            expire(model);
        }
    }

    private void expire(LoadedModel model) {
        model.sessionDuration = Duration.ZERO;
        if (model.inFlight == 0) {
            unload(model);
        }
    }

    /**
     * The projector of a vision model: its own layer, or the vision tensors of Ollama's single-file Gemma 3; null for
     * a text model. Its rows must be as wide as the text model's.
     */
    private static ImageEncoder imageEncoder(StoredModel stored, Model model) {
        ImageEncoder images = stored.projectorPath() != null ? ImageEncoder.load(stored.projectorPath())
                : ImageEncoder.isProjector(model.file()) ? ImageEncoder.of(model) : null;
        if (images != null && images.textWidth() != model.config().embeddingLength()) {
            images.close();
            throw new GgufFormatException(stored.projectorPath() != null ? stored.projectorPath() : stored.modelPath(), "the projector's output is " + images.textWidth()
                    + " wide, the text model's embeddings " + model.config().embeddingLength());
        }
        return images;
    }

    private void unload(LoadedModel model) {
        if (model.unloaded) {
            return;
        }
        if (model.images != null) {
            model.images.close();
        }
        model.unloaded = true;
        loaded.remove(model.stored.name().key(), model);
        if (model.expiryTimer != null) {
            model.expiryTimer.cancel(false);
        }
        model.model.close();
        LOG.log(Level.INFO, "unloaded {0}", model.stored.name().displayName());
    }

    /** Idle models go first; among them, the one with the shortest session. */
    private void evictIfFull() {
        while (loaded.size() >= config.maxLoadedModels()) {
            Optional<LoadedModel> idle = loaded.values().stream().filter(m -> m.inFlight == 0)
                    .min(Comparator.comparing(m -> m.sessionDuration == null ? FOREVER : m.sessionDuration));
            if (idle.isEmpty()) {
                return; // all busy: go over the limit rather than fail the request
            }
            unload(idle.get());
        }
    }

    /** Whether a request holds or waits for a model (its load included). */
    public synchronized boolean busy() {
        return waiting.get() > 0 || loaded.values().stream().anyMatch(m -> m.inFlight > 0);
    }

    /** Loaded models, latest expiry first, as /api/ps lists them. */
    public synchronized List<RunningModel> running() {
        unloadExpired();
        List<RunningModel> list = new ArrayList<>();
        for (LoadedModel m : loaded.values()) {
            Instant expires = m.expiresAt != null ? m.expiresAt
                    : clock.instant().plus(m.sessionDuration == null ? FOREVER : m.sessionDuration);
            // As Ollama's, the size counts the KV cache at its full size.
            list.add(new RunningModel(m.stored, m.stored.manifest().totalSize() + m.model.cache().capacityBytes(), expires, m.contextLength));
        }
        list.sort(Comparator.comparing(RunningModel::expiresAt).reversed());
        return list;
    }

    @Override
    public synchronized void close() {
        for (LoadedModel m : List.copyOf(loaded.values())) {
            unload(m);
        }
        timers.shutdownNow();
    }
}
