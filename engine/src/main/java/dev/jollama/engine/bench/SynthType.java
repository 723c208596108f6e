package dev.jollama.engine.bench;

import dev.jollama.engine.gguf.GgmlType;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The file types {@link Synth} writes and which storage type each weight gets, following llama.cpp's choices:
 * the output projection gets Q6_K in the 4-bit and smaller files, Q4_K_M gives attn_v and ffn_down Q6_K in the first
 * and last eighth of the layers and every third between, Q2_K gives attn_v, attn_output and ffn_down Q3_K, MXFP4 (as
 * ../shared's syn-llama-mxfp4: llama-quantize puts it on MoE experts only) every matrix; rows that are not whole
 * 256-blocks fall back (Q4_K to Q5_0, Q6_K to Q8_0, IQ4_XS to IQ4_NL, Q2_K and Q3_K to Q4_0). Q3_K_M and Q3_K_L are
 * not here: their attn_v, attn_output and ffn_down are Q4_K/Q5_K, and there is no Q5_K quantizer.
 */
public enum SynthType {
    F16(1), Q8_0(7), Q4_0(2), Q4_K_M(15), Q4_1(3), Q5_1(9), Q2_K(10), Q3_K_S(11), IQ4_NL(25), IQ4_XS(30), MXFP4(38);

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
            case Q4_1 -> output ? GgmlType.Q6_K : GgmlType.Q4_1;
            case Q5_1 -> output ? GgmlType.Q6_K : GgmlType.Q5_1;
            case Q2_K -> output ? GgmlType.Q6_K
                    : role.equals("attn_v") || role.equals("attn_output") || role.equals("ffn_down") ? GgmlType.Q3_K : GgmlType.Q2_K;
            case Q3_K_S -> output ? GgmlType.Q6_K : GgmlType.Q3_K;
            case IQ4_NL -> output ? GgmlType.Q6_K : GgmlType.IQ4_NL;
            case IQ4_XS -> output ? GgmlType.Q6_K : GgmlType.IQ4_XS;
            case MXFP4 -> GgmlType.MXFP4;
        };
        if (rowLength % t.blockSize != 0) {
            t = switch (t) {
                case Q6_K -> GgmlType.Q8_0;
                case IQ4_XS -> GgmlType.IQ4_NL;
                case Q2_K, Q3_K -> GgmlType.Q4_0;
                default -> GgmlType.Q5_0;
            };
        }
        return t;
    }

    private static boolean moreBits(int layer, int layers) {
        return layer < layers / 8 || layer >= 7 * layers / 8 || (layer - layers / 8) % 3 == 2;
    }
}
