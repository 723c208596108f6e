package dev.jollama.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The 12 bytes that hold eight 6-bit scales and eight 6-bit mins of a Q4_K or Q5_K block (one pair per 32-value
 * sub-block): the first four of each sit in the low 6 bits of bytes 0-7, the last four are split between a nibble of
 * bytes 8-11 and the top 2 bits of bytes 0-7.
 */
final class KQuantScales {
    private KQuantScales() {
    }

    /** Scale of a sub-block from the 12 bytes read as a long (bytes 0-7) and an int (bytes 8-11). */
    static int scale(long low, int high, int subBlock) {
        if (subBlock < 4) {
            return byteOf(low, high, subBlock) & 63;
        }
        return (byteOf(low, high, subBlock + 4) & 0xF) | (byteOf(low, high, subBlock - 4) >>> 6) << 4;
    }

    /** Min of a sub-block from the 12 bytes read as a long and an int. */
    static int min(long low, int high, int subBlock) {
        if (subBlock < 4) {
            return byteOf(low, high, subBlock + 4) & 63;
        }
        return (byteOf(low, high, subBlock + 4) >>> 4) | (byteOf(low, high, subBlock) >>> 6) << 4;
    }

    private static int byteOf(long low, int high, int i) {
        return i < 8 ? (int) (low >>> (8 * i)) & 0xFF : (high >>> (8 * (i - 8))) & 0xFF;
    }

    static int scale(MemorySegment data, long scalesOffset, int subBlock) {
        if (subBlock < 4) {
            return byteAt(data, scalesOffset + subBlock) & 63;
        }
        return (byteAt(data, scalesOffset + subBlock + 4) & 0xF) | (byteAt(data, scalesOffset + subBlock - 4) >>> 6) << 4;
    }

    static int min(MemorySegment data, long scalesOffset, int subBlock) {
        if (subBlock < 4) {
            return byteAt(data, scalesOffset + subBlock + 4) & 63;
        }
        return (byteAt(data, scalesOffset + subBlock + 4) >>> 4) | (byteAt(data, scalesOffset + subBlock) >>> 6) << 4;
    }

    private static int byteAt(MemorySegment data, long offset) {
        return Byte.toUnsignedInt(data.get(ValueLayout.JAVA_BYTE, offset));
    }
}
