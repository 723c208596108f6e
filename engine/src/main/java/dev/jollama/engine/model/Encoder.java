package dev.jollama.engine.model;

import dev.jollama.engine.tensor.FloatTensor;

/**
 * An encoding family: attention both ways over each whole input, so an input goes through in one pass, and no
 * logits; its final hidden states are the residual stream as the last layer leaves it.
 */
abstract non-sealed class Encoder extends Architecture {

    Encoder(WeightReader r, ModelConfig c) {
        super(r, c, false);
    }

    Encoder(ModelConfig c, FloatTensor tokenEmbedding) {
        super(c, tokenEmbedding);
    }

    @Override
    void finalHiddenStates(ForwardPass p) {
        p.inputFromResidual();
    }

    @Override
    boolean attendsBothWays() {
        return true;
    }
}
