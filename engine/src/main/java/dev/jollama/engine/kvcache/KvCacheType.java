package dev.jollama.engine.kvcache;

import java.util.Locale;

/** How the KV cache stores each key and value: chosen like Ollama's {@code OLLAMA_KV_CACHE_TYPE}. */
public enum KvCacheType {
    F32,
    /** The default, as in Ollama and llama.cpp: half the memory of f32, and the goldens stay within tolerance. */
    F16,
    /** Blocks of 32 bytes and a scale: 0.56 of f16's memory; needs head sizes that are multiples of 32. */
    Q8_0;

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
            case "q8_0" -> Q8_0;
            default -> throw new IllegalArgumentException("OLLAMA_KV_CACHE_TYPE '" + name + "' is not supported (f16, f32 and q8_0 are)");
        };
    }

    public String ollamaName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
