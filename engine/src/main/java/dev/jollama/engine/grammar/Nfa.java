package dev.jollama.engine.grammar;

import java.util.Arrays;

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
    private final boolean matchesSomething;
    /** Bytes that every edge treats alike share a class, so per-state caches need one slot per class. */
    private final byte[] classOfByte = new byte[256];
    private final int[] classRepresentative;

    /**
     * Packs a graph, trimmed of dead ends.
     *
     * @throws IllegalArgumentException when a rule is left-recursive
     */
    Nfa(TransitionGraph built) {
        built.rejectLeftRecursion();
        TransitionGraph graph = built.trimmed();
        int[][] bytes = graph.bytes();
        this.byteStart = offsets(bytes, 3);
        this.byteLo = flatten(bytes, byteStart, 3, 0);
        this.byteHi = flatten(bytes, byteStart, 3, 1);
        this.byteTarget = flatten(bytes, byteStart, 3, 2);
        this.epsilonStart = offsets(graph.epsilons(), 1);
        this.epsilonTarget = flatten(graph.epsilons(), epsilonStart, 1, 0);
        this.callStart = offsets(graph.calls(), 2);
        this.callRule = flatten(graph.calls(), callStart, 2, 0);
        this.callReturn = flatten(graph.calls(), callStart, 2, 1);
        this.ruleEntry = graph.ruleEntry();
        this.classRepresentative = computeByteClasses();
        this.matchesSomething = graph.rootMatchesSomething();
    }

    /** The root is rule 0. */
    int rootEntry() {
        return ruleEntry[0];
    }

    /** Whether any input matches; false for the empty language. */
    boolean matchesSomething() {
        return matchesSomething;
    }

    int ruleEntry(int rule) {
        return ruleEntry[rule];
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
