package dev.jollama.engine.tensor;

/**
 * Writing out one 8-value grid entry of the IQ types, in the reference's float order (bit-exact against its decode):
 * each value is scale·magnitude, negated where its sign bit is set; or, for IQ1_S and IQ1_M, scale·(value + delta).
 */
final class IqEntries {
    private IqEntries() {
    }

    /** Values 0..7 of {@code grid} (unsigned bytes) times {@code scale}, value j negative where bit j of signs is set. */
    static void magnitudes(long grid, int signs, float scale, float[] dst, int at) {
        for (int j = 0; j < 8; j++) {
            float value = scale * ((int) (grid >>> 8 * j) & 0xff);
            dst[at + j] = (signs >>> j & 1) != 0 ? -value : value;
        }
    }

    /** Values 0..7 of {@code grid} (signed bytes) plus {@code delta}, times {@code scale}. */
    static void levels(long grid, float delta, float scale, float[] dst, int at) {
        for (int j = 0; j < 8; j++) {
            dst[at + j] = scale * ((byte) (grid >>> 8 * j) + delta);
        }
    }

    /** Two 4-value entries (IQ3_XXS, IQ3_S) side by side as one 8-value entry. */
    static long pair(int first, int second) {
        return Integer.toUnsignedLong(first) | (long) second << 32;
    }
}
