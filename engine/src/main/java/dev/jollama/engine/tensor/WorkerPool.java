package dev.jollama.engine.tensor;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed set of worker threads that split a range of work items: the calling thread works too, helpers spin briefly
 * between tasks (a forward pass starts dozens of tasks per token, each lasting tens of microseconds) and park when
 * idle. Items are handed out from a shared counter in shrinking chunks (guided scheduling): a worker first takes a
 * long run of items (a long stream of consecutive weight rows), and the last chunks are small, so workers finish
 * close together and one slowed by a neighbouring process does less.
 * Nothing is allocated per task. Not a ForkJoinPool: parallel streams inside one were seen running on one thread.
 */
public final class WorkerPool implements AutoCloseable {

    /** Work on items {@code from} (inclusive) to {@code to} (exclusive), run by worker number {@code worker}. */
    public interface Task {
        void run(int worker, int from, int to);
    }

    /** How long an idle helper spins before parking, in {@link Thread#onSpinWait} rounds (tens of microseconds). */
    private static final int SPINS_BEFORE_PARK = 20_000;

    private static WorkerPool shared;

    private final int threads;
    private final Thread[] helpers;
    private final AtomicInteger nextItem = new AtomicInteger();
    private final AtomicInteger running = new AtomicInteger();
    private volatile int generation;
    private volatile boolean closed;
    private volatile Thread caller;
    private Task task;
    private int count;
    private int grain;
    private volatile Throwable failure;

    public WorkerPool(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("a worker pool needs at least one thread, not " + threads);
        }
        this.threads = threads;
        this.helpers = new Thread[threads - 1];
        for (int i = 0; i < helpers.length; i++) {
            int worker = i + 1;
            helpers[i] = Thread.ofPlatform().daemon().name("jollama-worker-" + worker).unstarted(() -> helperLoop(worker));
            helpers[i].start();
        }
    }

    /** The pool of the process, one thread per available processor, started on first use. */
    public static synchronized WorkerPool shared() {
        if (shared == null) {
            shared = new WorkerPool(Runtime.getRuntime().availableProcessors());
        }
        return shared;
    }

    public int threads() {
        return threads;
    }

    /**
     * Runs {@code task} over items 0 to count on every worker, in chunks of a multiple of {@code grain} items (a
     * share of what is left, at least {@code grain}), returning when all are done. One task at a time: callers from
     * several threads take turns.
     */
    public synchronized void run(int count, int grain, Task task) {
        if (threads == 1 || count <= grain) {
            task.run(0, 0, count);
            return;
        }
        this.task = task;
        this.count = count;
        this.grain = Math.max(1, grain);
        this.caller = Thread.currentThread();
        nextItem.set(0);
        running.set(helpers.length);
        generation++; // publishes the fields above to the helpers
        for (Thread helper : helpers) {
            LockSupport.unpark(helper);
        }
        try {
            work(0);
        } catch (Throwable t) {
            fail(t);
        }
        for (int spins = 0; running.get() != 0; spins++) {
            if (spins < SPINS_BEFORE_PARK) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(this, 50_000);
            }
        }
        this.task = null;
        // Cleared whoever failed, so that the next task does not report this one's failure.
        Throwable t = failure;
        if (t != null) {
            failure = null;
            if (t instanceof RuntimeException r) {
                throw r;
            }
            if (t instanceof Error e) {
                throw e;
            }
            throw new IllegalStateException(t);
        }
    }

    private void work(int worker) {
        Task t = task;
        int n = count, g = grain, shares = 2 * threads;
        for (int from = nextItem.get(); from < n; from = nextItem.get()) {
            int size = Math.max(g, (n - from) / shares / g * g);
            if (nextItem.compareAndSet(from, from + size)) {
                t.run(worker, from, Math.min(n, from + size));
            }
        }
    }

    private void helperLoop(int worker) {
        int seen = 0;
        while (true) {
            for (int spins = 0; generation == seen && !closed; spins++) {
                if (spins < SPINS_BEFORE_PARK) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
            if (closed) {
                return;
            }
            seen = generation;
            try {
                work(worker);
            } catch (Throwable t) {
                fail(t);
            }
            if (running.decrementAndGet() == 0) {
                LockSupport.unpark(caller);
            }
        }
    }

    /** Records a worker's failure for the caller to throw; the other workers stop taking items. */
    private void fail(Throwable t) {
        failure = t;
        nextItem.set(Integer.MAX_VALUE / 2);
    }

    @Override
    public void close() {
        closed = true;
        for (Thread helper : helpers) {
            LockSupport.unpark(helper);
        }
    }
}
