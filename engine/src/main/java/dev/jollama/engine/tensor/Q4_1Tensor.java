package dev.jollama.engine.tensor;

import dev.jollama.engine.gguf.GgmlType;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;

/**
 * Q4_1: blocks of 32 values in 20 bytes: fp16 scale d, fp16 offset m, then 16 bytes of nibbles in Q4_0's order
 * (value j below 16 the low nibble of byte j, value j + 16 its high nibble), unsigned: w = q·d + m.
 */
public final class Q4_1Tensor extends FloatTensor {
    private static final int BLOCK_BYTES = 20;

    Q4_1Tensor(MemorySegment data, long size) {
        super(data, size);
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q4_1;
    }

    @Override
    public float getFloat(long index) {
        long block = (index / 32) * BLOCK_BYTES;
        int j = (int) (index % 32);
        int packed = uint8(block + 4 + (j & 15));
        int nibble = j < 16 ? packed & 0xF : packed >>> 4;
        return nibble * f16(block) + f16(block + 2);
    }

    @Override
    protected float dotBlocks(long firstBlock, float[] x, int xOffset, int blockCount) {
        float sum = 0f;
        for (int b = 0; b < blockCount; b++) {
            long block = (firstBlock + b) * BLOCK_BYTES;
            int xb = xOffset + b * 32;
            float blockDot = 0f, xSum = 0f;
            for (int j = 0; j < 16; j++) {
                int packed = uint8(block + 4 + j);
                blockDot += (packed & 0xF) * x[xb + j] + (packed >>> 4) * x[xb + j + 16];
                xSum += x[xb + j] + x[xb + j + 16];
            }
            sum += blockDot * f16(block) + xSum * f16(block + 2);
        }
        return sum;
    }

    /** Values as {@link #getFloat} gives them: q·d is exact (a 4-bit integer times an fp16), so one rounding, at + m. */
    @Override
    protected void dequantize(long firstBlock, int blocks, float[] dst, int dstOffset) {
        for (int b = 0; b < blocks; b++) {
            long block = (firstBlock + b) * BLOCK_BYTES;
            FloatVector d = FloatVector.broadcast(F, f16(block)), m = FloatVector.broadcast(F, f16(block + 2));
            for (int j = 0; j < 16; j += F.length()) {
                IntVector packed = unsignedBytes(block + 4 + j);
                int at = dstOffset + b * 32 + j;
                ((FloatVector) packed.and(0xf).convert(VectorOperators.I2F, 0)).fma(d, m).intoArray(dst, at);
                ((FloatVector) packed.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(d, m).intoArray(dst, at + 16);
            }
        }
    }

    @Override
    void prepare(MatmulInput in) {
        super.prepare(in);
        if (in.count() == 1) {
            in.computeNibbleSplit();
        }
    }

    @Override
    protected int decodeRows() {
        return F.length() == 16 ? 4 : 2;
    }

    /**
     * Q4_0's kernel ({@link Q4_0Tensor#dotRows}) with the offsets in place of the -8: four rows side by side with 16
     * lanes, the input split by nibble so that a byte costs one mask and two conversions. Per block and row 6 vector
     * instructions for 32 values (a zero-extending load, a mask, two conversions, a multiply and a multiply-add) and
     * a multiply-add by d, the loads of the input shared by the rows. The offsets apply through the input's sums,
     * Σ (d·q + m)·x = d·Σ q·x + m·Σ x, in a scalar loop of their own ({@link #offsetsToScratch}): in this loop, four more
     * scale loads took it past C2's inlining node budget (vector ops left as calls, every vector boxed: 2.4 GB/s in
     * cache). The loop also sums d·Σ x per row, which nothing needs (kept in scratch, so that it stays): without it
     * C2 compiles the same vector work 25-30% slower (in cache 5.7 against 7.4-7.6 GB/s per core; Q4_0's loop, which
     * uses those sums, runs at 9.6). Why was not found; perhaps d, used only by the broadcast, is then broadcast from
     * memory into each multiply-add. With 8 lanes see dotTwoRowsEightLanes.
     */
    @Override
    protected void dotRows(long firstBlock, long rowStride, int blocks, MatmulInput in, float[] out, int outIndex, int outStride, float[] scratch) {
        if (F.length() != 16) {
            dotTwoRowsEightLanes(firstBlock, rowStride, blocks, in, out, outIndex, outStride, scratch);
            return;
        }
        float[] split = in.nibbleSplit(), sums = in.sums16();
        float kept0 = 0f, kept1 = 0f, kept2 = 0f, kept3 = 0f;
        FloatVector acc0 = FloatVector.zero(F), acc1 = acc0, acc2 = acc0, acc3 = acc0;
        long rowBytes = rowStride * BLOCK_BYTES;
        for (int b = 0; b < blocks; b++) {
            long block = (firstBlock + b) * BLOCK_BYTES;
            FloatVector lowX = FloatVector.fromArray(F, split, 32 * b), byteX = FloatVector.fromArray(F, split, 32 * b + 16);
            float xSum = sums[2 * b] + sums[2 * b + 1];
            float d = f16(block);
            acc0 = nibblesTimesX(block, lowX, byteX).fma(FloatVector.broadcast(F, d), acc0);
            kept0 += d * xSum;
            block += rowBytes;
            d = f16(block);
            acc1 = nibblesTimesX(block, lowX, byteX).fma(FloatVector.broadcast(F, d), acc1);
            kept1 += d * xSum;
            block += rowBytes;
            d = f16(block);
            acc2 = nibblesTimesX(block, lowX, byteX).fma(FloatVector.broadcast(F, d), acc2);
            kept2 += d * xSum;
            block += rowBytes;
            d = f16(block);
            acc3 = nibblesTimesX(block, lowX, byteX).fma(FloatVector.broadcast(F, d), acc3);
            kept3 += d * xSum;
        }
        scratch[1] = kept0 + kept1 + kept2 + kept3;
        offsetsToScratch(firstBlock, rowStride, 2 * rowStride, blocks, sums, scratch);
        out[outIndex] = acc0.reduceLanes(VectorOperators.ADD) + scratch[OFFSETS];
        out[outIndex + outStride] = acc1.reduceLanes(VectorOperators.ADD) + scratch[OFFSETS + 1];
        out[outIndex + 2 * outStride] = acc2.reduceLanes(VectorOperators.ADD) + scratch[OFFSETS + 2];
        out[outIndex + 3 * outStride] = acc3.reduceLanes(VectorOperators.ADD) + scratch[OFFSETS + 3];
    }

    /** Where {@link #offsetsToScratch} leaves the four rows' offsets. */
    private static final int OFFSETS = 2;

    /**
     * Σ m·Σ x over the blocks of four rows, at {@code firstBlock} plus 0, {@code rowStride}, {@code pairStride} and
     * pairStride + rowStride blocks (for two rows, a pairStride of 0 repeats them; a rowStride of 0 repeats one), to
     * {@code scratch} from {@link #OFFSETS}: the rows in one loop, four chains of multiply-adds (one row at a time, a
     * chain's latency bounded the loop).
     */
    private void offsetsToScratch(long firstBlock, long rowStride, long pairStride, int blocks, float[] sums16, float[] scratch) {
        float offset0 = 0f, offset1 = 0f, offset2 = 0f, offset3 = 0f;
        long rowBytes = rowStride * BLOCK_BYTES, pairBytes = pairStride * BLOCK_BYTES;
        for (int b = 0; b < blocks; b++) {
            long m = (firstBlock + b) * BLOCK_BYTES + 2;
            float xSum = sums16[2 * b] + sums16[2 * b + 1];
            offset0 += f16(m) * xSum;
            offset1 += f16(m + rowBytes) * xSum;
            offset2 += f16(m + pairBytes) * xSum;
            offset3 += f16(m + pairBytes + rowBytes) * xSum;
        }
        scratch[OFFSETS] = offset0;
        scratch[OFFSETS + 1] = offset1;
        scratch[OFFSETS + 2] = offset2;
        scratch[OFFSETS + 3] = offset3;
    }

    /**
     * The packed bytes from {@code bytes + 4}, as many as lanes: their low nibbles times lowX plus the whole bytes
     * times byteX, lane by lane.
     */
    private FloatVector nibblesTimesX(long bytes, FloatVector lowX, FloatVector byteX) {
        IntVector packed = unsignedBytes(bytes + 4);
        FloatVector low = (FloatVector) packed.and(LOW_NIBBLE).convert(VectorOperators.I2F, 0);
        FloatVector whole = (FloatVector) packed.convert(VectorOperators.I2F, 0);
        return low.fma(lowX, whole.mul(byteX));
    }

    private static final IntVector LOW_NIBBLE = IntVector.broadcast(I, 0xf);

    /**
     * With 8 lanes two rows side by side, a block (two loads of eight packed bytes) at a time, as Q4_0's, with the
     * offsets after the loop as with 16 lanes.
     */
    private void dotTwoRowsEightLanes(long firstBlock, long rowStride, int blocks, MatmulInput in, float[] out, int outIndex, int outStride, float[] scratch) {
        float[] split = in.nibbleSplit(), sums = in.sums16();
        FloatVector acc0 = FloatVector.zero(F), acc1 = acc0;
        float kept0 = 0f, kept1 = 0f;
        long rowBytes = rowStride * BLOCK_BYTES;
        int touched = 0;
        for (int b = 0; b < blocks; b++) {
            long block = (firstBlock + b) * BLOCK_BYTES, other = block + rowBytes;
            if ((b & 3) == 0) {
                touched += touchAhead(block) + touchAhead(other); // once every four blocks (80 bytes)
            }
            FloatVector lowX0 = FloatVector.fromArray(F, split, 32 * b), lowX1 = FloatVector.fromArray(F, split, 32 * b + 8);
            FloatVector byteX0 = FloatVector.fromArray(F, split, 32 * b + 16), byteX1 = FloatVector.fromArray(F, split, 32 * b + 24);
            float xSum = sums[2 * b] + sums[2 * b + 1];
            float d0 = f16(block), d1 = f16(other);
            FloatVector sum0 = nibblesTimesX(block, lowX0, byteX0).add(nibblesTimesX(block + 8, lowX1, byteX1));
            FloatVector sum1 = nibblesTimesX(other, lowX0, byteX0).add(nibblesTimesX(other + 8, lowX1, byteX1));
            acc0 = sum0.fma(FloatVector.broadcast(F, d0), acc0);
            acc1 = sum1.fma(FloatVector.broadcast(F, d1), acc1);
            kept0 += d0 * xSum;
            kept1 += d1 * xSum;
        }
        scratch[0] = touched;
        scratch[1] = kept0 + kept1;
        offsetsToScratch(firstBlock, rowStride, 0, blocks, sums, scratch); // rows 2 and 3 repeat 0 and 1
        out[outIndex] = acc0.reduceLanes(VectorOperators.ADD) + scratch[OFFSETS];
        out[outIndex + outStride] = acc1.reduceLanes(VectorOperators.ADD) + scratch[OFFSETS + 1];
    }

    /**
     * Quantizes {@code blocks} blocks as the reference does: the block's lowest value is m, its range in 15 steps is d,
     * codes round half up from (x - m)/d.
     */
    static void quantize(float[] src, int srcOffset, int blocks, byte[] dst, int dstOffset) {
        for (int b = 0; b < blocks; b++) {
            int from = srcOffset + 32 * b, at = dstOffset + BLOCK_BYTES * b;
            float min = Quantizers.lowest(src, from, 32), max = Quantizers.highest(src, from, 32);
            float d = (max - min) / 15f;
            float inverse = d != 0f ? 1f / d : 0f;
            Quantizers.putShort(dst, at, Float.floatToFloat16(d));
            Quantizers.putShort(dst, at + 2, Float.floatToFloat16(min));
            for (int j = 0; j < 16; j++) {
                int low = Math.min(15, (int) ((src[from + j] - min) * inverse + 0.5f));
                int high = Math.min(15, (int) ((src[from + 16 + j] - min) * inverse + 0.5f));
                dst[at + 4 + j] = (byte) (low | high << 4);
            }
        }
    }
}
