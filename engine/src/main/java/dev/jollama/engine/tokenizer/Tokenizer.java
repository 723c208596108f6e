package dev.jollama.engine.tokenizer;

import dev.jollama.engine.gguf.GgufFile;
import dev.jollama.engine.gguf.GgufFormatException;

/**
 * Turns text into token ids and back, following llama.cpp's rules for the vocabulary stored in a GGUF file.
 * Implementations are immutable and safe to share between threads; {@link StreamingDecoder}s are not.
 */
public interface Tokenizer {

    /**
     * The tokenizer described by the file's {@code tokenizer.ggml.*} metadata: {@code "llama"} is SentencePiece BPE,
     * {@code "gpt2"} byte-level BPE, {@code "bert"} WordPiece. Any other type, or a missing or inconsistent
     * vocabulary, is a {@link GgufFormatException}.
     */
    static Tokenizer fromGguf(GgufFile file) {
        String model = file.getString("tokenizer.ggml.model", null);
        if (model == null) {
            throw new GgufFormatException(file.path(), "metadata 'tokenizer.ggml.model' is missing: the file has no tokenizer");
        }
        return switch (model) {
            case "llama" -> SpmTokenizer.read(file);
            case "gpt2" -> BpeTokenizer.read(file);
            case "bert" -> WordPieceTokenizer.read(file);
            default -> throw new GgufFormatException(file.path(), "tokenizer type '" + model
                    + "' is not supported (supported: 'llama' SentencePiece, 'gpt2' byte-level BPE and 'bert' WordPiece)");
        };
    }

    /**
     * The ids for {@code text}. With {@code addSpecial}, BOS, EOS and the separator are added as the vocabulary asks
     * ({@code tokenizer.ggml.add_bos_token} / {@code add_eos_token} / {@code add_sep_token}). With
     * {@code parseSpecial}, control tokens written in the text (such as {@code <|im_start|>}) become their ids;
     * without it only user-defined tokens do.
     */
    int[] encode(String text, boolean addSpecial, boolean parseSpecial);

    /**
     * The text of a whole sequence. Control and unknown tokens render as nothing; bytes that do not form valid
     * UTF-8 become U+FFFD. When the sequence starts with BOS and the vocabulary adds a space prefix when encoding,
     * that space is removed again, so {@code decode(encode(text, true, false))} gives back any text the vocabulary
     * can spell. Without a leading BOS the sequence is taken as a continuation and keeps its leading space. WordPiece
     * text never starts with a space (its words are marked, not spaced), and as encoding normalises it, decoding gives
     * text that encodes to the same ids (unknown words aside), not the text encoded.
     */
    String decode(int[] tokens);

    /**
     * The bytes a token stands for: one byte for byte tokens such as {@code <0x0A>}, the GPT-2 characters mapped
     * back to bytes, U+2581 as a space in SentencePiece and WordPiece vocabularies. Control and unknown tokens give
     * their text as written (they render as nothing in {@link #decode} and {@link StreamingDecoder}).
     */
    byte[] tokenBytes(int token);

    /** The token's text as stored in the vocabulary. */
    String tokenText(int token);

    int vocabularySize();

    /** The BOS token, or -1 when the vocabulary has none. */
    int bosToken();

    /** The EOS token, or -1 when the vocabulary has none. */
    int eosToken();

    /**
     * Whether generation stops at this token: EOS, the EOT and EOM tokens the file names, and the tokens llama.cpp
     * recognises by text ({@code <|im_end|>}, {@code <|eot_id|>}, {@code <end_of_turn>}, {@code <|endoftext|>} ...).
     */
    boolean isEndOfGeneration(int token);

    /** Whether this is a control token (BOS, EOS, chat markers ...), which renders as nothing. */
    boolean isControl(int token);

    /** A new incremental decoder for one generated sequence; control tokens render as nothing. */
    StreamingDecoder streamingDecoder();

    /**
     * A decoder that spells control tokens out as their text, for output formats whose structure is made of them
     * (gpt-oss's harmony channels).
     */
    StreamingDecoder streamingDecoderWithControlTokens();
}
