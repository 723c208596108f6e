package dev.jollama.engine.quantize;

import dev.jollama.engine.gguf.GgmlType;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * llama.cpp's file types ({@code general.file_type}, llama_ftype) that the engine reads, with the names Ollama shows
 * for them, and for those {@link ModelQuantizer} writes the tensor type most weights get (the rest follow
 * {@link QuantizationPlan}). The types that need an importance matrix (IQ1-IQ3, Q2_K_S) and the ternary ones are
 * read but not written.
 */
public enum FileType {
    F32(0, GgmlType.F32), F16(1, GgmlType.F16), Q4_0(2, GgmlType.Q4_0), Q4_1(3, GgmlType.Q4_1), Q8_0(7, GgmlType.Q8_0),
    Q5_0(8, GgmlType.Q5_0), Q5_1(9, GgmlType.Q5_1), Q2_K(10, GgmlType.Q2_K), Q3_K_S(11, GgmlType.Q3_K),
    Q3_K_M(12, GgmlType.Q3_K), Q3_K_L(13, GgmlType.Q3_K), Q4_K_S(14, GgmlType.Q4_K), Q4_K_M(15, GgmlType.Q4_K),
    Q5_K_S(16, GgmlType.Q5_K), Q5_K_M(17, GgmlType.Q5_K), Q6_K(18, GgmlType.Q6_K), IQ2_XXS(19, null), IQ2_XS(20, null),
    Q2_K_S(21, null), IQ3_XS(22, null), IQ3_XXS(23, null), IQ1_S(24, null), IQ4_NL(25, GgmlType.IQ4_NL), IQ3_S(26, null),
    IQ3_M(27, null), IQ2_S(28, null), IQ2_M(29, null), IQ4_XS(30, GgmlType.IQ4_XS), IQ1_M(31, null), BF16(32, GgmlType.BF16),
    TQ1_0(36, null), TQ2_0(37, null), MXFP4_MOE(38, GgmlType.MXFP4);

    /** The {@code general.file_type} number. */
    public final int id;
    /** The type of most weights when quantizing to this file type; null for the types {@link ModelQuantizer} does not write. */
    final GgmlType defaultType;

    FileType(int id, GgmlType defaultType) {
        this.id = id;
        this.defaultType = defaultType;
    }

    public static Optional<FileType> of(int id) {
        return Arrays.stream(values()).filter(t -> t.id == id).findFirst();
    }

    /**
     * The file types a model can be quantized to on create, in the order of {@link FileType}: all that are written
     * but MXFP4_MOE, a recipe for MoE experts only (a dense model would come out all Q8_0 under that name).
     */
    public static List<FileType> quantizeTargets() {
        return Arrays.stream(values()).filter(t -> t.defaultType != null && t != MXFP4_MOE).toList();
    }

    /** The quantize target named {@code name} (any case, "Q4_K" meaning Q4_K_M as in Ollama), if there is one. */
    public static Optional<FileType> quantizeTarget(String name) {
        String upper = name.toUpperCase(Locale.ROOT);
        String wanted = upper.equals("Q4_K") ? "Q4_K_M" : upper;
        return quantizeTargets().stream().filter(t -> t.name().equals(wanted)).findFirst();
    }

    /** Whether models of this type can be quantized: Ollama takes F32, F16 and BF16 sources only. */
    public boolean isQuantizeSource() {
        return this == F32 || this == F16 || this == BF16;
    }
}
