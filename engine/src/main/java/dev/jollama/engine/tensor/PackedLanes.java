package dev.jollama.engine.tensor;

/**
 * The order in which the Q4_K and Q6_K decode kernels read 128 packed values: 64 bytes as 16 int lanes of four bytes
 * (with 8 lanes, two loads of 32 bytes: lanes 0-7, then 8-15), making two vectors of four values per lane, low and
 * high (Q4_K's nibbles, the high ones shifted down; Q6_K's 6-bit values once its high bits are merged in). Value b of
 * a lane lies at bits 8b; the kernel picks it out with a mask where it lies and converts it as it stands, 256^b times
 * too large, and the input is reordered to match and scaled by 256^-b (a power of two: exact), once per new input
 * ({@link MatmulInput#laneOrdered}). Against expanding bytes to int lanes this saves the expansion (a shuffle, on a
 * port the arithmetic needs too) and a shift per 16 values: in cache Q4_K went from 7.5 to 9.5 GB/s per core, Q6_K
 * from 6.8 to 13.
 *
 * <p>Vector v = 2b + p (p = 0 low, 1 high) of a 128-value step, lane l, holds value
 * {@code (l / 8)·laneHalf + p·nibble + 4·(l % 8) + b}.
 */
enum PackedLanes {
    /**
     * Q4_K: lanes 0-7 hold the 32 bytes of one 64-value group, lanes 8-15 the next group's; low nibbles are a group's
     * first 32 values, high nibbles its last 32.
     */
    Q4_K(64, 32),
    /** Q6_K: a half's 64 bytes of low bits, byte j holding value j in its low nibble and value 64 + j in its high one. */
    Q6_K(32, 64),
    /**
     * Q2_K and Q3_K: a super-block's two 32-byte halves of low bits as lanes 0-7 and 8-15, byte m of half n holding
     * values 128n + 32j + m in bits 2j, 2j + 1; the kernels' first step takes codes j = 0 (low) and 1 (high), the
     * second 2 and 3, so the second step's values start 64 on, not 128.
     */
    Q2_K(128, 32, 64);

    private final int laneHalf;
    private final int nibble;
    /** Where the values of a super-block's second 128-value step start, from the super-block's first. */
    private final int secondStep;

    PackedLanes(int laneHalf, int nibble) {
        this(laneHalf, nibble, 128);
    }

    PackedLanes(int laneHalf, int nibble, int secondStep) {
        this.laneHalf = laneHalf;
        this.nibble = nibble;
        this.secondStep = secondStep;
    }

    /** Writes {@code values} (a multiple of 256 of them) to {@code ordered} in this order, scaled to match. */
    void reorder(float[] values, int width, float[] ordered) {
        for (int step = 0; step < width; step += 128) {
            int base = step / 256 * 256 + step / 128 % 2 * secondStep;
            for (int v = 0; v < 8; v++) {
                int b = v >> 1, p = v & 1;
                float scale = Math.scalb(1f, -8 * b);
                for (int l = 0; l < 16; l++) {
                    ordered[step + 16 * v + l] = values[base + l / 8 * laneHalf + p * nibble + 4 * (l % 8) + b] * scale;
                }
            }
        }
    }
}
