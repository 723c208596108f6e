package dev.jollama.engine.model;

/**
 * An embedding family: attention both ways over each whole input, so an input goes through in one pass, and no
 * logits; its final hidden states are the residual stream as the last layer leaves it (post-norm layers).
 */
abstract non-sealed class Encoder extends Architecture {

    Encoder(WeightReader r, ModelConfig c) {
        super(r, c);
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
