package dev.jollama.engine.gguf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Reads little-endian values from the start of a GGUF file, checking every read against the file's end. */
final class GgufCursor {
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path file;
    private final MemorySegment bytes;
    private long position;

    GgufCursor(Path file, MemorySegment bytes) {
        this.file = file;
        this.bytes = bytes;
    }

    long position() {
        return position;
    }

    long remaining() {
        return bytes.byteSize() - position;
    }

    GgufFormatException error(String problem) {
        return new GgufFormatException(file, problem + " (at byte " + position + " of " + bytes.byteSize() + ")");
    }

    private long take(long n, String what) {
        if (n < 0 || n > remaining()) {
            throw error("file ends inside " + what + " (needs " + n + " bytes, " + remaining() + " left); the file is truncated or corrupt");
        }
        long at = position;
        position += n;
        return at;
    }

    int u8(String what) {
        return Byte.toUnsignedInt(bytes.get(ValueLayout.JAVA_BYTE, take(1, what)));
    }

    byte i8(String what) {
        return bytes.get(ValueLayout.JAVA_BYTE, take(1, what));
    }

    short i16(String what) {
        return bytes.get(SHORT, take(2, what));
    }

    int i32(String what) {
        return bytes.get(INT, take(4, what));
    }

    long u32(String what) {
        return Integer.toUnsignedLong(i32(what));
    }

    long i64(String what) {
        return bytes.get(LONG, take(8, what));
    }

    /** A count or length: 32 bits in GGUF v1, 64 in later versions; never negative. */
    long count(boolean wide, String what) {
        long n = wide ? i64(what) : u32(what);
        if (n < 0) {
            throw error(what + " is " + Long.toUnsignedString(n) + ", larger than any file");
        }
        return n;
    }

    String string(boolean wideLength, String what) {
        long length = count(wideLength, "length of " + what);
        if (length > remaining()) {
            throw error(what + " claims " + length + " bytes but only " + remaining() + " remain; the file is truncated or corrupt");
        }
        if (length > Integer.MAX_VALUE - 16) {
            throw error(what + " is " + length + " bytes long, too long for a string");
        }
        byte[] raw = bytes.asSlice(take(length, what), length).toArray(ValueLayout.JAVA_BYTE);
        return new String(raw, StandardCharsets.UTF_8);
    }

    void skipTo(long offset, String what) {
        if (offset < position || offset > bytes.byteSize()) {
            throw error(what + " at byte " + offset + " lies outside the file");
        }
        position = offset;
    }
}
