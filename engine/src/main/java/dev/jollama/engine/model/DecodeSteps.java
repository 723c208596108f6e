package dev.jollama.engine.model;

import java.util.ArrayList;
import java.util.Arrays;

/**
 * Gathers single-token forward passes that threads ask for at about the same time, each on its own sequence, into
 * one pass whose rows are those sequences ({@link Transformer#forwardEach}), so that each weight matrix is read once
 * for all of them (parallel requests on one model, OLLAMA_NUM_PARALLEL above 1). The thread that finds no pass
 * running leads the next one: it waits briefly for the sequences it expects (those of the last pass, and any that
 * queued behind it), then runs the pass for everyone waiting, while the others wait for their logits. A sequence
 * decoding alone never waits.
 */
final class DecodeSteps {
    /** How long a leader waits for the sequences it expects: sampling and sending a token take far less. */
    private static final long GATHER_NANOS = 2_000_000;

    private final Transformer transformer;
    private final int vocabulary;
    /** Guarded by this object's monitor, as are the step fields of every waiting sequence. */
    private final ArrayList<Sequence> waiting = new ArrayList<>();
    private boolean running;
    private int expected = 1;
    private long sharedPasses;
    /** The leader's batch; only the leader touches these while {@link #running}. */
    private Sequence[] batch = new Sequence[1];
    private int[] tokens = new int[1];
    private float[] batchLogits = new float[0];

    DecodeSteps(Transformer transformer, int vocabulary) {
        this.transformer = transformer;
        this.vocabulary = vocabulary;
    }

    /** Feeds {@code token} to {@code s} (which has room for it) and returns its next-token logits. */
    float[] forward(Sequence s, int token) {
        boolean interrupted = false;
        int count;
        synchronized (this) {
            s.stepToken = token;
            s.stepDone = false;
            s.stepFailure = null;
            waiting.add(s);
            notifyAll(); // a leader may be waiting for this sequence
            while (running && !s.stepDone) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    interrupted = true; // the step is under way with this sequence's buffers: finish it
                }
            }
            if (s.stepDone) {
                restoreInterrupt(interrupted);
                return resultOf(s);
            }
            running = true;
            long deadline = System.nanoTime() + GATHER_NANOS;
            for (long left; waiting.size() < expected && (left = deadline - System.nanoTime()) > 0; ) {
                try {
                    wait(left / 1_000_000, (int) (left % 1_000_000));
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            count = takeBatch(s);
        }
        Throwable failure = null;
        try {
            if (count == 1) {
                s.oneToken[0] = token;
                transformer.forward(s, s.oneToken, 0, 1);
            } else {
                if (batchLogits.length < count * vocabulary) {
                    batchLogits = new float[count * vocabulary];
                }
                transformer.forwardEach(batch, tokens, count, batchLogits);
            }
        } catch (Throwable t) {
            failure = t;
        } finally {
            synchronized (this) {
                for (int i = 0; i < count; i++) {
                    batch[i].stepFailure = failure;
                    batch[i].stepDone = true;
                    batch[i] = null;
                }
                expected = count + waiting.size();
                sharedPasses += count > 1 ? 1 : 0;
                running = false;
                notifyAll();
            }
        }
        restoreInterrupt(interrupted);
        return resultOf(s);
    }

    /** Passes so far that fed more than one sequence. */
    synchronized long sharedPasses() {
        return sharedPasses;
    }

    /** Moves the leader and then the longest-waiting others, up to the leader's batch capacity, into the batch. */
    private int takeBatch(Sequence leader) {
        waiting.remove(leader);
        int count = Math.min(1 + waiting.size(), leader.batchCapacity);
        if (batch.length < count) {
            batch = Arrays.copyOf(batch, count);
            tokens = Arrays.copyOf(tokens, count);
        }
        batch[0] = leader;
        tokens[0] = leader.stepToken;
        for (int i = 1; i < count; i++) {
            Sequence other = waiting.removeFirst();
            batch[i] = other;
            tokens[i] = other.stepToken;
        }
        return count;
    }

    private static float[] resultOf(Sequence s) {
        Throwable failure = s.stepFailure;
        if (failure instanceof RuntimeException e) {
            throw e;
        }
        if (failure instanceof Error e) {
            throw e;
        }
        return s.logits;
    }

    private static void restoreInterrupt(boolean interrupted) {
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
