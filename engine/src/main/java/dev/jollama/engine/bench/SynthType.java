package dev.jollama.engine.bench;

import dev.jollama.engine.gguf.GgmlType;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The file types {@link Synth} writes and which storage type each weight gets, following llama.cpp's choices:
 * the output projection gets Q6_K in the 4-bit files, Q4_K_M gives attn_v and ffn_down Q6_K in the first and last
 * eighth of the layers and every third between, and rows that are not whole 256-blocks fall back (Q4_K to Q5_0,
 * Q6_K to Q8_0).
 */
public enum SynthType {
    F16(1), Q8_0(7), Q4_0(2), Q4_K_M(15);

    /** llama.cpp's {@code general.file_type} number. */
    public final int fileType;

    SynthType(int fileType) {
        this.fileType = fileType;
    }

    public static SynthType named(String name) {
        try {
            return valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown type '" + name + "' (known: " + String.join(", ", names()) + ")");
        }
    }

    /** The names {@link #named} takes. */
    public static List<String> names() {
        return Arrays.stream(values()).map(t -> t.name().toLowerCase(Locale.ROOT)).toList();
    }

    /** The storage type of a weight matrix; {@code layer} is -1 outside the blocks. */
    GgmlType typeOf(String role, boolean output, int layer, int layers, long rowLength) {
        GgmlType t = switch (this) {
            case F16 -> GgmlType.F16;
            case Q8_0 -> GgmlType.Q8_0;
            case Q4_0 -> output ? GgmlType.Q6_K : GgmlType.Q4_0;
            case Q4_K_M -> output || ((role.equals("attn_v") || role.equals("ffn_down")) && moreBits(layer, layers))
                    ? GgmlType.Q6_K : GgmlType.Q4_K;
        };
        if (rowLength % t.blockSize != 0) {
            t = t == GgmlType.Q6_K ? GgmlType.Q8_0 : GgmlType.Q5_0;
        }
        return t;
    }

    private static boolean moreBits(int layer, int layers) {
        return layer < layers / 8 || layer >= 7 * layers / 8 || (layer - layers / 8) % 3 == 2;
    }
}
