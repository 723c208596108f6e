package dev.jollama.engine.grammar;

import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The states of one grammar met so far, built lazily: a state's successor for a byte is computed once (the closure
 * over epsilon edges, rule calls and returns) and then cached, so a match behaves like a DFA built on demand. Also
 * owns the return stacks (frames), interned as parent-linked nodes so threads can name a whole stack by an int.
 *
 * <p>Not thread-safe: one space serves one generation.
 */
final class StateSpace {
    /** The frame of the root: returning from it completes the match. */
    private static final int ROOT_FRAME = 0;
    /** Beyond this many cached states the cache starts over (states stay valid; only the sharing is lost). */
    private static final int MAX_CACHED_STATES = 50_000;

    private final Nfa nfa;
    private final Map<GrammarState, GrammarState> states = new HashMap<>();
    private final Map<Long, Integer> frameIds = new HashMap<>();
    private int[] frameReturn = new int[64];
    private int[] frameParent = new int[64];
    private int frameCount = 1;
    private final GrammarState dead;

    // Scratch for closures, reused to keep cache misses cheap.
    private final Set<Long> visited = new HashSet<>();
    private long[] pending = new long[64];
    private long[] found = new long[64];

    StateSpace(Nfa nfa) {
        this.nfa = nfa;
        this.dead = intern(new GrammarState(new long[0], false));
    }

    GrammarState initial() {
        return closure(new long[] {thread(nfa.rootEntry(), ROOT_FRAME)}, 1);
    }

    GrammarState dead() {
        return dead;
    }

    /** The state after one more byte ({@link #dead()} when the byte is not allowed). */
    GrammarState advance(GrammarState from, int b) {
        GrammarState[] next = from.next;
        if (next == null) {
            next = from.next = new GrammarState[nfa.classCount()];
        }
        int byteClass = nfa.classOf(b);
        GrammarState to = next[byteClass];
        if (to == null) {
            to = next[byteClass] = step(from, nfa.representative(byteClass));
        }
        return to;
    }

    /** The state after some bytes, {@link #dead()} as soon as one is not allowed. */
    GrammarState advance(GrammarState from, byte[] bytes) {
        GrammarState state = from;
        for (int i = 0; i < bytes.length && !state.isDead(); i++) {
            state = advance(state, bytes[i] & 0xFF);
        }
        return state;
    }

    /**
     * Keeps the cache bounded over long generations: when it is full, starts over from a fresh copy of the current
     * state (old states become garbage once nothing refers to them).
     */
    GrammarState trimmed(GrammarState current) {
        if (states.size() <= MAX_CACHED_STATES) {
            return current;
        }
        states.clear();
        states.put(dead, dead);
        return intern(new GrammarState(current.threads, current.complete));
    }

    private GrammarState step(GrammarState from, int b) {
        int count = 0;
        for (long thread : from.threads) {
            int state = (int) (thread >>> 32);
            for (int e = nfa.firstByteEdge(state); e < nfa.endByteEdge(state); e++) {
                if (nfa.edgeMatches(e, b)) {
                    count = push(count, thread(nfa.edgeTarget(e), (int) thread));
                }
            }
        }
        return count == 0 ? dead : closure(Arrays.copyOf(pending, count), count);
    }

    /** Follows epsilon edges, calls and returns from the given threads to the threads that wait for a byte. */
    private GrammarState closure(long[] starts, int count) {
        visited.clear();
        System.arraycopy(starts, 0, pending, 0, count);
        int stack = count;
        int foundCount = 0;
        boolean complete = false;
        while (stack > 0) {
            long thread = pending[--stack];
            if (!visited.add(thread)) {
                continue;
            }
            int state = (int) (thread >>> 32);
            int frame = (int) thread;
            if (state == Nfa.RETURN) {
                if (frame == ROOT_FRAME) {
                    complete = true;
                } else {
                    stack = push(stack, thread(frameReturn[frame], frameParent[frame]));
                }
                continue;
            }
            if (nfa.hasByteEdges(state)) {
                if (foundCount == found.length) {
                    found = Arrays.copyOf(found, foundCount * 2);
                }
                found[foundCount++] = thread;
            }
            for (int e = nfa.firstEpsilon(state); e < nfa.endEpsilon(state); e++) {
                stack = push(stack, thread(nfa.epsilonTarget(e), frame));
            }
            for (int e = nfa.firstCall(state); e < nfa.endCall(state); e++) {
                stack = push(stack, thread(nfa.ruleEntry(nfa.callRule(e)), frame(nfa.callReturn(e), frame)));
            }
        }
        long[] threads = Arrays.copyOf(found, foundCount);
        Arrays.sort(threads);
        return intern(new GrammarState(threads, complete));
    }

    private int push(int size, long thread) {
        if (size == pending.length) {
            pending = Arrays.copyOf(pending, size * 2);
        }
        pending[size] = thread;
        return size + 1;
    }

    private int frame(int returnState, int parent) {
        return frameIds.computeIfAbsent((long) returnState << 32 | parent, key -> {
            if (frameCount == frameReturn.length) {
                frameReturn = Arrays.copyOf(frameReturn, frameCount * 2);
                frameParent = Arrays.copyOf(frameParent, frameCount * 2);
            }
            frameReturn[frameCount] = returnState;
            frameParent[frameCount] = parent;
            return frameCount++;
        });
    }

    private GrammarState intern(GrammarState state) {
        GrammarState existing = states.putIfAbsent(state, state);
        return existing != null ? existing : state;
    }

    private static long thread(int state, int frame) {
        return (long) state << 32 | frame;
    }
}
