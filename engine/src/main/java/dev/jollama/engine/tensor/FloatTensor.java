package dev.jollama.engine.tensor;

import dev.jollama.engine.gguf.GgufFormatException;
import dev.jollama.engine.gguf.GgufTensorInfo;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.stream.IntStream;

/**
 * A tensor's values seen as one flat stream of {@link #size()} floats, whatever its storage type. Each storage type
 * is one small final subclass, so the hot loops stay monomorphic. Blocks of quantized types may run across rows
 * (a row length that is not a multiple of the block size), which is why everything is addressed by flat index.
 */
public abstract sealed class FloatTensor
        permits F32Tensor, F16Tensor, BF16Tensor, Q8_0Tensor, Q4_0Tensor, Q5_0Tensor, Q4KTensor, Q5KTensor, Q6KTensor {

    protected static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    protected static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    protected static final ValueLayout.OfFloat FLOAT_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Below this many multiply-adds a matrix-vector product is not worth splitting across threads. */
    private static final long PARALLEL_THRESHOLD = 1 << 18;

    protected final MemorySegment data;
    private final long size;

    protected FloatTensor(MemorySegment data, long size) {
        this.data = data;
        this.size = size;
    }

    /** Wraps a GGUF tensor; an unsupported storage type is a format error naming the tensor. */
    public static FloatTensor of(Path file, GgufTensorInfo info) {
        MemorySegment data = info.data();
        long n = info.elementCount();
        return switch (info.type()) {
            case F32 -> new F32Tensor(data, n);
            case F16 -> new F16Tensor(data, n);
            case BF16 -> new BF16Tensor(data, n);
            case Q8_0 -> new Q8_0Tensor(data, n);
            case Q4_0 -> new Q4_0Tensor(data, n);
            case Q5_0 -> new Q5_0Tensor(data, n);
            case Q4_K -> new Q4KTensor(data, n);
            case Q5_K -> new Q5KTensor(data, n);
            case Q6_K -> new Q6KTensor(data, n);
            default -> throw new GgufFormatException(file, "tensor '" + info.name() + "' has type " + info.type()
                    + ", which this engine does not support yet (supported: F32, F16, BF16, Q8_0, Q4_0, Q5_0, Q4_K, Q5_K, Q6_K)");
        };
    }

    public abstract GgmlType type();

    public final long size() {
        return size;
    }

    /** The value at a flat index: the scalar reference every kernel is tested against. */
    public abstract float getFloat(long index);

    /**
     * Sum of {@code this[offset + i] * x[xOffset + i]} for i below n. Whole blocks go through the type's block kernel;
     * a start or end inside a block goes value by value.
     */
    public final float dot(long offset, float[] x, int xOffset, int n) {
        int blockSize = type().blockSize;
        float sum = 0f;
        int i = 0;
        while (i < n && (offset + i) % blockSize != 0) {
            sum += getFloat(offset + i) * x[xOffset + i];
            i++;
        }
        int blocks = (n - i) / blockSize;
        if (blocks > 0) {
            sum += dotBlocks((offset + i) / blockSize, x, xOffset + i, blocks);
            i += blocks * blockSize;
        }
        for (; i < n; i++) {
            sum += getFloat(offset + i) * x[xOffset + i];
        }
        return sum;
    }

    /** Dot product of {@code blockCount} whole blocks starting at block {@code firstBlock} with x. */
    protected abstract float dotBlocks(long firstBlock, float[] x, int xOffset, int blockCount);

    /** Copies n values starting at a flat index into {@code out}. */
    public void copyTo(long offset, float[] out, int outOffset, int n) {
        for (int i = 0; i < n; i++) {
            out[outOffset + i] = getFloat(offset + i);
        }
    }

    /** {@code out[r] = row r of this (rows x cols, row-major) · x} for every row r. */
    public final void matvec(float[] x, float[] out, int rows, int cols) {
        if ((long) rows * cols < PARALLEL_THRESHOLD) {
            for (int r = 0; r < rows; r++) {
                out[r] = dot((long) r * cols, x, 0, cols);
            }
        } else {
            IntStream.range(0, rows).parallel().forEach(r -> out[r] = dot((long) r * cols, x, 0, cols));
        }
    }

    protected final float f16(long byteOffset) {
        return Float.float16ToFloat(data.get(SHORT_LE, byteOffset));
    }

    protected final byte int8(long byteOffset) {
        return data.get(ValueLayout.JAVA_BYTE, byteOffset);
    }

    protected final int uint8(long byteOffset) {
        return Byte.toUnsignedInt(data.get(ValueLayout.JAVA_BYTE, byteOffset));
    }
}
