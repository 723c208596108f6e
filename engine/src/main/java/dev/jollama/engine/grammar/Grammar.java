package dev.jollama.engine.grammar;

import java.util.Map;

/**
 * A compiled grammar over bytes: a root expression and the named rules it (recursively) refers to. Immutable and
 * thread-safe; each generation matches it with its own {@link GrammarMatcher}.
 */
public final class Grammar {
    private final Nfa nfa;

    private Grammar(Nfa nfa) {
        this.nfa = nfa;
    }

    /**
     * @throws IllegalArgumentException when an expression refers to a missing rule, an intersection contains a rule
     *                                  reference, or a rule can call itself without reading input (left recursion)
     */
    public static Grammar of(Expression root, Map<String, Expression> rules) {
        return new Grammar(NfaCompiler.compile(root, rules));
    }

    public static Grammar of(Expression root) {
        return of(root, Map.of());
    }

    /** Whether any input matches; false for the empty language. */
    public boolean matchesSomething() {
        return nfa.matchesSomething();
    }

    Nfa nfa() {
        return nfa;
    }
}
