package dev.jollama.engine.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * Q6_K rows in groups ({@link RowGroupsTensor}), 210 bytes per super-block and row as in the file. Per group of rows,
 * first every super-block's header: its sixteen 8-bit scales (scale k of all the rows together, ROWS bytes), then the
 * rows' fp16 d; then every super-block's values, each 16-value sub-block's as three int vectors whose lane r holds
 * row r's sixteen values less 32 (-32 to 31, as 6-bit two's complement) in 16-bit halves:
 * <ul>
 * <li>bits 10-15 of half h of int i: value 4i + h;</li>
 * <li>bits 4-9: value 4i + 2 + h;</li>
 * <li>bits 0-3 of the three ints, twelve bits per half, hold values 12 + h and 14 + h.</li>
 * </ul>
 * So every value comes out signed in its 16-bit lane without a mask ({@link #dequantizeSubBlock}), a sub-block's
 * products with the input's 8-bit values stay within 16 bits (eight per lane, at most 32 x 127 each: 32,512), and there
 * is no offset to take out through the input's sums. Each pair of values then multiplies one broadcast pair of the input's, as Q4_K's
 * nibbles do. One vector, one core, in cache: 22-25 GB/s against 14-15 for the file layout's kernel.
 */
final class Q6KRowGroupsTensor extends RowGroupsTensor {
    private static final int BLOCK_BYTES = 210;
    /** A super-block's header in a group: the scales, then d. */
    private static final int HEADER_BYTES = 18 * ROWS, D_AT = 16 * ROWS;
    /** A super-block's values in a group, and a sub-block's (a constant: the read-ahead loop's count). */
    private static final int VALUE_BYTES = 192 * ROWS, SUB_BLOCK_BYTES = 12 * ROWS;
    /** Bytes of one int vector: four bytes of each row. */
    private static final int VECTOR_BYTES = 4 * ROWS;

    Q6KRowGroupsTensor(MemorySegment data, Q6KTensor fileLayout, int blocksPerRow, Repacker repacker) {
        // Per super-block: sixteen scales times d of every row.
        super(data, fileLayout, blocksPerRow, repacker, HEADER_BYTES, 16 * ROWS);
    }

    @Override
    void pack() {
        long groups = size() / (256L * blocksPerRow) / ROWS;
        MemorySegment bytes = fileLayout.data, packed = data;
        int[] q = new int[256];
        for (long g = 0; g < groups; g++) {
            long base = g * blocksPerRow * BLOCK_BYTES * ROWS;
            for (int b = 0; b < blocksPerRow; b++) {
                long header = base + (long) b * HEADER_BYTES, values = base + (long) blocksPerRow * HEADER_BYTES + (long) b * VALUE_BYTES;
                for (int r = 0; r < ROWS; r++) {
                    long from = ((g * ROWS + r) * blocksPerRow + b) * BLOCK_BYTES;
                    for (int k = 0; k < 16; k++) {
                        packed.set(ValueLayout.JAVA_BYTE, header + (long) k * ROWS + r, bytes.get(ValueLayout.JAVA_BYTE, from + 192 + k));
                    }
                    packed.set(SHORT_LE, header + D_AT + 2L * r, bytes.get(SHORT_LE, from + 208));
                    signedValues(bytes, from, q);
                    for (int j = 0; j < 16; j++) {
                        for (int i = 0; i < 3; i++) {
                            packed.set(INT_LE, values + (long) SUB_BLOCK_BYTES * j + (long) VECTOR_BYTES * i + 4L * r, packedInt(q, 16 * j, i));
                        }
                    }
                }
            }
        }
    }

    /** The super-block's 256 values at {@code from} less 32, as 6-bit two's complement (q ^ 32), into {@code q}. */
    private static void signedValues(MemorySegment bytes, long from, int[] q) {
        for (int half = 0; half < 2; half++) {
            for (int l = 0; l < 32; l++) {
                int low = Byte.toUnsignedInt(bytes.get(ValueLayout.JAVA_BYTE, from + 64 * half + l));
                int low2 = Byte.toUnsignedInt(bytes.get(ValueLayout.JAVA_BYTE, from + 64 * half + 32 + l));
                int high = Byte.toUnsignedInt(bytes.get(ValueLayout.JAVA_BYTE, from + 128 + 32 * half + l));
                int at = 128 * half + l;
                q[at] = ((low & 0xF) | (high & 3) << 4) ^ 32;
                q[at + 32] = ((low2 & 0xF) | (high >>> 2 & 3) << 4) ^ 32;
                q[at + 64] = ((low >>> 4) | (high >>> 4 & 3) << 4) ^ 32;
                q[at + 96] = ((low2 >>> 4) | (high >>> 6) << 4) ^ 32;
            }
        }
    }

    /** Int i (0 to 2) of the sub-block of values from {@code first} of {@code q}, as the class comment lays it out. */
    private static int packedInt(int[] q, int first, int i) {
        int packed = 0;
        for (int h = 0; h < 2; h++) {
            int c = q[first + 12 + h], d = q[first + 14 + h];
            int spare = switch (i) {
                case 0 -> c & 0xF;
                case 1 -> d & 3 | (c >>> 4) << 2;
                default -> d >>> 2;
            };
            packed |= (q[first + 4 * i + h] << 10 | q[first + 4 * i + 2 + h] << 4 | spare) << 16 * h;
        }
        return packed;
    }

    /** Two to four vectors: each copied out, read as it is. */
    @Override
    void prepareFourVectors(MatmulInput in) {
        in.copySingles(0);
    }

    /** Every super-block's sixteen scales times d of group A (slot 0) and B (slot 1), as float vectors in {@code scratch}. */
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
     * The super-block's sixteen scales times d from the header at {@code header}, to {@code scratch} from {@code at};
     * its d to {@code dAt} on the way.
     */
    private void blockFactors(long header, float[] scratch, int dAt, int at) {
        halvesToScratch(header + D_AT, scratch, dAt);
        FloatVector d = FloatVector.fromArray(F, scratch, dAt);
        for (int k = 0; k < 16; k++) {
            ((FloatVector) ByteVector.fromMemorySegment(BQ, data, header + (long) k * ROWS, LE).convertShape(VectorOperators.B2F, F, 0))
                    .mul(d).intoArray(scratch, at + k * ROWS);
        }
    }

    /**
     * Per super-block, group A's rows times the input, then group B's ({@link #superBlockTimesVector}, their sums in
     * the results' places until the end).
     */
    @Override
    void groupsTimesVector(int groupA, int groupB, MatmulInput in, float[] res) {
        int[] pairs = in.quantizedPairs();
        float[] scales = in.quantizedScales();
        FloatVector accA = FloatVector.zero(F), accB = accA;
        long baseA = values(groupA), baseB = values(groupB);
        int touched = 0;
        for (int b = 0; b < blocksPerRow; b++, baseA += VALUE_BYTES, baseB += VALUE_BYTES) {
            touched += superBlockTimesVector(baseA, pairs, scales, b, res, factors(0, b), 0)
                    + superBlockTimesVector(baseB, pairs, scales, b, res, factors(1, b), GROUP_B_RESULTS);
            accA = FloatVector.fromArray(F, res, 0).add(accA);
            accB = FloatVector.fromArray(F, res, GROUP_B_RESULTS).add(accB);
        }
        accA.intoArray(res, 0);
        accB.intoArray(res, GROUP_B_RESULTS);
        res[KEEP_ALIVE] = touched;
    }

    /**
     * Super-block b of a group's rows (its values from {@code at}) times the input quantized in blocks of 32
     * ({@link MatmulInput#quantizedPairs}, {@code scales}) to {@code res[sumAt]}: per sub-block, each pair of values of
     * every row's int lane times one broadcast pair of the input's in 16-bit lanes, summed per row as floats
     * ({@link #pairSums}), times the input block's scale and the rows' factors (from {@code res[factorsAt]}). Returns
     * the read-ahead loads.
     *
     * <p>The pairs written out (in a loop, C2 left each pair's shifts and addresses to be worked out at run time: 14.8
     * GB/s in cache on one Zen 4 core, against 23 written out) and a method of its own, called per super-block: its
     * bytecode is past what C2 inlines (FreqInlineSize, 325 bytes), so it is compiled alone, within a node budget of
     * its own (written out in {@link #groupsTimesVector} for both groups, it passed that budget, see
     * {@link RowGroupsTensor#scalesToScratch}). It takes and returns no vector.
     */
    private int superBlockTimesVector(long at, int[] pairs, float[] scales, int b, float[] res, int factorsAt, int sumAt) {
        FloatVector sum = FloatVector.zero(F);
        int touched = 0;
        for (int j = 0, pair = 128 * b; j < 16; j++, at += SUB_BLOCK_BYTES, pair += 8) {
            touched += touchLinesAhead(at, SUB_BLOCK_BYTES);
            ShortVector int0 = ShortVector.fromMemorySegment(PAIRS, data, at, LE);
            ShortVector int1 = ShortVector.fromMemorySegment(PAIRS, data, at + VECTOR_BYTES, LE);
            ShortVector int2 = ShortVector.fromMemorySegment(PAIRS, data, at + 2 * VECTOR_BYTES, LE);
            ShortVector products = int0.lanewise(VectorOperators.ASHR, 10).mul(IntVector.broadcast(I, pairs[pair]).reinterpretAsShorts());
            products = int0.lanewise(VectorOperators.LSHL, 6).lanewise(VectorOperators.ASHR, 10)
                    .mul(IntVector.broadcast(I, pairs[pair + 1]).reinterpretAsShorts()).add(products);
            products = int1.lanewise(VectorOperators.ASHR, 10).mul(IntVector.broadcast(I, pairs[pair + 2]).reinterpretAsShorts()).add(products);
            products = int1.lanewise(VectorOperators.LSHL, 6).lanewise(VectorOperators.ASHR, 10)
                    .mul(IntVector.broadcast(I, pairs[pair + 3]).reinterpretAsShorts()).add(products);
            products = int2.lanewise(VectorOperators.ASHR, 10).mul(IntVector.broadcast(I, pairs[pair + 4]).reinterpretAsShorts()).add(products);
            products = int2.lanewise(VectorOperators.LSHL, 6).lanewise(VectorOperators.ASHR, 10)
                    .mul(IntVector.broadcast(I, pairs[pair + 5]).reinterpretAsShorts()).add(products);
            products = int1.lanewise(VectorOperators.LSHL, 12).lanewise(VectorOperators.ASHR, 10).lanewise(VectorOperators.BITWISE_BLEND, int0, (short) 0xF)
                    .mul(IntVector.broadcast(I, pairs[pair + 6]).reinterpretAsShorts()).add(products);
            products = int2.lanewise(VectorOperators.LSHL, 12).lanewise(VectorOperators.ASHR, 10).lanewise(VectorOperators.BITWISE_BLEND, int1, (short) 3)
                    .mul(IntVector.broadcast(I, pairs[pair + 7]).reinterpretAsShorts()).add(products);
            // pairSums written out: the JDK's vector methods are inlined past C2's node budget, a helper of ours is not.
            IntVector lanes = products.reinterpretAsInts();
            FloatVector rowSums = (FloatVector) lanes.lanewise(VectorOperators.ASHR, 16)
                    .add(lanes.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).convert(VectorOperators.I2F, 0);
            sum = rowSums.mul(scales[8 * b + j / 2]).fma(FloatVector.fromArray(F, res, factorsAt + j * ROWS), sum);
        }
        sum.intoArray(res, sumAt);
        return touched;
    }

    /**
     * Per sub-block, both groups' rows dequantized into the scratch ({@link #dequantizeSubBlock}, from
     * {@link #tiles}), then times each input vector's values ({@link #tilesTimesFourVectors}).
     */
    @Override
    void groupsTimesFourVectors(int groupA, int groupB, MatmulInput in, int count, float[] res) {
        Arrays.fill(res, 0, 8 * ROWS, 0f);
        long baseA = values(groupA), baseB = values(groupB);
        int tileA = tiles(), tileB = tileA + 32 * ROWS;
        int touched = 0;
        for (int b = 0; b < blocksPerRow; b++, baseA += VALUE_BYTES, baseB += VALUE_BYTES) {
            for (int j = 0; j < 16; j++) { // two sub-blocks to a tile: half the calls
                long at = (long) SUB_BLOCK_BYTES * j;
                touched += touchLinesAhead(baseA + at, SUB_BLOCK_BYTES) + touchLinesAhead(baseB + at, SUB_BLOCK_BYTES);
                int half = j % 2 * 16 * ROWS;
                dequantizeSubBlock(baseA + at, res, factors(0, b) + j * ROWS, tileA + half, ROWS);
                dequantizeSubBlock(baseB + at, res, factors(1, b) + j * ROWS, tileB + half, ROWS);
                if (j % 2 == 1) {
                    tilesTimesFourVectors(res, tileA, tileB, 32, in, count, 256 * b + 16 * (j - 1));
                }
            }
        }
        res[KEEP_ALIVE] = touched;
    }

    /** Per group of the band: the super-block's factors ({@link #blockFactors}), then each sub-block's values. */
    @Override
    void dequantizeBand(int band, int k0, int n, float[] scratch) {
        int factors = BAND_FACTORS + ROWS;
        for (int i = 0; i < BAND_GROUPS; i++) {
            for (int k = 0, b = k0 / 256; k < n; k += 256, b++) {
                blockFactors(groupBase(band + i) + (long) b * HEADER_BYTES, scratch, BAND_FACTORS, factors);
                long at = values(band + i) + (long) b * VALUE_BYTES;
                for (int j = 0; j < 16; j++) {
                    dequantizeSubBlock(at + (long) SUB_BLOCK_BYTES * j, scratch, factors + j * ROWS, (k + 16 * j) * BAND_ROWS + i * ROWS, BAND_ROWS);
                }
            }
        }
    }

    /**
     * The sub-block at {@code at} times the rows' factors at {@code scratch[factorAt]}: the rows' value v to
     * {@code scratch[tileAt + v·stride]}. Pair p: for p below 6 the top (even p) or middle field of int p / 2, shifted
     * up to the top and back down with the sign; for 6 and 7 the low four bits of int p - 5 the same way (to bits 2-5,
     * signed), below them the low bits of int p - 6 (four bits for 6, two for 7). Each pair's two values as two float
     * vectors, both 2^16 times the values (a lane's low half shifted to the top, its high half with the low cleared),
     * which the factor takes back. Only the JDK's vector methods, and it takes and returns no vector (see
     * {@link #dequantizeEight}).
     */
    private void dequantizeSubBlock(long at, float[] scratch, int factorAt, int tileAt, int stride) {
        FloatVector factor = FloatVector.fromArray(F, scratch, factorAt).mul(0x1p-16f);
        for (int p = 0; p < 8; p++) {
            long own = at + (long) VECTOR_BYTES * (p < 6 ? p / 2 : p - 5);
            ShortVector pair = ShortVector.fromMemorySegment(PAIRS, data, own, LE)
                    .lanewise(VectorOperators.LSHL, p < 6 ? 6 * (p % 2) : 12).lanewise(VectorOperators.ASHR, 10);
            if (p >= 6) {
                pair = pair.lanewise(VectorOperators.BITWISE_BLEND, ShortVector.fromMemorySegment(PAIRS, data, own - VECTOR_BYTES, LE), (short) (0xF >> 2 * (p - 6)));
            }
            IntVector values = pair.reinterpretAsInts();
            ((FloatVector) values.lanewise(VectorOperators.LSHL, 16).convert(VectorOperators.I2F, 0)).mul(factor).intoArray(scratch, tileAt + 2 * p * stride);
            ((FloatVector) values.and(0xFFFF0000).convert(VectorOperators.I2F, 0)).mul(factor).intoArray(scratch, tileAt + (2 * p + 1) * stride);
        }
    }
}
