package dev.jollama.engine.kvcache;

import java.util.Locale;

/** How the KV cache stores each key and value: chosen like Ollama's {@code OLLAMA_KV_CACHE_TYPE}. */
public enum KvCacheType {
    F32(4),
    /** The default, as in Ollama and llama.cpp: half the memory of f32, and the goldens stay within tolerance. */
    F16(2);

    public final int bytesPerValue;

    KvCacheType(int bytesPerValue) {
        this.bytesPerValue = bytesPerValue;
    }

    /**
     * The type named by {@code OLLAMA_KV_CACHE_TYPE} (case-insensitive; empty means the default).
     *
     * @throws IllegalArgumentException naming the value and the supported ones
     */
    public static KvCacheType parse(String name) {
        String n = name == null ? "" : name.strip().toLowerCase(Locale.ROOT);
        return switch (n) {
            case "", "f16" -> F16;
            case "f32" -> F32;
            default -> throw new IllegalArgumentException("OLLAMA_KV_CACHE_TYPE '" + name + "' is not supported (f16 and f32 are)");
        };
    }

    public String ollamaName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
