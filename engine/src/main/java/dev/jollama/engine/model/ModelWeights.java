package dev.jollama.engine.model;

import dev.jollama.engine.gguf.GgufFile;
import dev.jollama.engine.gguf.GgufFormatException;
import dev.jollama.engine.gguf.GgufTensorInfo;
import dev.jollama.engine.tensor.FloatTensor;

import java.util.Arrays;

/**
 * All weights of a model, each checked against the shape its configuration implies.
 *
 * @param output        the output projection; the token embedding itself when the file ties them (no output.weight)
 * @param ropeFrequencyFactors per-dimension divisors of the RoPE frequencies (Llama 3.1+), or null
 */
public record ModelWeights(FloatTensor tokenEmbedding, LayerWeights[] layers, float[] outputNorm, FloatTensor output,
                           float[] ropeFrequencyFactors) {

    static ModelWeights load(GgufFile file, ModelConfig c) {
        WeightReader r = new WeightReader(file);
        int dim = c.embeddingLength();
        FloatTensor embedding = r.matrix("token_embd.weight", dim, c.vocabularySize());
        LayerWeights[] layers = new LayerWeights[c.blockCount()];
        boolean qwen2 = c.architecture() == Architecture.QWEN2;
        boolean normedQk = c.architecture() == Architecture.QWEN3 || c.architecture() == Architecture.GEMMA3;
        boolean postNorms = c.architecture() == Architecture.GEMMA3;
        for (int i = 0; i < layers.length; i++) {
            String b = "blk." + i + ".";
            layers[i] = new LayerWeights(
                    r.vector(b + "attn_norm.weight", dim),
                    r.matrix(b + "attn_q.weight", dim, c.queryDim()),
                    r.matrix(b + "attn_k.weight", dim, c.kvDim()),
                    r.matrix(b + "attn_v.weight", dim, c.kvDim()),
                    r.matrix(b + "attn_output.weight", c.queryDim(), dim),
                    qwen2 ? r.vector(b + "attn_q.bias", c.queryDim()) : null,
                    qwen2 ? r.vector(b + "attn_k.bias", c.kvDim()) : null,
                    qwen2 ? r.vector(b + "attn_v.bias", c.kvDim()) : null,
                    normedQk ? r.vector(b + "attn_q_norm.weight", c.headDim()) : null,
                    normedQk ? r.vector(b + "attn_k_norm.weight", c.headDim()) : null,
                    postNorms ? r.vector(b + "post_attention_norm.weight", dim) : null,
                    r.vector(b + "ffn_norm.weight", dim),
                    r.matrix(b + "ffn_gate.weight", dim, c.feedForwardLength()),
                    r.matrix(b + "ffn_up.weight", dim, c.feedForwardLength()),
                    r.matrix(b + "ffn_down.weight", c.feedForwardLength(), dim),
                    postNorms ? r.vector(b + "post_ffw_norm.weight", dim) : null);
        }
        FloatTensor output = file.tensor("output.weight") != null ? r.matrix("output.weight", dim, c.vocabularySize()) : embedding;
        float[] ropeFactors = file.tensor("rope_freqs.weight") != null ? r.vector("rope_freqs.weight", c.ropeDimensions() / 2) : null;
        return new ModelWeights(embedding, layers, r.vector("output_norm.weight", dim), output, ropeFactors);
    }

    /** Looks tensors up by name and checks their shapes, naming the tensor in every error. */
    private record WeightReader(GgufFile file) {

        FloatTensor matrix(String name, long rowLength, long rows) {
            return FloatTensor.of(file.path(), checked(name, rowLength, rows));
        }

        float[] vector(String name, int length) {
            FloatTensor t = FloatTensor.of(file.path(), checked(name, length));
            float[] values = new float[length];
            t.copyTo(0, values, 0, length);
            return values;
        }

        private GgufTensorInfo checked(String name, long... shape) {
            GgufTensorInfo t = file.requireTensor(name);
            if (!Arrays.equals(t.shape(), shape)) {
                throw new GgufFormatException(file.path(), "tensor '" + name + "' has shape " + Arrays.toString(t.shape())
                        + ", expected " + Arrays.toString(shape) + " from the model's metadata");
            }
            return t;
        }
    }
}
