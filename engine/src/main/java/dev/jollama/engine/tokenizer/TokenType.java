package dev.jollama.engine.tokenizer;

/** The token types of {@code tokenizer.ggml.token_type}, in the order of their ids in GGUF files. */
enum TokenType {
    UNDEFINED, NORMAL, UNKNOWN, CONTROL, USER_DEFINED, UNUSED, BYTE;

    private static final TokenType[] BY_ID = values();

    /** The type with this GGUF id; ids outside the known range are {@link #UNDEFINED}, as in llama.cpp. */
    static TokenType fromId(int id) {
        return id >= 0 && id < BY_ID.length ? BY_ID[id] : UNDEFINED;
    }
}
