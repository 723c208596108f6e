package dev.jollama.engine.grammar;

import java.util.Arrays;

/**
 * Where a match stands after some bytes: the set of threads, each an automaton state waiting for a byte together with
 * the stack of return states of the rules it is inside (a frame id of its {@link StateSpace}), and whether the input
 * so far is a complete match. Interned by its space, so equal states are the same object and the successor of each
 * byte class is cached on the state itself.
 */
final class GrammarState {
    /** {@code state << 32 | frame}, sorted and distinct. */
    final long[] threads;
    final boolean complete;
    private final int hash;
    /** Successors by byte class, filled in as bytes are tried. */
    GrammarState[] next;

    GrammarState(long[] threads, boolean complete) {
        this.threads = threads;
        this.complete = complete;
        this.hash = Arrays.hashCode(threads) * 2 + (complete ? 1 : 0);
    }

    /** Whether some byte can follow. */
    boolean canContinue() {
        return threads.length > 0;
    }

    /** Whether nothing can follow and the input is not a match either: no input will ever be accepted again. */
    boolean isDead() {
        return threads.length == 0 && !complete;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GrammarState other && hash == other.hash && complete == other.complete
                && Arrays.equals(threads, other.threads);
    }

    @Override
    public int hashCode() {
        return hash;
    }
}
