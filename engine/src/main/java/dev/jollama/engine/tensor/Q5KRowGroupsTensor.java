package dev.jollama.engine.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * Q5_K rows in groups ({@link RowGroupsTensor}), 176 bytes per super-block and row as in the file. Per group of rows,
 * first every super-block's header ({@link KQuantRowGroupsTensor}); then every super-block's values, each 32-value
 * sub-block's as five int vectors whose lane r holds row r's values less 16 (-16 to 15, as 5-bit two's complement) in
 * 16-bit halves, as Q6_K's copy does with six bits ({@link Q6KRowGroupsTensor}):
 * <ul>
 * <li>bits 11-15, 6-10 and 1-5 of half h of int i: values 6i + h, 6i + 2 + h and 6i + 4 + h;</li>
 * <li>bit 0 of int k (k = 0 to 4): bit k of value 30 + h.</li>
 * </ul>
 * So each value comes out signed in its 16-bit lane by one or two shifts (the last pair by nine operations), and a
 * sub-block's sixteen products per lane with the input's 8-bit values stay within 16 bits (16 x 127 x 16 = 32,512).
 * The 16 taken off every value comes back with the min: d·sc·q - dmin·m = d·sc·(q - 16) + (16·d·sc - dmin·m).
 */
final class Q5KRowGroupsTensor extends KQuantRowGroupsTensor {
    private static final int BLOCK_BYTES = 176;
    /** A super-block's values in a group, and a sub-block's (a constant: the read-ahead loop's count). */
    private static final int VALUE_BYTES = 160 * ROWS, SUB_BLOCK_BYTES = 20 * ROWS;

    Q5KRowGroupsTensor(MemorySegment data, Q5KTensor fileLayout, int blocksPerRow, Repacker repacker) {
        super(data, fileLayout, blocksPerRow, repacker);
    }

    @Override
    void pack() {
        long groups = size() / (256L * blocksPerRow) / ROWS;
        int[] q = new int[256], six = new int[16];
        for (long g = 0; g < groups; g++) {
            long base = g * blocksPerRow * BLOCK_BYTES * ROWS;
            for (int b = 0; b < blocksPerRow; b++) {
                long header = base + (long) b * HEADER_BYTES, values = base + (long) blocksPerRow * HEADER_BYTES + (long) b * VALUE_BYTES;
                for (int r = 0; r < ROWS; r++) {
                    long from = ((g * ROWS + r) * blocksPerRow + b) * BLOCK_BYTES;
                    packHeader(from, header, r, six);
                    signedValues(fileLayout.data, from, q);
                    for (int j = 0; j < 8; j++) {
                        for (int i = 0; i < 5; i++) {
                            data.set(INT_LE, values + (long) SUB_BLOCK_BYTES * j + (long) VECTOR_BYTES * i + 4L * r, packedInt(q, 32 * j, i));
                        }
                    }
                }
            }
        }
    }

    /**
     * The super-block's 256 values at {@code from} less 16, as 5-bit two's complement (q ^ 16), into {@code q}: value i
     * of sub-block j is the low (even j) or high nibble of byte 32·(j / 2) + i of the nibbles, its fifth bit bit j of
     * byte i of qh.
     */
    private static void signedValues(MemorySegment bytes, long from, int[] q) {
        for (int v = 0; v < 256; v++) {
            int j = v / 32, l = v % 32;
            int nibbles = Byte.toUnsignedInt(bytes.get(ValueLayout.JAVA_BYTE, from + 48 + 32 * (j / 2) + l)) >>> 4 * (j % 2);
            int fifth = Byte.toUnsignedInt(bytes.get(ValueLayout.JAVA_BYTE, from + 16 + l)) >>> j & 1;
            q[v] = (nibbles & 0xF | fifth << 4) ^ 16;
        }
    }

    /** Int i (0 to 4) of the sub-block of values from {@code first} of {@code q}, as the class comment lays it out. */
    private static int packedInt(int[] q, int first, int i) {
        int packed = 0;
        for (int h = 0; h < 2; h++) {
            int half = q[first + 6 * i + h] << 11 | q[first + 6 * i + 2 + h] << 6 | q[first + 6 * i + 4 + h] << 1 | q[first + 30 + h] >>> i & 1;
            packed |= half << 16 * h;
        }
        return packed;
    }

    /**
     * Per sub-block, both groups' rows times the input quantized in blocks of 32 ({@link MatmulInput#quantizedPairs}):
     * each pair of values of every row's int lane times one broadcast pair of the input's in 16-bit lanes, summed per
     * row as floats and times the input block's scale and the rows' scales; the rows' offsets (16·d·sc - dmin·m)
     * times the input's sums of 32. Only the JDK's vector methods inside the loops: they are inlined past C2's node
     * budget, a helper of ours that returns a vector is not (see {@link RowGroupsTensor#scalesToScratch}).
     */
    @Override
    void groupsTimesVector(int groupA, int groupB, MatmulInput in, float[] res) {
        int[] pairs = in.quantizedPairs();
        float[] scales = in.quantizedScales(), sums = in.quantizedSums();
        FloatVector accA = FloatVector.zero(F), accB = accA, offA = accA, offB = accA;
        long baseA = values(groupA), baseB = values(groupB);
        int touched = 0;
        for (int b = 0; b < blocksPerRow; b++, baseA += VALUE_BYTES, baseB += VALUE_BYTES) {
            int factorsA = factors(0, b), factorsB = factors(1, b);
            for (int j = 0; j < 8; j++) {
                long at = (long) SUB_BLOCK_BYTES * j;
                touched += touchLinesAhead(baseA + at, SUB_BLOCK_BYTES) + touchLinesAhead(baseB + at, SUB_BLOCK_BYTES);
                int pair = 128 * b + 16 * j;
                ShortVector productsA = ShortVector.zero(PAIRS), productsB = productsA;
                for (int i = 0; i < 5; i++) {
                    ShortVector a = ShortVector.fromMemorySegment(PAIRS, data, baseA + at + (long) VECTOR_BYTES * i, LE);
                    ShortVector c = ShortVector.fromMemorySegment(PAIRS, data, baseB + at + (long) VECTOR_BYTES * i, LE);
                    ShortVector x = IntVector.broadcast(I, pairs[pair + 3 * i]).reinterpretAsShorts();
                    productsA = a.lanewise(VectorOperators.ASHR, 11).mul(x).add(productsA);
                    productsB = c.lanewise(VectorOperators.ASHR, 11).mul(x).add(productsB);
                    x = IntVector.broadcast(I, pairs[pair + 3 * i + 1]).reinterpretAsShorts();
                    productsA = a.lanewise(VectorOperators.LSHL, 5).lanewise(VectorOperators.ASHR, 11).mul(x).add(productsA);
                    productsB = c.lanewise(VectorOperators.LSHL, 5).lanewise(VectorOperators.ASHR, 11).mul(x).add(productsB);
                    x = IntVector.broadcast(I, pairs[pair + 3 * i + 2]).reinterpretAsShorts();
                    productsA = a.lanewise(VectorOperators.LSHL, 10).lanewise(VectorOperators.ASHR, 11).mul(x).add(productsA);
                    productsB = c.lanewise(VectorOperators.LSHL, 10).lanewise(VectorOperators.ASHR, 11).mul(x).add(productsB);
                }
                // Pair 15: bit 0 of int 4 shifted to the top and back down with the sign to bit 4, below it bit 0 of
                // ints 3 to 0 blended in at bits 3 to 0. Written here, not in a helper: one of ours that returns a
                // vector and is not inlined (past C2's node budget, see RowGroupsTensor#scalesToScratch) boxes it.
                ShortVector lastA = ShortVector.fromMemorySegment(PAIRS, data, baseA + at + 4L * VECTOR_BYTES, LE)
                        .lanewise(VectorOperators.LSHL, 15).lanewise(VectorOperators.ASHR, 11);
                ShortVector lastB = ShortVector.fromMemorySegment(PAIRS, data, baseB + at + 4L * VECTOR_BYTES, LE)
                        .lanewise(VectorOperators.LSHL, 15).lanewise(VectorOperators.ASHR, 11);
                for (int k = 3; k >= 0; k--) {
                    lastA = lastA.lanewise(VectorOperators.BITWISE_BLEND,
                            ShortVector.fromMemorySegment(PAIRS, data, baseA + at + (long) VECTOR_BYTES * k, LE).lanewise(VectorOperators.LSHL, k), (short) (1 << k));
                    lastB = lastB.lanewise(VectorOperators.BITWISE_BLEND,
                            ShortVector.fromMemorySegment(PAIRS, data, baseB + at + (long) VECTOR_BYTES * k, LE).lanewise(VectorOperators.LSHL, k), (short) (1 << k));
                }
                ShortVector x = IntVector.broadcast(I, pairs[pair + 15]).reinterpretAsShorts();
                productsA = lastA.mul(x).add(productsA);
                productsB = lastB.mul(x).add(productsB);
                IntVector lanesA = productsA.reinterpretAsInts(), lanesB = productsB.reinterpretAsInts();
                FloatVector rowSumsA = (FloatVector) lanesA.lanewise(VectorOperators.ASHR, 16)
                        .add(lanesA.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).convert(VectorOperators.I2F, 0);
                FloatVector rowSumsB = (FloatVector) lanesB.lanewise(VectorOperators.ASHR, 16)
                        .add(lanesB.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).convert(VectorOperators.I2F, 0);
                float inputScale = scales[8 * b + j];
                FloatVector scaleA = FloatVector.fromArray(F, res, factorsA + j * ROWS), scaleB = FloatVector.fromArray(F, res, factorsB + j * ROWS);
                accA = rowSumsA.mul(inputScale).fma(scaleA, accA);
                accB = rowSumsB.mul(inputScale).fma(scaleB, accB);
                FloatVector sum = FloatVector.broadcast(F, sums[8 * b + j]);
                offA = scaleA.mul(16f).add(FloatVector.fromArray(F, res, factorsA + (8 + j) * ROWS)).fma(sum, offA);
                offB = scaleB.mul(16f).add(FloatVector.fromArray(F, res, factorsB + (8 + j) * ROWS)).fma(sum, offB);
            }
        }
        accA.add(offA).intoArray(res, 0);
        accB.add(offB).intoArray(res, GROUP_B_RESULTS);
        res[KEEP_ALIVE] = touched;
    }

    /** Two to four vectors: each copied out, read as it is (the offsets are in the dequantized tiles: no sums). */
    @Override
    void prepareFourVectors(MatmulInput in) {
        in.copySingles(0);
    }

    /**
     * Per sub-block, both groups' rows dequantized into the scratch ({@link #dequantizeSubBlock}, from
     * {@link #tiles}; the offsets after both tiles), then times each input vector's values
     * ({@link #tilesTimesFourVectors}).
     */
    @Override
    void groupsTimesFourVectors(int groupA, int groupB, MatmulInput in, int count, float[] res) {
        Arrays.fill(res, 0, 8 * ROWS, 0f);
        long baseA = values(groupA), baseB = values(groupB);
        int tileA = tiles(), tileB = tileA + 32 * ROWS;
        int touched = 0;
        for (int b = 0; b < blocksPerRow; b++, baseA += VALUE_BYTES, baseB += VALUE_BYTES) {
            for (int j = 0; j < 8; j++) {
                long at = (long) SUB_BLOCK_BYTES * j;
                touched += touchLinesAhead(baseA + at, SUB_BLOCK_BYTES) + touchLinesAhead(baseB + at, SUB_BLOCK_BYTES);
                for (int slot = 0; slot < 2; slot++) {
                    int scale = factors(slot, b) + j * ROWS, offset = tileB + 32 * ROWS + slot * ROWS;
                    FloatVector.fromArray(F, res, scale).mul(16f).add(FloatVector.fromArray(F, res, scale + 8 * ROWS)).intoArray(res, offset);
                    dequantizeSubBlock((slot == 0 ? baseA : baseB) + at, res, scale, offset, slot == 0 ? tileA : tileB, ROWS);
                }
                tilesTimesFourVectors(res, tileA, tileB, 32, in, count, 256 * b + 32 * j);
            }
        }
        res[KEEP_ALIVE] = touched;
    }

    /**
     * Per group of the band: the super-block's factors ({@link #blockFactors}), each sub-block's min turned into its
     * offset (16·d·sc - dmin·m, in place), then each sub-block's pairs of values.
     */
    @Override
    void dequantizeBand(int band, int k0, int n, float[] scratch) {
        int factors = BAND_FACTORS + 2 * ROWS;
        for (int i = 0; i < BAND_GROUPS; i++) {
            for (int k = 0, b = k0 / 256; k < n; k += 256, b++) {
                blockFactors(groupBase(band + i) + (long) b * HEADER_BYTES, scratch, BAND_FACTORS, factors);
                long at = values(band + i) + (long) b * VALUE_BYTES;
                for (int j = 0; j < 8; j++) {
                    int scale = factors + j * ROWS, offset = factors + (8 + j) * ROWS;
                    FloatVector.fromArray(F, scratch, scale).mul(16f).add(FloatVector.fromArray(F, scratch, offset)).intoArray(scratch, offset);
                    dequantizeSubBlock(at + (long) SUB_BLOCK_BYTES * j, scratch, scale, offset, (k + 32 * j) * BAND_ROWS + i * ROWS, BAND_ROWS);
                }
            }
        }
    }

    /**
     * The sub-block at {@code at} times the rows' scales at {@code scratch[scaleAt]} plus their offsets at
     * {@code scratch[offsetAt]}: the rows' value v to {@code scratch[tileAt + v·stride]}; each pair's two values as two
     * float vectors, both 2^16 times the values (a lane's low half shifted to the top, its high half with the low
     * cleared), which the scale takes back. It takes and returns no vector (see {@link #dequantizeEight}).
     */
    private void dequantizeSubBlock(long at, float[] scratch, int scaleAt, int offsetAt, int tileAt, int stride) {
        FloatVector scale = FloatVector.fromArray(F, scratch, scaleAt).mul(0x1p-16f), offset = FloatVector.fromArray(F, scratch, offsetAt);
        for (int p = 0; p < 16; p++) {
            ShortVector pair;
            if (p < 15) {
                pair = ShortVector.fromMemorySegment(PAIRS, data, at + (long) VECTOR_BYTES * (p / 3), LE).lanewise(VectorOperators.LSHL, 5 * (p % 3)).lanewise(VectorOperators.ASHR, 11);
            } else {
                pair = ShortVector.fromMemorySegment(PAIRS, data, at + 4L * VECTOR_BYTES, LE).lanewise(VectorOperators.LSHL, 15).lanewise(VectorOperators.ASHR, 11);
                for (int k = 3; k >= 0; k--) {
                    pair = pair.lanewise(VectorOperators.BITWISE_BLEND,
                            ShortVector.fromMemorySegment(PAIRS, data, at + (long) VECTOR_BYTES * k, LE).lanewise(VectorOperators.LSHL, k), (short) (1 << k));
                }
            }
            IntVector values = pair.reinterpretAsInts();
            ((FloatVector) values.lanewise(VectorOperators.LSHL, 16).convert(VectorOperators.I2F, 0)).fma(scale, offset).intoArray(scratch, tileAt + 2 * p * stride);
            ((FloatVector) values.and(0xFFFF0000).convert(VectorOperators.I2F, 0)).fma(scale, offset).intoArray(scratch, tileAt + (2 * p + 1) * stride);
        }
    }
}
