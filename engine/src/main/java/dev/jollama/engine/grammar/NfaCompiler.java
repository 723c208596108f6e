package dev.jollama.engine.grammar;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Compiles expressions to an {@link Nfa}, right to left: each expression is built in front of the state that follows
 * it (its continuation), so a node shared by several parents with the same continuation is built once.
 */
final class NfaCompiler {
    /** Repetitions that would copy more states than this make their body a rule. */
    private static final long MAX_INLINE_REPEAT = 20_000;
    private final List<int[]> bytes = new ArrayList<>();
    private final List<int[]> epsilons = new ArrayList<>();
    private final List<int[]> calls = new ArrayList<>();
    private final Map<String, Integer> ruleIds = new LinkedHashMap<>();
    private final List<Integer> entries = new ArrayList<>();
    private final Map<Expression, Map<Integer, Integer>> built = new IdentityHashMap<>();
    /** Bodies of large repetitions, each made a rule of its own (see {@link #buildRepeat}). */
    private final Map<Expression, String> repeatedRules = new IdentityHashMap<>();
    private final Map<Expression, Long> sizes = new IdentityHashMap<>();
    /** Inside an intersection, whose product cannot follow calls, nothing is made a rule. */
    private int intersectionDepth;

    private NfaCompiler() {
        newState(); // Nfa.RETURN
    }

    static Nfa compile(Expression root, Map<String, Expression> rules) {
        NfaCompiler compiler = new NfaCompiler();
        compiler.ruleIds.put("(root)", 0);
        rules.keySet().forEach(name -> compiler.ruleIds.putIfAbsent(name, compiler.ruleIds.size()));
        compiler.entries.add(compiler.build(root, Nfa.RETURN));
        for (Map.Entry<String, Expression> rule : rules.entrySet()) {
            compiler.setEntry(compiler.ruleIds.get(rule.getKey()), compiler.build(rule.getValue(), Nfa.RETURN));
        }
        return new Nfa(new TransitionGraph(compiler.bytes.toArray(int[][]::new), compiler.epsilons.toArray(int[][]::new),
                compiler.calls.toArray(int[][]::new), compiler.entries.stream().mapToInt(Integer::intValue).toArray(),
                compiler.ruleIds.keySet().toArray(String[]::new)));
    }

    private void setEntry(int rule, int entry) {
        while (entries.size() <= rule) {
            entries.add(Nfa.RETURN);
        }
        entries.set(rule, entry);
    }

    /** Returns the entry state of {@code expression} followed by {@code next}. */
    private int build(Expression expression, int next) {
        Map<Integer, Integer> byContinuation = built.computeIfAbsent(expression, e -> new HashMap<>(2));
        Integer done = byContinuation.get(next);
        if (done != null) {
            return done;
        }
        int entry = switch (expression) {
            case Expression.ByteRange range -> {
                int s = newState();
                add(bytes, s, range.lo(), range.hi(), next);
                yield s;
            }
            case Expression.Sequence sequence -> {
                int at = next;
                for (int i = sequence.items().size() - 1; i >= 0; i--) {
                    at = build(sequence.items().get(i), at);
                }
                yield at;
            }
            case Expression.Choice choice -> {
                int s = newState();
                for (Expression alternative : choice.alternatives()) {
                    add(epsilons, s, build(alternative, next));
                }
                yield s;
            }
            case Expression.Repeat repeat -> buildRepeat(repeat, next);
            case Expression.RuleRef ref -> {
                Integer rule = ruleIds.get(ref.name());
                if (rule == null) {
                    throw new IllegalArgumentException("no rule named '" + ref.name() + "'");
                }
                int s = newState();
                add(calls, s, rule, next);
                yield s;
            }
            case Expression.Intersection intersection -> buildIntersection(intersection, next);
        };
        byContinuation.put(next, entry);
        return entry;
    }

    /**
     * Copies the body once per count. When that would copy a large body many times (a thousand strings of up to a
     * thousand characters), the body becomes a rule and each copy a call of it.
     */
    private int buildRepeat(Expression.Repeat repeat, int next) {
        int copies = Math.max(repeat.min(), repeat.max());
        if (intersectionDepth == 0 && (long) copies * size(repeat.body()) > MAX_INLINE_REPEAT) {
            return build(new Expression.Repeat(ruleOf(repeat.body()), repeat.min(), repeat.max()), next);
        }
        int at = next;
        if (repeat.max() == Expression.Repeat.UNBOUNDED) {
            int loop = newState();
            add(epsilons, loop, next);
            add(epsilons, loop, build(repeat.body(), loop));
            at = loop;
        } else {
            // Optional copies nest: after skipping one, all later ones are skipped too.
            for (int i = repeat.min(); i < repeat.max(); i++) {
                int optional = newState();
                add(epsilons, optional, next);
                add(epsilons, optional, build(repeat.body(), at));
                at = optional;
            }
        }
        for (int i = 0; i < repeat.min(); i++) {
            at = build(repeat.body(), at);
        }
        return at;
    }

    private Expression ruleOf(Expression body) {
        String name = repeatedRules.get(body);
        if (name == null) {
            int rule = ruleIds.size();
            name = "(repeated #" + rule + ")";
            ruleIds.put(name, rule);
            repeatedRules.put(body, name);
            setEntry(rule, build(body, Nfa.RETURN));
        }
        return new Expression.RuleRef(name);
    }

    /** About how many states an expression compiles to, to decide what to make a rule (saturates). */
    private long size(Expression expression) {
        Long known = sizes.get(expression);
        if (known != null) {
            return known;
        }
        long size = switch (expression) {
            case Expression.ByteRange range -> 1;
            case Expression.RuleRef ref -> 1;
            case Expression.Sequence sequence -> sequence.items().stream().mapToLong(this::size).sum();
            case Expression.Choice choice -> 1 + choice.alternatives().stream().mapToLong(this::size).sum();
            case Expression.Repeat repeat -> 1 + Math.max(1, Math.max(repeat.min(), repeat.max())) * size(repeat.body());
            case Expression.Intersection both -> size(both.left()) * size(both.right());
        };
        size = Math.min(size, Integer.MAX_VALUE);
        sizes.put(expression, size);
        return size;
    }

    /**
     * The product of the two sides' automata over the pairs of states reachable together, each side ending in a
     * private marker state; a pair where both sides reach their marker continues to {@code next}.
     */
    private int buildIntersection(Expression.Intersection intersection, int next) {
        int leftEnd = newState();
        int rightEnd = newState();
        intersectionDepth++;
        int leftStart = build(intersection.left(), leftEnd);
        int rightStart = build(intersection.right(), rightEnd);
        intersectionDepth--;
        Map<Long, Integer> pairStates = new HashMap<>();
        Map<Integer, int[]> closures = new HashMap<>();
        Deque<long[]> pending = new ArrayDeque<>();
        int entry = pairState(leftStart, rightStart, pairStates, pending);
        while (!pending.isEmpty()) {
            long[] item = pending.pop();
            int left = (int) item[0];
            int right = (int) item[1];
            int s = (int) item[2];
            int[] leftClosure = closures.computeIfAbsent(left, this::epsilonClosure);
            int[] rightClosure = closures.computeIfAbsent(right, this::epsilonClosure);
            if (contains(leftClosure, leftEnd) && contains(rightClosure, rightEnd)) {
                add(epsilons, s, next);
            }
            for (int a : leftClosure) {
                int[] aEdges = bytes.get(a);
                for (int i = 0; i < aEdges.length; i += 3) {
                    for (int b : rightClosure) {
                        int[] bEdges = bytes.get(b);
                        for (int j = 0; j < bEdges.length; j += 3) {
                            int lo = Math.max(aEdges[i], bEdges[j]);
                            int hi = Math.min(aEdges[i + 1], bEdges[j + 1]);
                            if (lo <= hi) {
                                add(bytes, s, lo, hi, pairState(aEdges[i + 2], bEdges[j + 2], pairStates, pending));
                            }
                        }
                    }
                }
            }
        }
        return entry;
    }

    private int pairState(int left, int right, Map<Long, Integer> pairStates, Deque<long[]> pending) {
        long key = (long) left << 32 | right;
        Integer s = pairStates.get(key);
        if (s == null) {
            s = newState();
            pairStates.put(key, s);
            pending.push(new long[] {left, right, s});
        }
        return s;
    }

    /** The states reachable by epsilon edges, for the intersection, which cannot contain calls. */
    private int[] epsilonClosure(int state) {
        BitSet seen = new BitSet();
        Deque<Integer> pending = new ArrayDeque<>();
        pending.push(state);
        while (!pending.isEmpty()) {
            int s = pending.pop();
            if (seen.get(s)) {
                continue;
            }
            seen.set(s);
            if (calls.get(s).length > 0) {
                throw new IllegalArgumentException("an intersection cannot contain rule references");
            }
            for (int t : epsilons.get(s)) {
                pending.push(t);
            }
        }
        return seen.stream().toArray();
    }

    private static boolean contains(int[] sorted, int value) {
        return Arrays.binarySearch(sorted, value) >= 0;
    }

    private int newState() {
        bytes.add(new int[0]);
        epsilons.add(new int[0]);
        calls.add(new int[0]);
        return bytes.size() - 1;
    }

    private static void add(List<int[]> edges, int state, int... values) {
        int[] old = edges.get(state);
        int[] grown = Arrays.copyOf(old, old.length + values.length);
        System.arraycopy(values, 0, grown, old.length, values.length);
        edges.set(state, grown);
    }
}
