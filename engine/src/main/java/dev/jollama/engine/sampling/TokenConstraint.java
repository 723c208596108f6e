package dev.jollama.engine.sampling;

/**
 * A {@link TokenFilter} that follows the output it constrains: told every sampled token, it can say when the output
 * is finished. One instance serves one generation.
 */
public interface TokenConstraint extends TokenFilter {

    /**
     * Moves past a sampled token.
     *
     * @throws IllegalArgumentException when the constraint does not allow the token here
     */
    void accept(int token);

    /** Whether the output is complete and nothing can follow it, so generation is over. */
    boolean isFinished();
}
