package dev.jollama.server.thinking;

/** Splits streamed model output into thinking and answer; fed piece by piece, then flushed once at the end. */
public interface OutputParser {
    ResponseSplit add(String piece);

    /** What is still held back, at the end of generation. */
    ResponseSplit flush();

    /** Whether the answer part has begun (a grammar for the answer may then start constraining). */
    boolean answering();

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

        @Override
        public boolean answering() {
            return true;
        }
    };
}
