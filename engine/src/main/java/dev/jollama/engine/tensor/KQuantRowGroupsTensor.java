package dev.jollama.engine.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;

/**
 * Q4_K and Q5_K rows in groups ({@link RowGroupsTensor}): what their headers share. Per group of rows, first every
 * super-block's header: the rows' fp16 d and dmin as one int vector (lane r: row r's d, then its dmin), their 12 bytes
 * of 6-bit scales and mins as three (lane r: four bytes of row r's); then every super-block's values, as each type lays
 * them out. A sub-block's scale and min are one float vector each, taken out of the headers by lane-wise masks and
 * shifts before the kernel reads the values ({@link #scalesToScratch}): the kernels stream the values alone.
 */
abstract sealed class KQuantRowGroupsTensor extends RowGroupsTensor permits Q4KRowGroupsTensor, Q5KRowGroupsTensor {
    /** A super-block's header in a group: d and dmin, then the scale bytes. */
    static final int HEADER_BYTES = 16 * ROWS, SCALES_AT = 4 * ROWS;
    /** Bytes of one int vector: four bytes of each row. */
    static final int VECTOR_BYTES = 4 * ROWS;
    /** Where in the kernels' scratch a super-block's d and dmin wait, after the results, while its factors are made. */
    static final int D_AND_DMIN = KEEP_ALIVE + 16;
    /** Where in the kernels' scratch the sub-block factors wait ({@link #scalesToScratch}). */
    static final int FACTORS = D_AND_DMIN + 2 * ROWS;
    /** Floats of a super-block's factors: eight scales and eight mins of every row. */
    static final int BLOCK_FACTORS = 16 * ROWS;

    KQuantRowGroupsTensor(MemorySegment data, FloatTensor fileLayout, int blocksPerRow, Repacker repacker) {
        super(data, fileLayout, blocksPerRow, repacker);
    }

    /** Row r's header of the file's super-block at {@code from} (d, dmin, 12 scale bytes) to the group's at {@code header}. */
    final void packHeader(long from, long header, int r) {
        data.set(INT_LE, header + 4L * r, fileLayout.data.get(INT_LE, from));
        for (int v = 0; v < 3; v++) {
            data.set(INT_LE, header + SCALES_AT + (long) VECTOR_BYTES * v + 4L * r, fileLayout.data.get(INT_LE, from + 4 + 4 * v));
        }
    }

    /** Where {@code group}'s values start, after its headers. */
    final long values(int group) {
        return groupBase(group) + (long) blocksPerRow * HEADER_BYTES;
    }

    /** Where super-block b's factors of the kernel's group {@code slot} lie in the scratch ({@link #scalesToScratch}). */
    final int factors(int slot, int b) {
        return FACTORS + (slot * blocksPerRow + b) * BLOCK_FACTORS;
    }
    /**
     * Every super-block's sub-block scales times d, then its mins times -dmin, of group A (slot 0) and B (slot 1) as
     * float vectors in {@code scratch} (sixteen per super-block, from {@link #factors}). First d and dmin, each the
     * fp16 value in one half of an int lane, moved to a float's places (the exponent 112 short of float's bias, made
     * up by the multiplication; exact for normal and subnormal values, as {@link F16Kernels#widened}). Then scale k
     * (below 8) or min k - 8: each row's 12 bytes hold them as {@link KQuantScales#scales} and
     * {@link KQuantScales#mins} take them out of a long and an int, here lane-wise, one formula for all sixteen with
     * the places from {@link SixBits}: a field of one int vector of the bytes, and for k % 8 above 3 the top two bits
     * of a byte of another.
     *
     * <p>Loops over one formula and no helper of our own that takes or returns a vector: C2 parses a loop's body once,
     * and should the budget of parsed nodes run out where this is inlined, this method stays a call, which passes no
     * vector (a helper that returns one would box it; the JDK's vector methods are inlined regardless of the budget).
     * Written out per field, the operations passed the budget even in a method of their own.
     */
    @Override
    void scalesToScratch(int groupA, int groupB, float[] scratch) {
        for (int slot = 0; slot < 2; slot++) {
            long header = groupBase(slot == 0 ? groupA : groupB);
            for (int b = 0; b < blocksPerRow; b++, header += HEADER_BYTES) {
                blockFactors(header, scratch, D_AND_DMIN, factors(slot, b));
            }
        }
    }

    /**
     * The super-block's factors from the header at {@code header}: its d and -dmin to {@code scratch} from
     * {@code dAt}, then its eight scales times d and eight mins times -dmin from {@code at} (see
     * {@link #scalesToScratch}).
     */
    final void blockFactors(long header, float[] scratch, int dAt, int at) {
        for (int h = 0; h < 2; h++) {
            IntVector.fromMemorySegment(I, data, header, LE).lanewise(VectorOperators.LSHL, 16 - 16 * h)
                    .lanewise(VectorOperators.ASHR, 3).and(0x8fffe000).reinterpretAsFloats().mul(h == 0 ? 0x1p112f : -0x1p112f)
                    .intoArray(scratch, dAt + h * ROWS);
        }
        long scales = header + SCALES_AT;
        for (int k = 0; k < 16; k++) {
            IntVector low = IntVector.fromMemorySegment(I, data, scales + (long) VECTOR_BYTES * SixBits.LOW_INT[k], LE)
                    .lanewise(VectorOperators.LSHR, SixBits.LOW_SHIFT[k]).and(SixBits.LOW_MASK[k]);
            IntVector top = IntVector.fromMemorySegment(I, data, scales + (long) VECTOR_BYTES * SixBits.TOP_INT[k], LE)
                    .lanewise(VectorOperators.LSHR, SixBits.TOP_SHIFT[k]).and(SixBits.TOP_MASK[k]);
            ((FloatVector) low.or(top).convert(VectorOperators.I2F, 0)).mul(FloatVector.fromArray(F, scratch, dAt + k / 8 * ROWS))
                    .intoArray(scratch, at + k * ROWS);
        }
    }

    /**
     * Where {@link #scalesToScratch} finds scale k (k below 8) or min k - 8 in a row's 12 bytes read as three ints: scales 0-3
     * are the low 6 bits of bytes 0-3 (int 0), mins 0-3 of bytes 4-7 (int 1); scales 4-7 the low nibbles of bytes
     * 8-11 (int 2) below the top two bits of bytes 0-3, mins 4-7 the high nibbles of bytes 8-11 below the top two bits
     * of bytes 4-7.
     */
    private static final class SixBits {
        static final int[] LOW_INT = new int[16], LOW_SHIFT = new int[16], LOW_MASK = new int[16];
        static final int[] TOP_INT = new int[16], TOP_SHIFT = new int[16], TOP_MASK = new int[16];

        static {
            for (int k = 0; k < 16; k++) {
                int j = k % 8, min = k / 8, at = 8 * (j % 4);
                if (j < 4) {
                    LOW_INT[k] = min;
                    LOW_SHIFT[k] = at;
                    LOW_MASK[k] = 63;
                } else {
                    LOW_INT[k] = 2;
                    LOW_SHIFT[k] = at + 4 * min;
                    LOW_MASK[k] = 15;
                    TOP_INT[k] = min;
                    TOP_SHIFT[k] = at + 2;
                    TOP_MASK[k] = 0x30;
                }
            }
        }
    }
}
