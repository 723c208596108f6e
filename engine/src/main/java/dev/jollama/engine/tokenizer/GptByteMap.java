package dev.jollama.engine.tokenizer;

/**
 * GPT-2's reversible map between the 256 byte values and printable Unicode characters. Byte-level BPE
 * vocabularies spell every byte as one of these characters, so no token text holds whitespace or control
 * characters: printable Latin-1 bytes stand for themselves, the other 68 bytes take U+0100 upwards in byte order.
 */
final class GptByteMap {
    private static final char[] BYTE_TO_CHAR = new char[256];
    private static final byte[] CHAR_TO_BYTE;
    private static final boolean[] MAPPED;

    static {
        boolean[] printable = new boolean[256];
        for (int b = 0; b < 256; b++) {
            printable[b] = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
        }
        int next = 256;
        for (int b = 0; b < 256; b++) {
            BYTE_TO_CHAR[b] = printable[b] ? (char) b : (char) next++;
        }
        CHAR_TO_BYTE = new byte[next];
        MAPPED = new boolean[next];
        for (int b = 0; b < 256; b++) {
            CHAR_TO_BYTE[BYTE_TO_CHAR[b]] = (byte) b;
            MAPPED[BYTE_TO_CHAR[b]] = true;
        }
    }

    private GptByteMap() {
    }

    /** The character that spells byte {@code b} (0..255). */
    static char charOf(int b) {
        return BYTE_TO_CHAR[b];
    }

    /** Whether {@code c} spells a byte. */
    static boolean isByteChar(char c) {
        return c < MAPPED.length && MAPPED[c];
    }

    /** The byte spelled by {@code c}; only meaningful when {@link #isByteChar(char)}. */
    static byte byteOf(char c) {
        return CHAR_TO_BYTE[c];
    }

    /** The vocabulary spelling of these bytes. */
    static String spell(byte[] bytes) {
        char[] chars = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            chars[i] = BYTE_TO_CHAR[bytes[i] & 0xFF];
        }
        return new String(chars);
    }
}
