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

    KQuantRowGroupsTensor(MemorySegment data, FloatTensor fileLayout, int blocksPerRow, Repacker repacker) {
        // Per super-block: eight scales and eight mins of every row.
        super(data, fileLayout, blocksPerRow, repacker, HEADER_BYTES, 16 * ROWS);
    }

    /**
     * Row r's header of the file's super-block at {@code from} to the group's at {@code header}: d and dmin as they
     * are; the eight 6-bit scales and eight mins (k = 0 to 15: scale k, then min k - 8) as three ints, k below 15 at
     * bits 6·(k % 5) of int k / 5, min 7's six bits two at a time in the ints' top two bits. The file packs them in
     * its 12 bytes so that a byte holds the low bits of one and the top bits of another ({@link KQuantScales}); here
     * each but the last is one shift and one mask ({@link #blockFactors}). {@code six} holds the sixteen on the way.
     */
    final void packHeader(long from, long header, int r, int[] six) {
        data.set(INT_LE, header + 4L * r, fileLayout.data.get(INT_LE, from));
        for (int j = 0; j < 8; j++) {
            six[j] = KQuantScales.scale(fileLayout.data, from + 4, j);
            six[8 + j] = KQuantScales.min(fileLayout.data, from + 4, j);
        }
        for (int v = 0; v < 3; v++) {
            int packed = (six[15] >>> 2 * v & 3) << 30;
            for (int f = 0; f < 5; f++) {
                packed |= six[5 * v + f] << 6 * f;
            }
            data.set(INT_LE, header + SCALES_AT + (long) VECTOR_BYTES * v + 4L * r, packed);
        }
    }

    /**
     * Every super-block's sub-block scales times d, then its mins times -dmin, of group A (slot 0) and B (slot 1) as
     * float vectors in {@code scratch} (sixteen per super-block, from {@link #factors}; {@link #blockFactors}).
     */
    @Override
    void scalesToScratch(int groupA, int groupB, float[] scratch) {
        for (int slot = 0; slot < 2; slot++) {
            long header = groupBase(slot == 0 ? groupA : groupB);
            for (int b = 0; b < blocksPerRow; b++, header += HEADER_BYTES) {
                blockFactors(header, scratch, FACTOR_WORK, factors(slot, b));
            }
        }
    }

    /**
     * The super-block's factors from the header at {@code header}: its d and -dmin to {@code scratch} from
     * {@code dAt}, then its eight scales times d and eight mins times -dmin from {@code at}. First d and dmin, each the
     * fp16 value in one half of an int lane, moved to a float's places (the exponent 112 short of float's bias, made
     * up by the multiplication; exact for normal and subnormal values, as {@link F16Kernels#widened}). Then each
     * 6-bit field as {@link #packHeader} laid them out: one formula for the first fifteen, in a loop, and the last
     * from the ints' top bits. Only the JDK's vector methods: should C2 not inline this method, it is a call that
     * passes no vector. The file's packing taken apart lane-wise (a field of one int and the top two bits of a byte
     * of another for half of them) made this a quarter of the one-vector kernel's time in cache (17.6 GB/s on one
     * Zen 4 core, 23.4 without it).
     */
    final void blockFactors(long header, float[] scratch, int dAt, int at) {
        for (int h = 0; h < 2; h++) {
            IntVector.fromMemorySegment(I, data, header, LE).lanewise(VectorOperators.LSHL, 16 - 16 * h)
                    .lanewise(VectorOperators.ASHR, 3).and(0x8fffe000).reinterpretAsFloats().mul(h == 0 ? 0x1p112f : -0x1p112f)
                    .intoArray(scratch, dAt + h * ROWS);
        }
        long scales = header + SCALES_AT;
        for (int k = 0; k < 15; k++) {
            IntVector field = IntVector.fromMemorySegment(I, data, scales + (long) VECTOR_BYTES * (k / 5), LE)
                    .lanewise(VectorOperators.LSHR, 6 * (k % 5)).and(63);
            ((FloatVector) field.convert(VectorOperators.I2F, 0)).mul(FloatVector.fromArray(F, scratch, dAt + k / 8 * ROWS))
                    .intoArray(scratch, at + k * ROWS);
        }
        IntVector last = IntVector.fromMemorySegment(I, data, scales, LE).lanewise(VectorOperators.LSHR, 30)
                .or(IntVector.fromMemorySegment(I, data, scales + VECTOR_BYTES, LE).lanewise(VectorOperators.LSHR, 28).and(0xC))
                .or(IntVector.fromMemorySegment(I, data, scales + 2L * VECTOR_BYTES, LE).lanewise(VectorOperators.LSHR, 26).and(0x30));
        ((FloatVector) last.convert(VectorOperators.I2F, 0)).mul(FloatVector.fromArray(F, scratch, dAt + ROWS)).intoArray(scratch, at + 15 * ROWS);
    }
}
