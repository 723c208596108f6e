package dev.jollama.engine.model;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Continuous batching: one thread runs a model's forward passes for every sequence that has tokens to feed. Each
 * step takes the next token of every sequence that is decoding, fills the rest of a batch with prompt tokens (the
 * longest-waiting prompt first), and runs them as one pass, so each weight matrix is read once for all of them. A
 * step with decode rows takes at most half a batch of prompt rows, so a long prompt arriving delays running streams
 * by less than one full prompt chunk's time per step. A prompt whose caller is cancelled leaves at the next step. An
 * image whose rows attend to each other both ways goes into one step whole, past that half if need be: the batch
 * grows to hold one such image beside a full batch's other rows.
 */
public final class StepRunner implements AutoCloseable {
    /**
     * How long a step waits for the sequences that decoded in the last one to send their next token: sampling and
     * sending a token take far less, and a step that leaves one out makes it wait a whole step for its own. After a
     * long step (prompt rows beside the decodes) it waits up to a sixteenth of that step's time: with 2 ms alone, a
     * stream beside a 2,000-token prompt missed about one step in sixty and waited two (server-bench: largest gap
     * 1.03 chunks where the others were 0.5).
     */
    private static final long GATHER_NANOS = 2_000_000;
    private static final int GATHER_SHARE_OF_STEP = 16;
    private static final List<GarbageCollectorMXBean> COLLECTORS = ManagementFactory.getGarbageCollectorMXBeans();
    /**
     * Prompt rows a step takes beside decode rows. With a full batch of them, a stream's next token waited a whole
     * 64-row chunk plus its own row, and longer as the prompt's attention grew (server-bench: largest gap 1.4-2.2
     * chunks while a 2,000-token prompt ran).
     */
    private static final int PROMPT_ROWS_BESIDE_DECODES = Model.BATCH_CAPACITY / 2;

    private final Model model;
    private Batch batch = new Batch(Model.BATCH_CAPACITY);
    /** The rows the next step's batch holds; grows with the largest image fed. Guarded by this object's monitor. */
    private int batchCapacity = Model.BATCH_CAPACITY;
    /** Guarded by this object's monitor. */
    private final ArrayDeque<Work> pending = new ArrayDeque<>();
    private final List<Work> step = new ArrayList<>();
    private Thread thread;
    private boolean closed;
    private long steps;
    private long sharedSteps;
    private int mostPromptRowsBesideDecodes;
    /** Decoding sequences of the last step, whose next tokens the next step waits for (briefly). */
    private int expectedDecodes;
    /** How long the last step's forward pass took. */
    private long lastStepNanos;

    StepRunner(Model model) {
        this.model = model;
    }

    /** Tokens one caller waits to have fed to its sequence, and how far they got. */
    private static final class Work {
        final Sequence sequence;
        final int[] tokens;
        /** Of the prompt's image rows (negative keys in {@code tokens}): their images and indexes. */
        final Map<Integer, PromptImage.Row> imageRows;
        final int end;
        final BooleanSupplier cancelled;
        int next;
        /** Rows this work has in the running step. */
        int stepRows;
        boolean done;
        boolean wasCancelled;
        Throwable failure;

        Work(Sequence sequence, int[] tokens, List<PromptImage> images, int from, int to, BooleanSupplier cancelled) {
            this.sequence = sequence;
            this.tokens = tokens;
            this.imageRows = images.isEmpty() ? Map.of() : PromptImage.Row.index(images);
            this.next = from;
            this.end = to;
            this.cancelled = cancelled;
        }
    }

    /**
     * Feeds {@code tokens[from..to)} to the sequence in the shared steps and returns the logits of the token after
     * the last (the sequence's {@link Sequence#logits()}), or null when {@code cancelled} said so before all were fed
     * (the sequence then holds those that were).
     */
    public float[] feed(Sequence sequence, int[] tokens, int from, int to, BooleanSupplier cancelled) {
        return feed(sequence, tokens, List.of(), from, to, cancelled);
    }

    /**
     * As {@link #feed(Sequence, int[], int, int, BooleanSupplier)}, where {@code tokens} may hold the keys of
     * {@code images}' rows ({@link PromptImage#key}), which are fed as those images' embeddings.
     */
    public float[] feed(Sequence sequence, int[] tokens, List<PromptImage> images, int from, int to, BooleanSupplier cancelled) {
        if (from >= to) {
            throw new IllegalArgumentException("no tokens to feed (" + from + ".." + to + ")");
        }
        if (sequence.length() + to - from > sequence.contextLength()) {
            throw new IllegalStateException("the sequence is full (" + sequence.contextLength() + " tokens)");
        }
        Work work = new Work(sequence, tokens, images, from, to, cancelled);
        for (int i = from; i < to; i++) {
            if (tokens[i] < 0 && !work.imageRows.containsKey(tokens[i])) {
                throw new IllegalArgumentException("position " + i + " holds " + tokens[i] + ", neither a token nor a row of the prompt's images");
            }
        }
        boolean interrupted = false;
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("the model is closed");
            }
            for (PromptImage image : images) {
                if (image.attendBothWays()) {
                    batchCapacity = Math.max(batchCapacity, Model.BATCH_CAPACITY + image.rows());
                }
            }
            pending.add(work);
            if (thread == null) {
                thread = Thread.ofPlatform().daemon().name("jollama-steps").start(this::loop);
            }
            notifyAll();
            while (!work.done) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    interrupted = true; // a step may be using the sequence: wait for it
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (work.failure instanceof RuntimeException e) {
            throw e;
        }
        if (work.failure instanceof Error e) {
            throw e;
        }
        return work.wasCancelled ? null : sequence.logits();
    }

    /** Feeds one token (a decode step) and returns the logits of the next. */
    public float[] decode(Sequence sequence, int token) {
        return feed(sequence, new int[] {token}, 0, 1, () -> false);
    }

    /** Steps run so far, and those that fed more than one sequence. */
    public synchronized long steps() {
        return steps;
    }

    public synchronized long sharedSteps() {
        return sharedSteps;
    }

    /** The most prompt rows a step has taken beside decode rows so far (a both-ways image may take it past the limit). */
    synchronized int mostPromptRowsBesideDecodes() {
        return mostPromptRowsBesideDecodes;
    }

    private void loop() {
        while (true) {
            synchronized (this) {
                while (pending.isEmpty() && !closed) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (closed) {
                    return;
                }
                awaitDecodes();
                takeStep();
            }
            Throwable failure = null;
            long start = System.nanoTime();
            try {
                if (batch.size() > 0) {
                    model.forward(batch);
                }
            } catch (Throwable t) {
                failure = t;
            }
            synchronized (this) {
                lastStepNanos = System.nanoTime() - start;
                finishStep(failure);
            }
        }
    }

    /**
     * Waits up to {@link #GATHER_NANOS} (longer after a long step) until as many sequences want a decode step as had
     * one last time. A collection pause meanwhile does not count: it stops the streams' threads too (a 65 ms young
     * collection, copying KV cache pages just allocated, left a stream out of a step beside a long prompt).
     */
    private void awaitDecodes() {
        long deadline = System.nanoTime() + Math.max(GATHER_NANOS, lastStepNanos / GATHER_SHARE_OF_STEP);
        long collected = collectionMillis();
        while (decodesPending() < expectedDecodes && !closed) {
            long paused = collectionMillis() - collected;
            long left = deadline + paused * 1_000_000 - System.nanoTime();
            if (left <= 0) {
                return;
            }
            try {
                wait(left / 1_000_000, (int) (left % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Milliseconds the garbage collectors have spent so far. */
    private static long collectionMillis() {
        long millis = 0;
        for (GarbageCollectorMXBean collector : COLLECTORS) {
            millis += Math.max(0, collector.getCollectionTime());
        }
        return millis;
    }

    private int decodesPending() {
        int n = 0;
        for (Work w : pending) {
            n += w.end - w.next == 1 ? 1 : 0;
        }
        return n;
    }

    /**
     * Decoding sequences first (a row each), then prompt tokens in arrival order, as far as the batch holds (or
     * {@link #PROMPT_ROWS_BESIDE_DECODES} of them when there are decode rows).
     */
    private void takeStep() {
        if (batch.capacity() < batchCapacity) {
            batch = new Batch(batchCapacity);
        }
        batch.clear();
        step.clear();
        for (Work w : pending) {
            if (w.end - w.next == 1) {
                addRows(w, 1);
            }
        }
        int decodeRows = batch.size();
        // A stream whose next token missed the gathering still keeps the step short: it then waits two short steps,
        // not a full batch of prompt rows and then its own.
        boolean streams = decodeRows > 0 || expectedDecodes > 0;
        int limit = streams ? Math.min(batch.capacity(), decodeRows + PROMPT_ROWS_BESIDE_DECODES) : batch.capacity();
        for (var it = pending.iterator(); it.hasNext() && batch.size() < limit; ) {
            Work w = it.next();
            if (w.end - w.next == 1) {
                continue;
            }
            if (w.cancelled.getAsBoolean()) {
                w.wasCancelled = true;
                w.done = true;
                it.remove();
                notifyAll();
                continue;
            }
            int count = wholeImages(w, Math.min(w.end - w.next, limit - batch.size()), batch.capacity() - batch.size());
            if (count > 0) {
                addRows(w, count);
            }
        }
        if (decodeRows > 0) {
            mostPromptRowsBesideDecodes = Math.max(mostPromptRowsBesideDecodes, batch.size() - decodeRows);
        }
    }

    /**
     * Of {@code count} rows from the work's next, those up to the start of an image the cut would split, when its
     * rows attend both ways: the image waits for the next step. An image that starts at the work's next is taken whole
     * when the batch has {@code room} for it, even past {@code count}; else it waits for a step with room.
     */
    private static int wholeImages(Work w, int count, int room) {
        int last = w.next + count - 1;
        PromptImage.Row row = w.tokens[last] < 0 ? w.imageRows.get(w.tokens[last]) : null;
        if (row == null || !row.image().attendBothWays() || row.rowsAfter() == 0 || last + 1 == w.end) {
            return count;
        }
        int imageStart = last - row.index();
        if (imageStart > w.next) {
            return imageStart - w.next;
        }
        int throughImage = last + 1 + row.rowsAfter() - w.next;
        return throughImage <= room ? throughImage : 0;
    }

    private void addRows(Work w, int count) {
        for (int i = 0; i < count; i++) {
            int index = w.next + i;
            Batch.Output output = index == w.end - 1 ? Batch.Output.LOGITS : Batch.Output.NONE;
            int token = w.tokens[index];
            PromptImage.Row row = token < 0 ? w.imageRows.get(token) : null;
            if (row == null) {
                batch.add(w.sequence, token, output);
            } else {
                PromptImage image = row.image();
                batch.addVector(w.sequence, token, image.embeddings(), row.index() * image.width(),
                        image.attendBothWays() ? row.rowsAfter() : 0, output);
            }
        }
        w.stepRows = count;
        step.add(w);
    }

    private void finishStep(Throwable failure) {
        steps++;
        sharedSteps += step.size() > 1 ? 1 : 0;
        expectedDecodes = 0;
        for (Work w : step) {
            // A sequence that took its last prompt token or a decode token here will most likely decode next.
            expectedDecodes += w.next + w.stepRows == w.end ? 1 : 0;
            w.next += w.stepRows;
            if (failure != null || w.next == w.end) {
                w.failure = failure;
                w.done = true;
                pending.remove(w);
            }
        }
        step.clear();
        batch.clear();
        notifyAll();
    }

    @Override
    public synchronized void close() {
        closed = true;
        for (Work w : pending) {
            w.failure = new IllegalStateException("the model was closed");
            w.done = true;
        }
        pending.clear();
        notifyAll();
    }
}
