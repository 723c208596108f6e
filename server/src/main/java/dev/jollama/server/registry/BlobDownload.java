package dev.jollama.server.registry;

import dev.jollama.server.store.Manifest;
import dev.jollama.server.store.ModelStore;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One blob on its way into the store: bytes appended to its partial file (continuing with a Range request from
 * whatever an earlier attempt or pull left there), then verified and made the blob. It runs on its own thread so that
 * every pull needing the blob can wait for the same download, and it finishes even if they stop waiting.
 */
final class BlobDownload {
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("blob-stall-watchdog").factory());

    private final ModelStore store;
    private final String digest;
    private final long size;
    private final RegistryClient registry;
    private final TransferPolicy policy;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicLong completed = new AtomicLong();
    private final CompletableFuture<Void> transferred = new CompletableFuture<>();
    private final CompletableFuture<Void> verified = new CompletableFuture<>();

    BlobDownload(ModelStore store, Manifest.Layer blob, RegistryClient registry, TransferPolicy policy) {
        this.store = store;
        this.digest = blob.digest();
        this.size = blob.size();
        this.registry = registry;
        this.policy = policy;
    }

    /** Starts the download unless it already runs. */
    void start() {
        if (started.compareAndSet(false, true)) {
            Thread.ofVirtual().name("download " + digest).start(this::run);
        }
    }

    String digest() {
        return digest;
    }

    long size() {
        return size;
    }

    /** Bytes in the partial file so far. */
    long completed() {
        return completed.get();
    }

    /** Done when every byte is in the partial file. */
    CompletableFuture<Void> transferred() {
        return transferred;
    }

    /** Done when the blob is verified and in the store. */
    CompletableFuture<Void> verified() {
        return verified;
    }

    private void run() {
        try {
            if (!store.hasBlob(digest)) {
                try {
                    transfer();
                } catch (RegistryException e) {
                    throw new RegistryException("download " + digest + ": " + e.getMessage(), e.registryStatus(), e);
                } catch (IOException e) {
                    throw new IOException("download " + digest + ": " + e.getMessage(), e);
                }
                transferred.complete(null);
                try {
                    store.completePartialBlob(digest);
                } catch (ModelStore.BlobDigestMismatchException e) {
                    throw new IOException("verify " + digest + ": " + e.getMessage() + "; the downloaded bytes were deleted, pull again", e);
                }
            }
            completed.set(size);
            transferred.complete(null);
            verified.complete(null);
        } catch (Throwable e) {
            transferred.completeExceptionally(e);
            verified.completeExceptionally(e);
        }
    }

    private void transfer() throws IOException, InterruptedException {
        Path partial = store.partialBlobPath(digest);
        Files.createDirectories(partial.getParent());
        int failures = 0;
        while (true) {
            long offset = Files.exists(partial) ? Files.size(partial) : 0;
            if (offset > size) {
                Files.delete(partial); // longer than the blob, so not a prefix of it
                offset = 0;
            }
            completed.set(offset);
            if (offset == size) {
                return;
            }
            try {
                append(partial, offset);
                return;
            } catch (StoreWriteFailed e) {
                Files.deleteIfExists(partial);
                throw new IOException(e.getMessage() + "; the partial download was removed", e);
            } catch (ConnectionTrouble e) {
                if (e.progressed) {
                    failures = 0; // the registry works and the connection dropped: resume at once
                    continue;
                }
                if (++failures >= policy.maxFailuresWithoutProgress()) {
                    throw new IOException("gave up after " + failures + " attempts in a row that brought no data; last: " + e.getMessage(), e);
                }
                Thread.sleep(policy.backoff().multipliedBy(failures));
            }
        }
    }

    /** One request: the bytes from {@code offset} on, appended to the partial file until the blob's size. */
    private void append(Path partial, long offset) throws IOException {
        RegistryClient.BlobBody body;
        try {
            body = registry.blob(digest, offset);
        } catch (RegistryException e) {
            if (e.isTransient()) {
                throw new ConnectionTrouble(e.getMessage(), false, e);
            }
            throw e;
        } catch (InterruptedIOException e) {
            throw e;
        } catch (IOException e) {
            throw new ConnectionTrouble(e.getMessage(), false, e);
        }
        try (InputStream in = body.stream();
             FileChannel out = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            long start = body.start();
            if (start > offset) {
                throw new RegistryException("GET " + body.uri() + " sent bytes from " + start + " when asked for bytes from " + offset, 206);
            }
            out.truncate(start); // below offset when the registry ignored the Range (a 200 starts at 0)
            out.position(start);
            long position = start;
            completed.set(position);
            AtomicLong lastData = new AtomicLong(System.nanoTime());
            AtomicBoolean stalled = new AtomicBoolean();
            long checkMillis = Math.max(1, policy.stallTimeout().toMillis() / 4);
            // A half-open connection never fails a read: closing the stream is what wakes the reader up.
            ScheduledFuture<?> watch = WATCHDOG.scheduleAtFixedRate(() -> {
                if (System.nanoTime() - lastData.get() > policy.stallTimeout().toNanos() && stalled.compareAndSet(false, true)) {
                    closeQuietly(in);
                }
            }, checkMillis, checkMillis, TimeUnit.MILLISECONDS);
            try {
                byte[] buffer = new byte[1 << 16];
                while (position < size) {
                    int n;
                    try {
                        n = in.read(buffer, 0, (int) Math.min(buffer.length, size - position));
                    } catch (IOException e) {
                        String why = stalled.get() ? "no data for " + policy.stallTimeout().toSeconds() + " s" : e.getMessage();
                        throw new ConnectionTrouble("GET " + body.uri() + ": " + why + " after " + position + " of " + size + " bytes", position > offset, e);
                    }
                    if (n < 0) {
                        throw new ConnectionTrouble("GET " + body.uri() + ": the body ended after " + position + " of " + size + " bytes", position > offset, null);
                    }
                    lastData.set(System.nanoTime());
                    write(out, ByteBuffer.wrap(buffer, 0, n));
                    position += n;
                    completed.set(position);
                }
            } finally {
                watch.cancel(false);
            }
            try {
                out.force(true); // the bytes are on disk before verification makes them the blob
            } catch (IOException e) {
                throw new StoreWriteFailed(e);
            }
        }
    }

    private static void write(FileChannel out, ByteBuffer bytes) throws StoreWriteFailed {
        try {
            while (bytes.hasRemaining()) {
                out.write(bytes);
            }
        } catch (IOException e) {
            throw new StoreWriteFailed(e);
        }
    }

    /** The store could not take the bytes (a full disk, most likely): nothing to resume from, unlike a dropped connection. */
    private static final class StoreWriteFailed extends IOException {
        StoreWriteFailed(IOException cause) {
            super("cannot write to the model store: " + cause.getMessage(), cause);
        }
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // the reader sees the stream closed either way
        }
    }

    /**
     * The connection failed or dropped, or the registry failed for now: worth another attempt. {@code progressed}:
     * the partial file grew past where the attempt started.
     */
    private static final class ConnectionTrouble extends IOException {
        final boolean progressed;

        ConnectionTrouble(String message, boolean progressed, Throwable cause) {
            super(message, cause);
            this.progressed = progressed;
        }
    }
}
