package dev.jollama.engine.bench;

import dev.jollama.engine.quantize.FileType;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The file types {@link Synth} writes. Which storage type each weight gets is llama.cpp's choice
 * ({@link dev.jollama.engine.quantize.QuantizationPlan}), except MXFP4: as ../shared's syn-llama-mxfp4 (llama-quantize
 * --pure), every matrix is MXFP4, where the reference's mix puts it on MoE experts only.
 */
public enum SynthType {
    F16(FileType.F16), Q8_0(FileType.Q8_0), Q4_0(FileType.Q4_0), Q4_K_M(FileType.Q4_K_M), Q4_1(FileType.Q4_1),
    Q5_1(FileType.Q5_1), Q2_K(FileType.Q2_K), Q3_K_S(FileType.Q3_K_S), Q5_K_M(FileType.Q5_K_M), Q6_K(FileType.Q6_K),
    IQ4_NL(FileType.IQ4_NL), IQ4_XS(FileType.IQ4_XS), MXFP4(FileType.MXFP4_MOE);

    public final FileType fileType;

    SynthType(FileType fileType) {
        this.fileType = fileType;
    }

    /** Whether every quantizable weight gets the file type's main type (no mix). */
    boolean pure() {
        return this == MXFP4;
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
}
