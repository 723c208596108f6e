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
