package dev.jollama.engine.gguf;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes GGUF version 3 files: metadata, then tensor data streamed by each tensor's producer, so a file larger than
 * memory can be written. Metadata values: {@link String}, {@link Integer} (uint32, as llama.cpp writes and requires
 * counts, ids and the file type), {@link Float}, {@link Boolean}, {@code String[]}, {@code int[]} (int32, as token types
 * are), {@code float[]}.
 */
public final class GgufWriter {
    private static final int ALIGNMENT = 32;

    /** Writes exactly {@code type.byteSize(elements)} bytes of a tensor's data. */
    public interface TensorData {
        void writeTo(OutputStream out) throws IOException;
    }

    private record Tensor(String name, long[] shape, GgmlType type, TensorData data) {
        long byteSize() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return type.byteSize(n);
        }
    }

    private final Map<String, Object> metadata = new LinkedHashMap<>();
    private final List<Tensor> tensors = new ArrayList<>();

    public GgufWriter put(String key, Object value) {
        metadata.put(key, value);
        return this;
    }

    /** Copies a metadata entry of {@code source} with its value type as it is in that file. */
    public GgufWriter copy(GgufFile source, String key) {
        GgufValueType[] type = source.metadataType(key);
        if (type == null) {
            throw new IllegalArgumentException("metadata '" + key + "' is not in " + source.path());
        }
        if (type[1] == GgufValueType.ARRAY) {
            throw new IllegalArgumentException("metadata '" + key + "' of " + source.path() + " is an array of arrays, which cannot be copied");
        }
        metadata.put(key, new Typed(type[0], type[1], source.metadata().get(key)));
        return this;
    }

    /** A value read from a file, written back with the same GGUF type ({@code element} for arrays). */
    private record Typed(GgufValueType type, GgufValueType element, Object value) {
    }

    /** Adds a tensor; {@code shape[0]} is the contiguous row length, as in the files. */
    public GgufWriter tensor(String name, long[] shape, GgmlType type, TensorData data) {
        Tensor t = new Tensor(name, shape.clone(), type, data);
        if (t.byteSize() < 0) {
            throw new IllegalArgumentException(name + ": " + type + " needs whole blocks of " + type.blockSize);
        }
        tensors.add(t);
        return this;
    }

    public void write(Path path) throws IOException {
        try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(path), 1 << 20)) {
            CountingStream out = new CountingStream(file);
            out.i32(0x46554747);
            out.i32(3);
            out.i64(tensors.size());
            out.i64(metadata.size());
            for (Map.Entry<String, Object> e : metadata.entrySet()) {
                out.string(e.getKey());
                value(out, e.getKey(), e.getValue());
            }
            long offset = 0;
            for (Tensor t : tensors) {
                out.string(t.name());
                out.i32(t.shape().length);
                for (long d : t.shape()) {
                    out.i64(d);
                }
                out.i32(t.type().id);
                out.i64(offset);
                offset = align(offset + t.byteSize());
            }
            out.pad();
            for (Tensor t : tensors) {
                long start = out.count;
                t.data().writeTo(out);
                if (out.count - start != t.byteSize()) {
                    throw new IllegalStateException(t.name() + ": wrote " + (out.count - start) + " bytes, expected " + t.byteSize());
                }
                out.pad();
            }
        }
    }

    /** One value of a scalar type as the reader returned it (an Integer, Long, Float, Double, Boolean or String). */
    private static void typed(CountingStream out, GgufValueType type, Object v) throws IOException {
        switch (type) {
            case UINT8, INT8, BOOL -> out.write(v instanceof Boolean b ? (b ? 1 : 0) : ((Number) v).intValue());
            case UINT16, INT16 -> {
                int s = ((Number) v).intValue();
                out.write(s);
                out.write(s >> 8);
            }
            case UINT32, INT32 -> out.i32(((Number) v).intValue());
            case UINT64, INT64 -> out.i64(((Number) v).longValue());
            case FLOAT32 -> out.i32(Float.floatToRawIntBits((Float) v));
            case FLOAT64 -> out.i64(Double.doubleToRawLongBits((Double) v));
            case STRING -> out.string((String) v);
            case ARRAY -> throw new IllegalArgumentException("nested arrays cannot be copied");
        }
    }

    private static long align(long offset) {
        return (offset + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    }

    private static void value(CountingStream out, String key, Object v) throws IOException {
        switch (v) {
            case Typed t when t.type() == GgufValueType.ARRAY -> {
                out.i32(GgufValueType.ARRAY.ordinal());
                out.i32(t.element().ordinal());
                int n = java.lang.reflect.Array.getLength(t.value());
                out.i64(n);
                for (int i = 0; i < n; i++) {
                    typed(out, t.element(), java.lang.reflect.Array.get(t.value(), i));
                }
            }
            case Typed t -> {
                out.i32(t.type().ordinal());
                typed(out, t.type(), t.value());
            }
            case String s -> {
                out.i32(8);
                out.string(s);
            }
            case Integer i -> {
                if (i < 0) {
                    throw new IllegalArgumentException("metadata '" + key + "': " + i + " is negative; integers are written as uint32");
                }
                out.i32(4);
                out.i32(i);
            }
            case Float f -> {
                out.i32(6);
                out.i32(Float.floatToIntBits(f));
            }
            case Boolean b -> {
                out.i32(7);
                out.write(b ? 1 : 0);
            }
            case String[] a -> {
                out.i32(9);
                out.i32(8);
                out.i64(a.length);
                for (String s : a) {
                    out.string(s);
                }
            }
            case int[] a -> {
                out.i32(9);
                out.i32(5);
                out.i64(a.length);
                for (int i : a) {
                    out.i32(i);
                }
            }
            case float[] a -> {
                out.i32(9);
                out.i32(6);
                out.i64(a.length);
                for (float f : a) {
                    out.i32(Float.floatToIntBits(f));
                }
            }
            default -> throw new IllegalArgumentException("metadata '" + key + "': cannot write a " + v.getClass().getSimpleName());
        }
    }

    /** Little-endian primitives over a stream that counts its bytes (for alignment padding). */
    private static final class CountingStream extends OutputStream {
        private final OutputStream out;
        private final ByteBuffer scratch = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        long count;

        CountingStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }

        void i32(int v) throws IOException {
            write(scratch.clear().putInt(v).array(), 0, 4);
        }

        void i64(long v) throws IOException {
            write(scratch.clear().putLong(v).array(), 0, 8);
        }

        void string(String s) throws IOException {
            byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
            i64(bytes.length);
            write(bytes, 0, bytes.length);
        }

        void pad() throws IOException {
            while (count % ALIGNMENT != 0) {
                write(0);
            }
        }
    }
}
