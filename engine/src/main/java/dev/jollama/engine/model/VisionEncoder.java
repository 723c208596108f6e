package dev.jollama.engine.model;

import dev.jollama.engine.tensor.FloatTensor;

/**
 * The vision transformer of an image projector (CLIP for LLaVA 1.5, SigLIP for Gemma 3) over the shared blocks:
 * its rows are the image's patch embeddings (and CLIP's class embedding, last), fed as vectors, plus a position
 * embedding each; then pre-norm layers with biases on every product and attention both ways. CLIP normalises the
 * input, SigLIP the output. Only the blocks the reference runs are read: all but the last stored one for LLaVA.
 */
final class VisionEncoder extends Encoder {
    /** A pre-norm layer: h += attention(ln1(h)); h += feedForward(ln2(h)). */
    record Layer(LayerNorm attentionNorm, AttentionWeights attention, LayerNorm ffnNorm, FeedForwardWeights feedForward) {
    }

    private final FloatTensor positionEmbedding;
    private final LayerNorm preNorm;
    private final LayerNorm postNorm;
    private final Layer[] layers;
    private final Activation activation;

    /**
     * @param c its blocks and widths, {@code blockCount} the blocks that run and {@code contextLength} the rows of the
     *          position table
     */
    VisionEncoder(WeightReader r, ModelConfig c, float epsilon, Activation activation) {
        super(c, null);
        int dim = c.embeddingLength();
        this.activation = activation;
        positionEmbedding = r.matrix("v.position_embd.weight", dim, c.contextLength());
        preNorm = r.has("v.pre_ln.weight") ? LayerNorm.read(r, "v.pre_ln", dim, epsilon) : null;
        postNorm = r.has("v.post_ln.weight") ? LayerNorm.read(r, "v.post_ln", dim, epsilon) : null;
        layers = new Layer[c.blockCount()];
        for (int i = 0; i < layers.length; i++) {
            String blk = "v.blk." + i + ".";
            layers[i] = new Layer(LayerNorm.read(r, blk + "ln1", dim, epsilon),
                    AttentionWeights.read(r, blk, c).withBiases(r, blk, c).withOutputBias(r, blk, c),
                    LayerNorm.read(r, blk + "ln2", dim, epsilon),
                    FeedForwardWeights.readPlainWithBiases(r, blk, c));
        }
    }

    @Override
    void embed(ForwardPass p) {
        super.embed(p);
        p.addPositionEmbeddings(positionEmbedding);
        if (preNorm != null) {
            p.layerNormResidual(preNorm);
        }
    }

    @Override
    void layer(ForwardPass p, int layer) {
        Layer l = layers[layer];
        p.layerNormalize(l.attentionNorm());
        p.attention(l.attention(), null, 0);
        p.addOutput();
        p.layerNormalize(l.ffnNorm());
        p.feedForward(l.feedForward(), activation);
        p.addOutput();
    }

    /** An image goes through whole: one layer of keys and values serves every block in turn. */
    @Override
    int cacheLayers() {
        return 1;
    }

    @Override
    void finalHiddenStates(ForwardPass p) {
        if (postNorm != null) {
            p.layerNormalize(postNorm);
        } else {
            super.finalHiddenStates(p);
        }
    }
}
