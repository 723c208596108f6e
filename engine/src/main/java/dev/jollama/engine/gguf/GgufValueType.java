package dev.jollama.engine.gguf;

/** The value types of GGUF metadata, by their id in the file. */
enum GgufValueType {
    UINT8(1), INT8(1), UINT16(2), INT16(2), UINT32(4), INT32(4), FLOAT32(4), BOOL(1), STRING(8), ARRAY(12), UINT64(8), INT64(8), FLOAT64(8);

    /** The fewest bytes one value can take in the file; bounds array allocations before reading. */
    final int minBytes;

    GgufValueType(int minBytes) {
        this.minBytes = minBytes;
    }

    static GgufValueType fromId(int id) {
        GgufValueType[] all = values();
        return id >= 0 && id < all.length ? all[id] : null;
    }
}
