package dev.jollama.engine.grammar;

import dev.jollama.engine.sampling.TokenConstraint;
import dev.jollama.engine.sampling.TokenFilter;
import dev.jollama.engine.tokenizer.Tokenizer;

import java.util.BitSet;

/**
 * Constrains one generation to a grammar. As a {@link TokenFilter} it checks a single token by running its bytes
 * through the current state; when the sampler has to mask the whole vocabulary it walks the {@link TokenTrie} once
 * instead. End-of-generation tokens are allowed only when the output so far is a complete match.
 */
public final class GrammarConstraint implements TokenConstraint {
    private final TokenTrie trie;
    private final GrammarMatcher matcher;
    private final BitSet mask = new BitSet();

    public GrammarConstraint(Grammar grammar, Tokenizer tokenizer) {
        this(new GrammarMatcher(grammar), TokenTrie.of(tokenizer));
    }

    /** Constrains from wherever the matcher stands. */
    GrammarConstraint(GrammarMatcher matcher, TokenTrie trie) {
        this.trie = trie;
        this.matcher = matcher;
    }

    @Override
    public boolean allows(int token) {
        if (trie.isEndOfGeneration(token)) {
            return matcher.isComplete();
        }
        byte[] bytes = trie.bytes(token);
        return bytes != null && matcher.accepts(bytes);
    }

    @Override
    public TokenFilter forEveryToken() {
        mask.clear();
        trie.collectAllowed(matcher.space(), matcher.state(), mask);
        return mask::get;
    }

    @Override
    public void accept(int token) {
        byte[] bytes = trie.bytes(token);
        if (bytes == null || !matcher.advance(bytes)) {
            throw new IllegalArgumentException("token " + token + " is not allowed by the grammar here");
        }
    }

    /** Whether the output so far is complete (for a JSON format: the root value has closed). */
    public boolean isComplete() {
        return matcher.isComplete();
    }

    @Override
    public boolean isFinished() {
        return matcher.isComplete() && !matcher.canContinue();
    }
}
