package dev.jollama.engine.grammar;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Deque;

/**
 * The compiled states with their edges as built, before they are packed into an {@link Nfa}, and the checks that
 * need whole rules: which rules can match the empty string or anything at all, which states can still reach the
 * end of their rule, and left recursion.
 *
 * @param bytes     per state, triples (lo, hi, target)
 * @param epsilons  per state, targets
 * @param calls     per state, pairs (rule, return state)
 * @param ruleEntry per rule, its entry state (rule 0 is the root)
 */
record TransitionGraph(int[][] bytes, int[][] epsilons, int[][] calls, int[] ruleEntry, String[] ruleNames) {

    /**
     * The graph without the states that cannot reach the end of their rule (and without calls of rules that can
     * match nothing), so a matcher never walks into a dead end where the input so far is a prefix of nothing.
     */
    TransitionGraph trimmed() {
        boolean[] productive = rulesReachingEnd(true);
        boolean[] live = liveStates(productive);
        int states = bytes.length;
        int[][] keptBytes = new int[states][];
        int[][] keptEpsilons = new int[states][];
        int[][] keptCalls = new int[states][];
        for (int s = 0; s < states; s++) {
            keptBytes[s] = keep(bytes[s], 3, 2, live, null);
            keptEpsilons[s] = keep(epsilons[s], 1, 0, live, null);
            keptCalls[s] = keep(calls[s], 2, 1, live, productive);
        }
        return new TransitionGraph(keptBytes, keptEpsilons, keptCalls, ruleEntry, ruleNames);
    }

    /** Whether the root rule matches some input. */
    boolean rootMatchesSomething() {
        return rulesReachingEnd(true)[0];
    }

    /**
     * A rule that can reach a call of itself without reading a byte would make the matcher's stacks grow forever;
     * such a grammar is a programming error here (the schema compiler reports circular references itself).
     */
    void rejectLeftRecursion() {
        int rules = ruleEntry.length;
        boolean[] nullable = rulesReachingEnd(false);
        BitSet[] leftCalls = new BitSet[rules];
        for (int r = 0; r < rules; r++) {
            leftCalls[r] = new BitSet();
            reachesEnd(r, false, nullable, leftCalls[r]);
        }
        int[] color = new int[rules]; // 0 unvisited, 1 on the current path, 2 done
        for (int r = 0; r < rules; r++) {
            rejectCycleFrom(r, leftCalls, color);
        }
    }

    private void rejectCycleFrom(int rule, BitSet[] leftCalls, int[] color) {
        if (color[rule] == 2) {
            return;
        }
        if (color[rule] == 1) {
            throw new IllegalArgumentException("rule '" + ruleNames[rule] + "' can call itself without reading input");
        }
        color[rule] = 1;
        for (int callee = leftCalls[rule].nextSetBit(0); callee >= 0; callee = leftCalls[rule].nextSetBit(callee + 1)) {
            rejectCycleFrom(callee, leftCalls, color);
        }
        color[rule] = 2;
    }

    /**
     * The rules that can reach their end: with {@code throughBytes} false, without reading input (nullable rules);
     * with it true, on some input (productive rules).
     */
    private boolean[] rulesReachingEnd(boolean throughBytes) {
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
            reachesEnd |= s == Nfa.RETURN;
            for (int target : epsilons[s]) {
                pending.push(target);
            }
            for (int i = 2; throughBytes && i < bytes[s].length; i += 3) {
                pending.push(bytes[s][i]);
            }
            for (int i = 0; i < calls[s].length; i += 2) {
                called.set(calls[s][i]);
                if (passable[calls[s][i]]) {
                    pending.push(calls[s][i + 1]);
                }
            }
        }
        return reachesEnd;
    }

    /** The states from which the end of their rule can be reached, searched backwards from {@link Nfa#RETURN}. */
    private boolean[] liveStates(boolean[] productive) {
        int states = bytes.length;
        int[][] predecessors = predecessors(productive);
        boolean[] live = new boolean[states];
        Deque<Integer> pending = new ArrayDeque<>();
        live[Nfa.RETURN] = true;
        pending.push(Nfa.RETURN);
        while (!pending.isEmpty()) {
            for (int p : predecessors[pending.pop()]) {
                if (!live[p]) {
                    live[p] = true;
                    pending.push(p);
                }
            }
        }
        return live;
    }

    /** Per state, the states with an edge to it; a call counts as an edge to its return state if its rule is productive. */
    private int[][] predecessors(boolean[] productive) {
        int states = bytes.length;
        int[] count = new int[states];
        forEachEdge(productive, (from, to) -> count[to]++);
        int[][] predecessors = new int[states][];
        for (int s = 0; s < states; s++) {
            predecessors[s] = new int[count[s]];
        }
        int[] filled = new int[states];
        forEachEdge(productive, (from, to) -> predecessors[to][filled[to]++] = from);
        return predecessors;
    }

    private interface EdgeVisitor {
        void edge(int from, int to);
    }

    private void forEachEdge(boolean[] productive, EdgeVisitor visitor) {
        for (int s = 0; s < bytes.length; s++) {
            for (int i = 2; i < bytes[s].length; i += 3) {
                visitor.edge(s, bytes[s][i]);
            }
            for (int target : epsilons[s]) {
                visitor.edge(s, target);
            }
            for (int i = 0; i < calls[s].length; i += 2) {
                if (productive[calls[s][i]]) {
                    visitor.edge(s, calls[s][i + 1]);
                }
            }
        }
    }

    /** The edges (records of {@code width} ints) whose target field is live and, for calls, whose rule is productive. */
    private static int[] keep(int[] edges, int width, int targetField, boolean[] live, boolean[] productive) {
        int[] kept = new int[edges.length];
        int n = 0;
        for (int i = 0; i < edges.length; i += width) {
            if (live[edges[i + targetField]] && (productive == null || productive[edges[i]])) {
                System.arraycopy(edges, i, kept, n, width);
                n += width;
            }
        }
        return Arrays.copyOf(kept, n);
    }
}
