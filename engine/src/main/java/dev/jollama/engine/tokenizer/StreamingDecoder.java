package dev.jollama.engine.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.IntFunction;

/**
 * Decodes one generated sequence token by token. A character whose UTF-8 bytes arrive in several tokens (byte
 * tokens, or GPT-2 tokens that split a character) is held back until it is complete, so every piece returned is
 * valid text. Pieces are returned as the tokens spell them: a leading space is kept, control tokens give nothing.
 * Not thread-safe; use one per sequence.
 */
public final class StreamingDecoder {
    private final IntFunction<byte[]> pieces;
    private byte[] pending = new byte[16];
    private int pendingLength;

    StreamingDecoder(IntFunction<byte[]> pieces) {
        this.pieces = pieces;
    }

    /** Adds a token and returns the text it completes (possibly empty); invalid bytes become U+FFFD. */
    public String append(int token) {
        byte[] piece = pieces.apply(token);
        if (piece.length == 0) {
            return "";
        }
        if (pendingLength + piece.length > pending.length) {
            pending = Arrays.copyOf(pending, Math.max(pending.length * 2, pendingLength + piece.length));
        }
        System.arraycopy(piece, 0, pending, pendingLength, piece.length);
        pendingLength += piece.length;
        int complete = pendingLength - incompleteTail();
        String text = new String(pending, 0, complete, StandardCharsets.UTF_8);
        System.arraycopy(pending, complete, pending, 0, pendingLength - complete);
        pendingLength -= complete;
        return text;
    }

    /** Returns whatever is held back, incomplete characters as U+FFFD, and starts over. */
    public String flush() {
        String text = new String(pending, 0, pendingLength, StandardCharsets.UTF_8);
        pendingLength = 0;
        return text;
    }

    /** How many bytes at the end begin a UTF-8 character that later bytes may still complete. */
    private int incompleteTail() {
        int continuations = 0;
        for (int i = pendingLength - 1; i >= 0 && continuations < 4; i--) {
            int b = pending[i] & 0xFF;
            if ((b & 0xC0) == 0x80) {
                continuations++;
                continue;
            }
            int needed = (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : (b & 0xF8) == 0xF0 ? 4 : 1;
            int have = continuations + 1;
            return needed > have ? have : 0;
        }
        return 0;
    }
}
