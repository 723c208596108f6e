package dev.jollama.engine.model;

import dev.jollama.engine.tensor.FloatTensor;

/** A generative family: causal attention, an output norm and a projection to next-token logits. */
abstract non-sealed class Decoder extends Architecture {
    final float[] outputNorm;
    /** The output projection; the token embedding itself when the file ties them (no output.weight). */
    final FloatTensor output;

    Decoder(WeightReader r, ModelConfig c) {
        super(r, c);
        int dim = c.embeddingLength();
        this.outputNorm = r.vector("output_norm.weight", dim);
        this.output = r.has("output.weight") ? r.matrix("output.weight", dim, c.vocabularySize()) : tokenEmbedding;
    }

    @Override
    void finalHiddenStates(ForwardPass p) {
        p.normalize(outputNorm);
    }

    @Override
    boolean attendsBothWays() {
        return false;
    }
}
