package dev.jollama.engine.grammar;

import java.nio.charset.StandardCharsets;

/**
 * Matches input against a grammar incrementally, byte by byte (so a UTF-8 character may arrive in pieces). Copies
 * share the cache of computed states and are cheap; neither a matcher nor its copies are thread-safe.
 */
public final class GrammarMatcher {
    private final StateSpace space;
    private GrammarState state;

    public GrammarMatcher(Grammar grammar) {
        this.space = new StateSpace(grammar.nfa());
        this.state = space.initial();
    }

    private GrammarMatcher(StateSpace space, GrammarState state) {
        this.space = space;
        this.state = state;
    }

    /** A matcher at the same position that advances independently. */
    public GrammarMatcher copy() {
        return new GrammarMatcher(space, state);
    }

    /** Whether the bytes can follow the input so far (leading to a match or to a prefix of one). */
    public boolean accepts(byte[] bytes) {
        return !space.advance(state, bytes).isDead();
    }

    /** Advances over the bytes if {@link #accepts} them; otherwise stays where it is and returns false. */
    public boolean advance(byte[] bytes) {
        GrammarState next = space.advance(state, bytes);
        if (next.isDead()) {
            return false;
        }
        state = space.trimmed(next);
        return true;
    }

    /** {@link #advance(byte[])} with the UTF-8 bytes of the text. */
    public boolean advance(String text) {
        return advance(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Whether the input so far is a complete match. */
    public boolean isComplete() {
        return state.complete;
    }

    /** Whether some byte can follow the input so far. */
    public boolean canContinue() {
        return state.canContinue();
    }

    GrammarState state() {
        return state;
    }

    StateSpace space() {
        return space;
    }
}
