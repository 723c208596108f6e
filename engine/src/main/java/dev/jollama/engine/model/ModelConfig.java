package dev.jollama.engine.model;

import dev.jollama.engine.gguf.GgufFile;
import dev.jollama.engine.gguf.GgufFormatException;

/**
 * Hyperparameters of a model, all read from its GGUF metadata ({@code <arch>.*} keys).
 *
 * @param headDim          width of a query/key head ({@code attention.key_length}, else embedding / heads)
 * @param valueDim         width of a value head ({@code attention.value_length}, else headDim)
 * @param ropeDimensions   how many dimensions of each head RoPE rotates
 * @param architecture     the family's {@code general.architecture} name, the prefix of these keys
 * @param ropeScale        positions are multiplied by this before rotation (1 / linear scaling factor)
 * @param sequenceLength   the context of each sequence the engine runs the model with (num_ctx, at most the
 *                         trained context): not in the file, but Phi-3 picks its RoPE factors by it
 * @param expertCount      experts of each mixture-of-experts block ({@code expert_count}); 0: dense feed-forward
 * @param expertUsedCount  experts each row goes through ({@code expert_used_count})
 * @param expertFeedForwardLength hidden width of one expert ({@code expert_feed_forward_length}, else
 *                         feed_forward_length / expert_used_count as the reference reads it)
 */
public record ModelConfig(
        String architecture,
        int embeddingLength,
        int feedForwardLength,
        int blockCount,
        int headCount,
        int headCountKv,
        int headDim,
        int valueDim,
        int contextLength,
        int vocabularySize,
        float rmsNormEps,
        float ropeBase,
        float ropeScale,
        int ropeDimensions,
        int sequenceLength,
        int expertCount,
        int expertUsedCount,
        int expertFeedForwardLength) {

    /** Bounds layer widths read from a file, so a corrupt count cannot overflow an int product. */
    private static final int MAX_WIDTH = 1 << 24;

    /** @param requestedLength the context per sequence asked for; 0 or more than the trained context: the trained one */
    static ModelConfig read(GgufFile file, String architecture, int vocabularySize, int requestedLength) {
        String p = architecture + ".";
        int embedding = file.requireInt(p + "embedding_length", 1);
        int heads = file.requireInt(p + "attention.head_count", 1);
        int kvHeads = file.getInt(p + "attention.head_count_kv", heads, 1);
        if (heads % kvHeads != 0) {
            throw new GgufFormatException(file.path(), "attention.head_count " + heads + " is not a multiple of head_count_kv " + kvHeads);
        }
        int headDim = file.getInt(p + "attention.key_length", embedding / heads, 1);
        if (headDim < 1) {
            throw new GgufFormatException(file.path(), "head size is 0: embedding_length " + embedding + " is less than head_count " + heads);
        }
        int valueDim = file.getInt(p + "attention.value_length", headDim, 1);
        if (valueDim != headDim) {
            throw new GgufFormatException(file.path(), "attention.value_length " + valueDim + " differs from key_length " + headDim + ", which is not supported");
        }
        int ropeDimensions = file.getInt(p + "rope.dimension_count", headDim, 2);
        if (ropeDimensions > headDim || ropeDimensions % 2 != 0) {
            throw new GgufFormatException(file.path(), "rope.dimension_count " + ropeDimensions + " must be even and at most the head size " + headDim);
        }
        float ropeScale = 1f;
        String scalingType = file.getString(p + "rope.scaling.type", "none");
        if (scalingType.equals("linear")) {
            float factor = file.getFloat(p + "rope.scaling.factor", 1f);
            if (factor <= 0) {
                throw new GgufFormatException(file.path(), "rope.scaling.factor is " + factor + ", not positive");
            }
            ropeScale = 1f / factor;
        } else if (!scalingType.equals("none") && !scalingType.equals("yarn")) {
            // YaRN changes each pair's frequency, not the positions: a family that has it builds its Rope with Rope.yarn.
            throw new GgufFormatException(file.path(), "rope.scaling.type '" + scalingType + "' is not supported (none, linear and yarn are)");
        }
        int blockCount = file.requireInt(p + "block_count", 1);
        if (blockCount > file.tensors().size()) {
            throw new GgufFormatException(file.path(), "block_count " + blockCount + " is more than the file has tensors");
        }
        if ((long) heads * headDim > MAX_WIDTH || (long) kvHeads * headDim > MAX_WIDTH) {
            throw new GgufFormatException(file.path(), heads + " heads of " + headDim + " values are wider than any supported model");
        }
        int contextLength = file.getInt(p + "context_length", 2048, 1);
        int feedForward = file.requireInt(p + "feed_forward_length", 1);
        int experts = file.getInt(p + "expert_count", 0, 0);
        int expertsUsed = experts == 0 ? 0 : file.requireInt(p + "expert_used_count", 1);
        if (expertsUsed > experts) {
            throw new GgufFormatException(file.path(), "expert_used_count " + expertsUsed + " is more than expert_count " + experts);
        }
        // Ollama's Gemma 3 files may leave these out (older ones name the bases rope.global/local.freq_base).
        boolean gemma3 = architecture.equals("gemma3");
        int expertFeedForward = experts == 0 ? 0
                : file.getInt(p + "expert_feed_forward_length", Math.max(1, feedForward / expertsUsed), 1);
        return new ModelConfig(
                architecture,
                embedding,
                feedForward,
                blockCount,
                heads,
                kvHeads,
                headDim,
                valueDim,
                contextLength,
                vocabularySize,
                file.getFloat(p + "attention.layer_norm_rms_epsilon", gemma3 ? 1e-6f : 1e-5f),
                file.getFloat(p + "rope.freq_base", gemma3 ? file.getFloat(p + "rope.global.freq_base", 1e6f) : 10_000f),
                ropeScale,
                ropeDimensions,
                requestedLength <= 0 ? contextLength : Math.min(requestedLength, contextLength),
                experts,
                expertsUsed,
                expertFeedForward);
    }

    public int queryDim() {
        return headCount * headDim;
    }

    public int kvDim() {
        return headCountKv * headDim;
    }
}
