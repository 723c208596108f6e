package dev.jollama.server.thinking;

import dev.jollama.engine.generation.GenerationRequest;
import dev.jollama.engine.grammar.Grammar;
import dev.jollama.engine.grammar.GrammarConstraint;
import dev.jollama.engine.tokenizer.Tokenizer;

/** Splits streamed model output into thinking and answer; fed piece by piece, then flushed once at the end. */
public interface OutputParser {
    ResponseSplit add(String piece);

    /** What is still held back, at the end of generation. */
    ResponseSplit flush();

    /** The request with the answer constrained to a grammar (format); without thinking, from the first token. */
    default GenerationRequest constrained(GenerationRequest request, Grammar grammar, Tokenizer tokenizer) {
        return request.withConstraint(new GrammarConstraint(grammar, tokenizer));
    }

    /** Whether the parser finds tool calls itself (harmony's tool channel), so no tool call parser is needed. */
    default boolean readsToolCalls() {
        return false;
    }

    /** Whether the parser needs control tokens spelled out in the text it is fed. */
    default boolean readsControlTokens() {
        return false;
    }

    /** For requests without thinking: everything is answer. */
    OutputParser PASS_THROUGH = new OutputParser() {
        @Override
        public ResponseSplit add(String piece) {
            return new ResponseSplit("", piece);
        }

        @Override
        public ResponseSplit flush() {
            return ResponseSplit.EMPTY;
        }
    };
}
