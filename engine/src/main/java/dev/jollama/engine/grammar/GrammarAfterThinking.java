package dev.jollama.engine.grammar;

import dev.jollama.engine.sampling.TokenConstraint;
import dev.jollama.engine.sampling.TokenFilter;
import dev.jollama.engine.tokenizer.Tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.BitSet;

/**
 * A grammar for the answer of a model that may think first, in tags: output that opens with the opening tag (after
 * optional whitespace) is free thinking until the closing tag, and what follows it (after optional whitespace) must
 * match the grammar; output that does not open with the tag must match the grammar from its first byte. Until the
 * output has decided, only tokens that continue the opening tag or the grammar are allowed, so no token can slip
 * past the grammar at either boundary.
 */
public final class GrammarAfterThinking implements TokenConstraint {
    private enum Phase { OPENING, THINKING, AFTER_CLOSING, ANSWER }

    /**
     * Where the output stands.
     *
     * @param pending OPENING: the output so far; THINKING: its last bytes, which may be the start of the closing tag
     * @param matcher OPENING: the grammar over the output so far, or null once it cannot match; AFTER_CLOSING and
     *                ANSWER: the grammar over the answer so far
     */
    private record State(Phase phase, byte[] pending, GrammarMatcher matcher) {
    }

    private static final byte[] NONE = new byte[0];

    private final Grammar grammar;
    private final TokenTrie trie;
    private final byte[] opening;
    private final byte[] closing;
    private final BitSet mask = new BitSet();
    private State state;

    /** @param thinking whether the prompt already opened the thinking (it ends with the opening tag) */
    public GrammarAfterThinking(Grammar grammar, Tokenizer tokenizer, String opening, String closing, boolean thinking) {
        this.grammar = grammar;
        this.trie = TokenTrie.of(tokenizer);
        this.opening = opening.getBytes(StandardCharsets.UTF_8);
        this.closing = closing.getBytes(StandardCharsets.UTF_8);
        this.state = thinking ? new State(Phase.THINKING, NONE, null) : new State(Phase.OPENING, NONE, new GrammarMatcher(grammar));
    }

    @Override
    public boolean allows(int token) {
        if (trie.isEndOfGeneration(token)) {
            return state.phase == Phase.THINKING || (state.matcher != null && state.matcher.isComplete());
        }
        return next(token) != null;
    }

    /** Asks every token in turn: the opening phase lasts a token or two, and thinking rarely needs a mask at all. */
    @Override
    public TokenFilter forEveryToken() {
        mask.clear();
        for (int token = 0; token < trie.size(); token++) {
            if (allows(token)) {
                mask.set(token);
            }
        }
        return mask::get;
    }

    @Override
    public void accept(int token) {
        State next = next(token);
        if (next == null) {
            throw new IllegalArgumentException("token " + token + " is not allowed by the grammar here");
        }
        state = next;
    }

    @Override
    public boolean isFinished() {
        return state.phase == Phase.ANSWER && state.matcher.isComplete() && !state.matcher.canContinue();
    }

    private State next(int token) {
        byte[] bytes = trie.bytes(token);
        if (bytes == null) { // a control token: it prints nothing, so only thinking may contain it
            return state.phase == Phase.THINKING ? state : null;
        }
        return advance(state, bytes);
    }

    private State advance(State s, byte[] bytes) {
        return switch (s.phase) {
            case OPENING -> opening(s, bytes);
            case THINKING -> thinking(s.pending, bytes);
            case AFTER_CLOSING -> afterClosing(s.matcher, bytes);
            case ANSWER -> answer(s.matcher, bytes);
        };
    }

    private State opening(State s, byte[] bytes) {
        byte[] text = concat(s.pending, bytes);
        int start = whitespace(text, 0);
        int tagged = Math.min(text.length - start, opening.length);
        if (Arrays.equals(text, start, start + tagged, opening, 0, tagged)) {
            if (tagged == opening.length) {
                return thinking(NONE, Arrays.copyOfRange(text, start + tagged, text.length));
            }
            GrammarMatcher matcher = s.matcher == null ? null : s.matcher.copy();
            return new State(Phase.OPENING, text, matcher != null && matcher.advance(bytes) ? matcher : null);
        }
        return s.matcher == null ? null : answer(s.matcher, bytes);
    }

    private State thinking(byte[] pending, byte[] bytes) {
        byte[] text = concat(pending, bytes);
        int end = indexOf(text, closing);
        if (end < 0) {
            int keep = Math.min(text.length, closing.length - 1);
            return new State(Phase.THINKING, Arrays.copyOfRange(text, text.length - keep, text.length), null);
        }
        return afterClosing(new GrammarMatcher(grammar), Arrays.copyOfRange(text, end + closing.length, text.length));
    }

    /** Whitespace between the closing tag and the answer is not part of the answer (the tag parser drops it). */
    private State afterClosing(GrammarMatcher matcher, byte[] bytes) {
        int start = whitespace(bytes, 0);
        if (start == bytes.length) {
            return new State(Phase.AFTER_CLOSING, NONE, matcher);
        }
        return answer(matcher, Arrays.copyOfRange(bytes, start, bytes.length));
    }

    private State answer(GrammarMatcher matcher, byte[] bytes) {
        GrammarMatcher next = matcher.copy();
        return next.advance(bytes) ? new State(Phase.ANSWER, NONE, next) : null;
    }

    /** Past ASCII whitespace (Go's unicode.IsSpace below 0x80), which the tag parsers skip before a tag. */
    private static int whitespace(byte[] text, int from) {
        int i = from;
        while (i < text.length && (text[i] == ' ' || (text[i] >= '\t' && text[i] <= '\r'))) {
            i++;
        }
        return i;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    private static int indexOf(byte[] text, byte[] tag) {
        for (int i = 0; i + tag.length <= text.length; i++) {
            if (Arrays.equals(text, i, i + tag.length, tag, 0, tag.length)) {
                return i;
            }
        }
        return -1;
    }
}
