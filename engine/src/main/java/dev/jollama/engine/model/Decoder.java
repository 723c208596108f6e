package dev.jollama.engine.model;

import dev.jollama.engine.tensor.FloatTensor;

/** A generative family: causal attention, an output norm and a projection to next-token logits. */
abstract non-sealed class Decoder extends Architecture {
    final float[] outputNorm;
    /** The output projection; the token embedding itself when the file ties them (no output.weight). */
    final FloatTensor output;

    /** A family whose output projection is the token embedding when the file has no output.weight. */
    Decoder(WeightReader r, ModelConfig c) {
        this(r, c, true);
    }

    /** @param mayTie whether a file without output.weight ties it to the token embedding; if not, it is malformed */
    Decoder(WeightReader r, ModelConfig c, boolean mayTie) {
        // The output matrix is the token embedding in a file without output.weight of a family that may tie them.
        boolean tied = mayTie && !r.has("output.weight");
        super(r, c, tied);
        int dim = c.embeddingLength();
        this.outputNorm = r.vector("output_norm.weight", dim);
        this.output = tied ? tokenEmbedding : r.matrix("output.weight", dim, c.vocabularySize());
    }

    @Override
    void finalHiddenStates(ForwardPass p) {
        p.normalize(outputNorm);
    }

    @Override
    boolean attendsBothWays() {
        return false;
    }

    /** What the output logits are multiplied by (Granite divides them by its logit scale). */
    float logitScale() {
        return 1;
    }

    /** The cap of the output logits, soft-capped after {@link #logitScale} (Gemma 2); 0: not capped. */
    float logitCap() {
        return 0;
    }
}
