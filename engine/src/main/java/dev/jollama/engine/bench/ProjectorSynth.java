package dev.jollama.engine.bench;

import dev.jollama.engine.gguf.GgmlType;
import dev.jollama.engine.gguf.GgufWriter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a random-weight Gemma 3 image projector (the reference's mmproj layout) as its converter types it: the
 * block matrices and the input projection F16, the patch and position embeddings F32.
 */
final class ProjectorSynth {
    private ProjectorSynth() {
    }

    static long write(ProjectorShape s, Path out) throws IOException {
        int n = s.width(), grid = s.imageSize() / s.patchSize();
        GgufWriter w = new GgufWriter();
        w.put("general.architecture", "clip")
                .put("general.type", "mmproj")
                .put("general.name", "synthetic " + s.name())
                .put("general.file_type", 1)
                .put("clip.projector_type", "gemma3")
                .put("clip.has_vision_encoder", true)
                .put("clip.use_gelu", true)
                .put("clip.vision.image_size", s.imageSize())
                .put("clip.vision.patch_size", s.patchSize())
                .put("clip.vision.embedding_length", n)
                .put("clip.vision.feed_forward_length", s.feedForward())
                .put("clip.vision.block_count", s.blocks())
                .put("clip.vision.attention.head_count", s.heads())
                .put("clip.vision.attention.layer_norm_epsilon", 1e-6f)
                .put("clip.vision.projection_dim", s.textWidth())
                .put("clip.vision.image_mean", new float[] {0.5f, 0.5f, 0.5f})
                .put("clip.vision.image_std", new float[] {0.5f, 0.5f, 0.5f});
        long[] seed = {1};
        Synth.randomTensor(w, "v.patch_embd.weight", new long[] {s.patchSize(), s.patchSize(), 3, n}, GgmlType.F32, seed);
        Synth.random(w, "v.patch_embd.bias", n, seed);
        Synth.randomTensor(w, "v.position_embd.weight", new long[] {n, (long) grid * grid}, GgmlType.F32, seed);
        for (int i = 0; i < s.blocks(); i++) {
            String b = "v.blk." + i + ".";
            for (String norm : new String[] {"ln1", "ln2"}) {
                Synth.ones(w, b + norm + ".weight", n);
                Synth.random(w, b + norm + ".bias", n, seed);
            }
            for (String p : new String[] {"attn_q", "attn_k", "attn_v", "attn_out"}) {
                Synth.randomTensor(w, b + p + ".weight", new long[] {n, n}, GgmlType.F16, seed);
                Synth.random(w, b + p + ".bias", n, seed);
            }
            Synth.randomTensor(w, b + "ffn_up.weight", new long[] {n, s.feedForward()}, GgmlType.F16, seed);
            Synth.random(w, b + "ffn_up.bias", s.feedForward(), seed);
            Synth.randomTensor(w, b + "ffn_down.weight", new long[] {s.feedForward(), n}, GgmlType.F16, seed);
            Synth.random(w, b + "ffn_down.bias", n, seed);
        }
        Synth.ones(w, "v.post_ln.weight", n);
        Synth.random(w, "v.post_ln.bias", n, seed);
        Synth.ones(w, "mm.soft_emb_norm.weight", n);
        Synth.randomTensor(w, "mm.input_projection.weight", new long[] {s.textWidth(), n}, GgmlType.F16, seed);
        w.write(out);
        return Files.size(out);
    }
}
