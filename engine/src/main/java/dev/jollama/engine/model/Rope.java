package dev.jollama.engine.model;

/**
 * Rotary position embedding: rotates pairs of each head's first dimensions (all of them, or the file's
 * rope.dimension_count: partial rotation) by position · frequency.
 */
final class Rope {
    /** How RoPE pairs up the dimensions of a head. */
    enum Style {
        /** Rotate (2i, 2i+1): llama.cpp's "normal" RoPE. */
        ADJACENT_PAIRS,
        /** Rotate (i, i + n/2): llama.cpp's NEOX RoPE. */
        HALVES
    }

    private final int headDim;
    private final float[] frequencies;
    private final float positionScale;
    private final float magnitude;
    private final boolean halves;

    /**
     * @param factors       per-pair divisors of the frequencies (Llama 3.1's rope_freqs, Phi-3's LongRoPE), or null
     * @param positionScale positions are multiplied by this before rotation (1 / the linear scaling factor)
     * @param magnitude     multiplies the rotated values (Phi-3's attn_factor), so query·key grows by its square
     */
    Rope(ModelConfig c, Style style, float base, float[] factors, float positionScale, float magnitude) {
        this.headDim = c.headDim();
        this.halves = style == Style.HALVES;
        this.positionScale = positionScale;
        this.magnitude = magnitude;
        int pairs = c.ropeDimensions() / 2;
        frequencies = new float[pairs];
        for (int i = 0; i < pairs; i++) {
            double frequency = Math.pow(base, -2.0 * i / c.ropeDimensions());
            frequencies[i] = (float) (factors == null ? frequency : frequency / factors[i]);
        }
    }

    Rope(ModelConfig c, Style style, float base, float[] factors, float positionScale) {
        this(c, style, base, factors, positionScale, 1f);
    }

    /** The model's own RoPE: its base, its linear scaling, no frequency factors. */
    Rope(ModelConfig c, Style style) {
        this(c, style, c.ropeBase(), null, c.ropeScale());
    }

    /**
     * YaRN as the reference applies it (gpt-oss): pairs whose wavelength fits the original context many times (below
     * the correction dimension for β = 32) keep their frequency, pairs beyond the one for β = 1 turn {@code factor}
     * times slower, a linear ramp blends those between; the magnitude is 1 + 0.1·ln(factor). β are the reference's
     * fixed constants. Blending frequencies equals blending the angles, since both are linear in the position.
     */
    static Rope yarn(ModelConfig c, Style style, float base, float factor, int originalContext) {
        int n = c.ropeDimensions();
        double low = Math.max(0, Math.floor(correctionDimension(n, base, originalContext, 32)));
        double high = Math.min(n - 1, Math.ceil(correctionDimension(n, base, originalContext, 1)));
        float[] divisors = new float[n / 2];
        for (int i = 0; i < divisors.length; i++) {
            double original = 1 - Math.clamp((i - low) / Math.max(0.001, high - low), 0, 1);
            divisors[i] = (float) (1 / (original + (1 - original) / factor));
        }
        return new Rope(c, style, base, divisors, 1f, (float) (1 + 0.1 * Math.log(factor)));
    }

    /** The (fractional) pair index that turns {@code beta} full rotations over the original context. */
    private static double correctionDimension(int n, float base, int originalContext, double beta) {
        return n * Math.log(originalContext / (2 * Math.PI * beta)) / (2 * Math.log(base));
    }

    /** Rotates {@code heads} heads of v from {@code offset} for {@code position}. */
    void rotate(float[] v, int offset, int heads, int position) {
        int pairs = frequencies.length;
        float scaledPosition = position * positionScale;
        for (int i = 0; i < pairs; i++) {
            float angle = scaledPosition * frequencies[i];
            float cos = (float) Math.cos(angle) * magnitude;
            float sin = (float) Math.sin(angle) * magnitude;
            for (int h = 0; h < heads; h++) {
                int a = offset + h * headDim + (halves ? i : 2 * i);
                int b = halves ? a + pairs : a + 1;
                float x0 = v[a];
                float x1 = v[b];
                v[a] = x0 * cos - x1 * sin;
                v[b] = x0 * sin + x1 * cos;
            }
        }
    }
}
