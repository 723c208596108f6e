package dev.jollama.client;

import com.fasterxml.jackson.annotation.JsonValue;

/** The {@code think} request field: on or off, or a reasoning level for models that have levels (gpt-oss). */
public enum Think {
    ENABLED(true),
    DISABLED(false),
    LOW("low"),
    MEDIUM("medium"),
    HIGH("high"),
    MAX("max");

    private final Object wireValue;

    Think(Object wireValue) {
        this.wireValue = wireValue;
    }

    public static Think of(boolean enabled) {
        return enabled ? ENABLED : DISABLED;
    }

    /** {@code true}, {@code false}, or the level name, as the server expects it. */
    @JsonValue
    public Object wireValue() {
        return wireValue;
    }
}
