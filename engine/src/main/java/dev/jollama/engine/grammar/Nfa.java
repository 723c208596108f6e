package dev.jollama.engine.grammar;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Deque;

/**
 * A grammar compiled to a recursive transition network over bytes: states with byte-range edges, epsilon edges and
 * call edges (enter a rule, continue at a return state when it ends). Every rule body ends in {@link #RETURN}.
 * Immutable, so one compiled grammar can serve many matchers.
 */
final class Nfa {
    /** The state every rule body ends in; reaching it returns to the caller (or completes the root). */
    static final int RETURN = 0;

    private final int[] byteStart;
    private final int[] byteLo;
    private final int[] byteHi;
    private final int[] byteTarget;
    private final int[] epsilonStart;
    private final int[] epsilonTarget;
    private final int[] callStart;
    private final int[] callRule;
    private final int[] callReturn;
    private final int[] ruleEntry;
    private final String[] ruleNames;
    private final int rootRule;
    /** Bytes that every edge treats alike share a class, so per-state caches need one slot per class. */
    private final byte[] classOfByte = new byte[256];
    private final int[] classRepresentative;

    Nfa(int[][] bytes, int[][] epsilons, int[][] calls, int[] ruleEntry, String[] ruleNames, int rootRule) {
        int states = bytes.length;
        this.byteStart = offsets(bytes, 3);
        this.byteLo = new int[byteStart[states]];
        this.byteHi = new int[byteStart[states]];
        this.byteTarget = new int[byteStart[states]];
        for (int s = 0; s < states; s++) {
            for (int i = 0, e = byteStart[s]; i < bytes[s].length; i += 3, e++) {
                byteLo[e] = bytes[s][i];
                byteHi[e] = bytes[s][i + 1];
                byteTarget[e] = bytes[s][i + 2];
            }
        }
        this.epsilonStart = offsets(epsilons, 1);
        this.epsilonTarget = flatten(epsilons, epsilonStart, 1, 0);
        this.callStart = offsets(calls, 2);
        this.callRule = flatten(calls, callStart, 2, 0);
        this.callReturn = flatten(calls, callStart, 2, 1);
        this.ruleEntry = ruleEntry;
        this.ruleNames = ruleNames;
        this.rootRule = rootRule;
        this.classRepresentative = computeByteClasses();
        rejectLeftRecursion();
    }

    int rootEntry() {
        return ruleEntry[rootRule];
    }

    int ruleEntry(int rule) {
        return ruleEntry[rule];
    }

    int stateCount() {
        return byteStart.length - 1;
    }

    int firstByteEdge(int state) {
        return byteStart[state];
    }

    int endByteEdge(int state) {
        return byteStart[state + 1];
    }

    boolean hasByteEdges(int state) {
        return byteStart[state + 1] > byteStart[state];
    }

    boolean edgeMatches(int edge, int b) {
        return b >= byteLo[edge] && b <= byteHi[edge];
    }

    int edgeTarget(int edge) {
        return byteTarget[edge];
    }

    int firstEpsilon(int state) {
        return epsilonStart[state];
    }

    int endEpsilon(int state) {
        return epsilonStart[state + 1];
    }

    int epsilonTarget(int edge) {
        return epsilonTarget[edge];
    }

    int firstCall(int state) {
        return callStart[state];
    }

    int endCall(int state) {
        return callStart[state + 1];
    }

    int callRule(int edge) {
        return callRule[edge];
    }

    int callReturn(int edge) {
        return callReturn[edge];
    }

    int classCount() {
        return classRepresentative.length;
    }

    int classOf(int b) {
        return classOfByte[b] & 0xFF;
    }

    int representative(int byteClass) {
        return classRepresentative[byteClass];
    }

    private int[] computeByteClasses() {
        boolean[] startsClass = new boolean[257];
        startsClass[0] = true;
        for (int e = 0; e < byteLo.length; e++) {
            startsClass[byteLo[e]] = true;
            startsClass[byteHi[e] + 1] = true;
        }
        int[] representatives = new int[256];
        int classes = 0;
        for (int b = 0; b < 256; b++) {
            if (startsClass[b]) {
                representatives[classes++] = b;
            }
            classOfByte[b] = (byte) (classes - 1);
        }
        return Arrays.copyOf(representatives, classes);
    }

    /**
     * A rule that can reach a call of itself without reading a byte would make the matcher's stacks grow forever;
     * such a grammar is a programming error here (the schema compiler reports circular references itself).
     */
    private void rejectLeftRecursion() {
        int rules = ruleEntry.length;
        boolean[] nullable = fixpoint(false);
        BitSet[] calls = new BitSet[rules];
        for (int r = 0; r < rules; r++) {
            calls[r] = new BitSet();
            reachesEnd(r, false, nullable, calls[r]);
        }
        int[] color = new int[rules]; // 0 unvisited, 1 on the current path, 2 done
        for (int r = 0; r < rules; r++) {
            rejectCycleFrom(r, calls, color);
        }
    }

    /** Whether some input matches the whole grammar (a grammar may be empty, say a schema no value satisfies). */
    boolean matchesSomething() {
        return fixpoint(true)[rootRule];
    }

    /**
     * The rules that can reach their end: with {@code throughBytes} false, without reading input (nullable rules);
     * with it true, on some input (productive rules).
     */
    private boolean[] fixpoint(boolean throughBytes) {
        boolean[] reaches = new boolean[ruleEntry.length];
        boolean changed = true;
        while (changed) {
            changed = false;
            for (int r = 0; r < ruleEntry.length; r++) {
                if (!reaches[r] && reachesEnd(r, throughBytes, reaches, new BitSet())) {
                    reaches[r] = true;
                    changed = true;
                }
            }
        }
        return reaches;
    }

    private void rejectCycleFrom(int rule, BitSet[] calls, int[] color) {
        if (color[rule] == 2) {
            return;
        }
        if (color[rule] == 1) {
            throw new IllegalArgumentException("rule '" + ruleNames[rule] + "' can call itself without reading input");
        }
        color[rule] = 1;
        for (int callee = calls[rule].nextSetBit(0); callee >= 0; callee = calls[rule].nextSetBit(callee + 1)) {
            rejectCycleFrom(callee, calls, color);
        }
        color[rule] = 2;
    }

    /**
     * Walks a rule's states, through byte edges only if {@code throughBytes}, stepping over calls of the rules
     * marked {@code passable} and recording every rule called on the way; returns whether the rule's end is reached.
     */
    private boolean reachesEnd(int rule, boolean throughBytes, boolean[] passable, BitSet called) {
        BitSet seen = new BitSet();
        Deque<Integer> pending = new ArrayDeque<>();
        pending.push(ruleEntry[rule]);
        boolean reachesEnd = false;
        while (!pending.isEmpty()) {
            int s = pending.pop();
            if (seen.get(s)) {
                continue;
            }
            seen.set(s);
            reachesEnd |= s == RETURN;
            for (int e = epsilonStart[s]; e < epsilonStart[s + 1]; e++) {
                pending.push(epsilonTarget[e]);
            }
            for (int e = throughBytes ? byteStart[s] : 0; e < (throughBytes ? byteStart[s + 1] : 0); e++) {
                pending.push(byteTarget[e]);
            }
            for (int e = callStart[s]; e < callStart[s + 1]; e++) {
                called.set(callRule[e]);
                if (passable[callRule[e]]) {
                    pending.push(callReturn[e]);
                }
            }
        }
        return reachesEnd;
    }

    private static int[] offsets(int[][] perState, int width) {
        int[] start = new int[perState.length + 1];
        for (int s = 0; s < perState.length; s++) {
            start[s + 1] = start[s] + perState[s].length / width;
        }
        return start;
    }

    private static int[] flatten(int[][] perState, int[] start, int width, int field) {
        int[] out = new int[start[perState.length]];
        for (int s = 0; s < perState.length; s++) {
            for (int i = field, e = start[s]; i < perState[s].length; i += width, e++) {
                out[e] = perState[s][i];
            }
        }
        return out;
    }
}
