package dev.jollama.engine.gguf;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A GGUF file (versions 1 to 3), memory-mapped once. Metadata values are kept as read, unknown keys included:
 * integers up to 32 bits signed as {@link Integer}, uint32 and 64-bit integers as {@link Long}, floats as
 * {@link Float}/{@link Double}, then {@link Boolean}, {@link String}, and arrays as {@code int[]}, {@code long[]},
 * {@code float[]}, {@code double[]}, {@code boolean[]}, {@code String[]} or {@code Object[]} (arrays of arrays).
 * Every count, length and offset is checked against the file size before it is used.
 */
public final class GgufFile implements AutoCloseable {
    private static final int MAGIC = 0x46554747; // "GGUF" read little-endian
    private static final int DEFAULT_ALIGNMENT = 32;
    private static final int MAX_DIMS = 4;

    private final Path path;
    private final Arena arena; // null when the bytes belong to the caller
    private final int version;
    private final Map<String, Object> metadata;
    /** Each key's value type and, for arrays, element type (null otherwise): what a copy needs to write it back. */
    private final Map<String, GgufValueType[]> metadataTypes;
    private final Map<String, GgufTensorInfo> tensors;
    private final long dataOffset;

    private GgufFile(Path path, Arena arena, int version, Map<String, Object> metadata, Map<String, GgufValueType[]> metadataTypes,
                     Map<String, GgufTensorInfo> tensors, long dataOffset) {
        this.path = path;
        this.arena = arena;
        this.version = version;
        this.metadata = Collections.unmodifiableMap(metadata);
        this.metadataTypes = metadataTypes;
        this.tensors = Collections.unmodifiableMap(tensors);
        this.dataOffset = dataOffset;
    }

    /** Opens and checks a GGUF file; throws {@link GgufFormatException} naming the file and the problem. */
    public static GgufFile open(Path path) {
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            MemorySegment bytes = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
            return read(path, arena, bytes);
        } catch (IOException e) {
            arena.close();
            throw new GgufFormatException(path, "cannot read: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /**
     * Reads a GGUF image already in memory; {@code name} labels errors. The caller keeps {@code bytes} alive for as
     * long as the result is used.
     */
    public static GgufFile of(Path name, MemorySegment bytes) {
        return read(name, null, bytes);
    }

    private static GgufFile read(Path path, Arena arena, MemorySegment bytes) {
        GgufCursor in = new GgufCursor(path, bytes);
        if (bytes.byteSize() < 8 || in.i32("magic") != MAGIC) {
            throw new GgufFormatException(path, "not a GGUF file (it does not start with the bytes 'GGUF')");
        }
        int version = in.i32("version");
        if (version < 1 || version > 3) {
            throw new GgufFormatException(path, "GGUF version " + version + " is not supported (1, 2 and 3 are)");
        }
        boolean wide = version >= 2;
        long tensorCount = in.count(wide, "tensor count");
        long kvCount = in.count(wide, "metadata count");
        // Each key/value takes at least 12 bytes and each tensor info at least 24, so larger counts cannot fit.
        if (kvCount > in.remaining() / 12 || tensorCount > in.remaining() / 24) {
            throw in.error("header claims " + kvCount + " metadata entries and " + tensorCount + " tensors, more than the file can hold");
        }

        Map<String, Object> metadata = new LinkedHashMap<>();
        Map<String, GgufValueType[]> metadataTypes = new LinkedHashMap<>();
        for (long i = 0; i < kvCount; i++) {
            String key = in.string(wide, "metadata key #" + i);
            int typeId = in.i32("type of metadata '" + key + "'");
            long at = in.position();
            metadata.put(key, readValue(in, wide, typeId, key, 0));
            GgufValueType type = GgufValueType.fromId(typeId);
            // an array starts with its element type, already checked by readValue
            GgufValueType element = type == GgufValueType.ARRAY ? GgufValueType.fromId(bytes.get(GgufCursor.INT, at)) : null;
            metadataTypes.put(key, new GgufValueType[]{type, element});
        }

        int alignment = DEFAULT_ALIGNMENT;
        Object declared = metadata.get("general.alignment");
        if (declared != null) {
            if (!(declared instanceof Number n) || n.longValue() <= 0 || n.longValue() > 1 << 20 || Long.bitCount(n.longValue()) != 1) {
                throw new GgufFormatException(path, "general.alignment is " + declared + ", not a power of two");
            }
            alignment = n.intValue();
        }

        record RawTensor(String name, long[] shape, GgmlType type, long offset, long size) {}
        RawTensor[] raw = new RawTensor[(int) tensorCount];
        for (int i = 0; i < tensorCount; i++) {
            String name = in.string(wide, "name of tensor #" + i);
            long dims = in.u32("dimension count of tensor '" + name + "'");
            if (dims < 1 || dims > MAX_DIMS) {
                throw in.error("tensor '" + name + "' has " + dims + " dimensions (1 to " + MAX_DIMS + " are allowed)");
            }
            long[] shape = new long[(int) dims];
            long elements = 1;
            for (int d = 0; d < dims; d++) {
                shape[d] = in.count(wide, "dimension " + d + " of tensor '" + name + "'");
                if (shape[d] == 0 || elements > Long.MAX_VALUE / shape[d]) {
                    throw in.error("tensor '" + name + "' has an impossible shape (dimension " + d + " is " + shape[d] + ")");
                }
                elements *= shape[d];
            }
            int typeId = in.i32("type of tensor '" + name + "'");
            GgmlType type = GgmlType.fromId(typeId);
            if (type == null) {
                throw in.error("tensor '" + name + "' has unknown type id " + typeId);
            }
            long offset = in.i64("offset of tensor '" + name + "'");
            if (offset < 0 || offset % alignment != 0) {
                throw in.error("tensor '" + name + "' has offset " + offset + ", not a multiple of the alignment " + alignment);
            }
            long size = elements > Long.MAX_VALUE / type.bytesPerBlock ? -1 : type.byteSize(elements);
            if (size < 0) {
                throw in.error("tensor '" + name + "' of type " + type + " has " + elements
                        + " values, not a whole number of " + type.blockSize + "-value blocks");
            }
            raw[i] = new RawTensor(name, shape, type, offset, size);
        }

        long dataOffset = (in.position() + alignment - 1) / alignment * alignment;
        long dataSize = bytes.byteSize() - dataOffset;
        Map<String, GgufTensorInfo> tensors = new LinkedHashMap<>();
        for (RawTensor t : raw) {
            if (dataOffset > bytes.byteSize() || t.offset() > dataSize || t.size() > dataSize - t.offset()) {
                throw new GgufFormatException(path, "tensor '" + t.name() + "' (" + t.size() + " bytes at data offset " + t.offset()
                        + ") extends past the end of the file (" + Math.max(0, dataSize) + " data bytes); the file is truncated or corrupt");
            }
            MemorySegment data = bytes.asSlice(dataOffset + t.offset(), t.size());
            if (tensors.put(t.name(), new GgufTensorInfo(t.name(), t.shape(), t.type(), t.offset(), data)) != null) {
                throw new GgufFormatException(path, "tensor '" + t.name() + "' appears twice");
            }
        }
        return new GgufFile(path, arena, version, metadata, metadataTypes, tensors, dataOffset);
    }

    private static Object readValue(GgufCursor in, boolean wide, int typeId, String key, int depth) {
        GgufValueType type = GgufValueType.fromId(typeId);
        if (type == null) {
            throw in.error("metadata '" + key + "' has unknown value type " + typeId);
        }
        return switch (type) {
            case UINT8 -> in.u8(key);
            case INT8 -> (int) in.i8(key);
            case UINT16 -> Short.toUnsignedInt(in.i16(key));
            case INT16 -> (int) in.i16(key);
            case UINT32 -> in.u32(key);
            case INT32 -> in.i32(key);
            case FLOAT32 -> Float.intBitsToFloat(in.i32(key));
            case BOOL -> in.u8(key) != 0;
            case STRING -> in.string(wide, "metadata '" + key + "'");
            case UINT64, INT64 -> in.i64(key);
            case FLOAT64 -> Double.longBitsToDouble(in.i64(key));
            case ARRAY -> readArray(in, wide, key, depth);
        };
    }

    private static Object readArray(GgufCursor in, boolean wide, String key, int depth) {
        if (depth > 2) {
            throw in.error("metadata '" + key + "' nests arrays too deeply");
        }
        int elementTypeId = in.i32("element type of metadata '" + key + "'");
        GgufValueType elementType = GgufValueType.fromId(elementTypeId);
        if (elementType == null) {
            throw in.error("metadata '" + key + "' is an array of unknown type " + elementTypeId);
        }
        long length = in.count(wide, "length of array '" + key + "'");
        if (length > in.remaining() / elementType.minBytes) {
            throw in.error("array '" + key + "' claims " + length + " elements, more than the rest of the file can hold");
        }
        int n = (int) length;
        switch (elementType) {
            case UINT8, INT8, UINT16, INT16, INT32 -> {
                int[] values = new int[n];
                for (int i = 0; i < n; i++) {
                    values[i] = ((Number) readValue(in, wide, elementTypeId, key, depth)).intValue();
                }
                return values;
            }
            case UINT32, UINT64, INT64 -> {
                long[] values = new long[n];
                for (int i = 0; i < n; i++) {
                    values[i] = ((Number) readValue(in, wide, elementTypeId, key, depth)).longValue();
                }
                return values;
            }
            case FLOAT32 -> {
                float[] values = new float[n];
                for (int i = 0; i < n; i++) {
                    values[i] = Float.intBitsToFloat(in.i32(key));
                }
                return values;
            }
            case FLOAT64 -> {
                double[] values = new double[n];
                for (int i = 0; i < n; i++) {
                    values[i] = Double.longBitsToDouble(in.i64(key));
                }
                return values;
            }
            case BOOL -> {
                boolean[] values = new boolean[n];
                for (int i = 0; i < n; i++) {
                    values[i] = in.u8(key) != 0;
                }
                return values;
            }
            case STRING -> {
                String[] values = new String[n];
                for (int i = 0; i < n; i++) {
                    values[i] = in.string(wide, "element " + i + " of '" + key + "'");
                }
                return values;
            }
            case ARRAY -> {
                Object[] values = new Object[n];
                for (int i = 0; i < n; i++) {
                    values[i] = readArray(in, wide, key, depth + 1);
                }
                return values;
            }
        }
        throw new AssertionError(elementType);
    }

    public Path path() {
        return path;
    }

    public int version() {
        return version;
    }

    /** Every metadata entry in file order, unknown keys included. */
    public Map<String, Object> metadata() {
        return metadata;
    }

    /** The value type of {@code key} and, for an array, its element type; null when the key is absent. */
    GgufValueType[] metadataType(String key) {
        return metadataTypes.get(key);
    }

    public Map<String, GgufTensorInfo> tensors() {
        return tensors;
    }

    /** Byte offset of the data section in the file. */
    public long dataOffset() {
        return dataOffset;
    }

    /** The tensor with this name, or null. */
    public GgufTensorInfo tensor(String name) {
        return tensors.get(name);
    }

    /** The tensor with this name; a missing one is a format error naming it. */
    public GgufTensorInfo requireTensor(String name) {
        GgufTensorInfo t = tensors.get(name);
        if (t == null) {
            throw new GgufFormatException(path, "tensor '" + name + "' is missing");
        }
        return t;
    }

    public String getString(String key, String fallback) {
        Object v = metadata.get(key);
        if (v == null) {
            return fallback;
        }
        if (v instanceof String s) {
            return s;
        }
        throw wrongType(key, v, "a string");
    }

    public String requireString(String key) {
        String s = getString(key, null);
        if (s == null) {
            throw new GgufFormatException(path, "metadata '" + key + "' is missing");
        }
        return s;
    }

    /** An integer metadata value that must fit in an int and be at least {@code min}. */
    public int getInt(String key, int fallback, int min) {
        Object v = metadata.get(key);
        if (v == null) {
            return fallback;
        }
        if (!(v instanceof Integer) && !(v instanceof Long)) {
            throw wrongType(key, v, "an integer");
        }
        long value = ((Number) v).longValue();
        if (value < min || value > Integer.MAX_VALUE) {
            throw new GgufFormatException(path, "metadata '" + key + "' is " + value + ", outside the range " + min + ".." + Integer.MAX_VALUE);
        }
        return (int) value;
    }

    public int requireInt(String key, int min) {
        if (!metadata.containsKey(key)) {
            throw new GgufFormatException(path, "metadata '" + key + "' is missing");
        }
        return getInt(key, 0, min);
    }

    public float getFloat(String key, float fallback) {
        Object v = metadata.get(key);
        if (v == null) {
            return fallback;
        }
        if (v instanceof Number n) {
            float f = n.floatValue();
            if (!Float.isFinite(f)) {
                throw new GgufFormatException(path, "metadata '" + key + "' is " + f + ", not a finite number");
            }
            return f;
        }
        throw wrongType(key, v, "a number");
    }

    public float requireFloat(String key) {
        if (!metadata.containsKey(key)) {
            throw new GgufFormatException(path, "metadata '" + key + "' is missing");
        }
        return getFloat(key, 0f);
    }

    public boolean getBoolean(String key, boolean fallback) {
        Object v = metadata.get(key);
        if (v == null) {
            return fallback;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        throw wrongType(key, v, "a boolean");
    }

    /** An array metadata value of the given Java array class, or null when absent. */
    public <T> T getArray(String key, Class<T> arrayClass) {
        Object v = metadata.get(key);
        if (v == null) {
            return null;
        }
        if (arrayClass.isInstance(v)) {
            return arrayClass.cast(v);
        }
        throw wrongType(key, v, "an array of " + arrayClass.getComponentType().getSimpleName());
    }

    private GgufFormatException wrongType(String key, Object value, String expected) {
        String actual = value.getClass().isArray() ? "an array of " + value.getClass().getComponentType().getSimpleName() : value.getClass().getSimpleName();
        return new GgufFormatException(path, "metadata '" + key + "' is " + actual + ", expected " + expected);
    }

    /** Unmaps the file; tensors read from it afterwards fail. A file read from memory has nothing to release. */
    @Override
    public void close() {
        if (arena != null) {
            arena.close();
        }
    }
}
