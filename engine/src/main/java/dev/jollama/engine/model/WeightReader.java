package dev.jollama.engine.model;

import dev.jollama.engine.gguf.GgufFile;
import dev.jollama.engine.gguf.GgufFormatException;
import dev.jollama.engine.gguf.GgufTensorInfo;
import dev.jollama.engine.tensor.FloatTensor;
import dev.jollama.engine.tensor.Repacker;

import java.util.Arrays;
import java.util.function.UnaryOperator;
import java.util.stream.LongStream;

/**
 * Looks a model's tensors up by name and checks their shapes, naming the tensor in every error. Matrices stay in
 * their file type, memory-mapped; norms and biases are small and read into float arrays. Names are the reference's;
 * {@code names} maps them to the file's own (Ollama's single-file Gemma 3 names its vision tensors its own way).
 */
record WeightReader(GgufFile file, UnaryOperator<String> names, Repacker repacker) {
    /** A reader whose matrices stay in the file's layout (no {@link Repacker} fills copies for them). */
    WeightReader(GgufFile file, UnaryOperator<String> names) {
        this(file, names, null);
    }

    /** A matrix of {@code rows} rows of {@code rowLength} values, in the layout its products read ({@link Repacker}). */
    FloatTensor matrix(String name, long rowLength, long rows) {
        GgufTensorInfo info = checked(name, rowLength, rows);
        return repacker == null ? FloatTensor.of(file.path(), info) : repacker.matrix(file, info, rowLength);
    }

    /** A tensor of exactly this shape (GGUF order, fastest dimension first). */
    FloatTensor tensor(String name, long... shape) {
        return FloatTensor.of(file.path(), checked(name, shape));
    }

    /**
     * A fused matrix of rows {@code rowLength} wide, split into consecutive parts of {@code rows[i]} rows: views of
     * the file's tensor, not copies.
     */
    FloatTensor[] splitRows(String name, long rowLength, long... rows) {
        GgufTensorInfo info = checked(name, rowLength, LongStream.of(rows).sum());
        if (rowLength % info.type().blockSize != 0) {
            throw new GgufFormatException(file.path(), "tensor '" + name + "' cannot be split into its parts: its rows of "
                    + rowLength + " values are not whole " + info.type() + " blocks");
        }
        FloatTensor whole = FloatTensor.of(file.path(), info);
        FloatTensor[] parts = new FloatTensor[rows.length];
        long first = 0;
        for (int i = 0; i < rows.length; i++) {
            parts[i] = whole.slice(first * rowLength, rows[i] * rowLength);
            first += rows[i];
        }
        return parts;
    }

    /**
     * A mixture-of-experts tensor, shape [rowLength, rows, experts]: expert e's matrix is the e-th slab of
     * {@code rows} rows, returned as a view of the file's tensor, not a copy.
     */
    FloatTensor[] experts(String name, long rowLength, long rows, int experts) {
        GgufTensorInfo info = checked(name, rowLength, rows, experts);
        if (rowLength % info.type().blockSize != 0) {
            throw new GgufFormatException(file.path(), "tensor '" + name + "' cannot be split into its experts: its rows of "
                    + rowLength + " values are not whole " + info.type() + " blocks");
        }
        FloatTensor whole = FloatTensor.of(file.path(), info);
        FloatTensor[] parts = new FloatTensor[experts];
        for (int e = 0; e < experts; e++) {
            parts[e] = whole.slice(e * rows * rowLength, rows * rowLength);
        }
        return parts;
    }

    /** Per-expert vectors, shape [length, experts]: row e belongs to expert e. */
    float[][] expertVectors(String name, int length, int experts) {
        FloatTensor t = FloatTensor.of(file.path(), checked(name, length, experts));
        float[][] values = new float[experts][length];
        for (int e = 0; e < experts; e++) {
            t.copyTo((long) e * length, values[e], 0, length);
        }
        return values;
    }

    float[] vector(String name, int length) {
        FloatTensor t = FloatTensor.of(file.path(), checked(name, length));
        float[] values = new float[length];
        t.copyTo(0, values, 0, length);
        return values;
    }

    boolean has(String name) {
        return info(name) != null;
    }

    /** The tensor's entry, or null when the file has none of that name. */
    GgufTensorInfo info(String name) {
        return file.tensor(names.apply(name));
    }

    private GgufTensorInfo checked(String name, long... shape) {
        GgufTensorInfo t = info(name);
        name = names.apply(name);
        if (t == null) {
            throw new GgufFormatException(file.path(), "tensor '" + name + "' is missing (expected shape "
                    + Arrays.toString(shape) + " from the model's metadata)");
        }
        if (!Arrays.equals(t.shape(), shape)) {
            throw new GgufFormatException(file.path(), "tensor '" + name + "' has shape " + Arrays.toString(t.shape())
                    + ", expected " + Arrays.toString(shape) + " from the model's metadata");
        }
        return t;
    }
}
