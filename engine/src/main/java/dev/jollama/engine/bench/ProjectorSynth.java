package dev.jollama.engine.bench;

import dev.jollama.engine.gguf.GgmlType;
import dev.jollama.engine.gguf.GgufWriter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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
        List<Synth.Spec> specs = new ArrayList<>();
        specs.add(Synth.Spec.weights("v.patch_embd.weight", s.patchSize(), s.patchSize(), 3, n));
        specs.add(Synth.Spec.random("v.patch_embd.bias", n));
        specs.add(Synth.Spec.weights("v.position_embd.weight", n, (long) grid * grid));
        for (int i = 0; i < s.blocks(); i++) {
            String b = "v.blk." + i + ".";
            for (String norm : new String[] {"ln1", "ln2"}) {
                specs.add(Synth.Spec.ones(b + norm + ".weight", n));
                specs.add(Synth.Spec.random(b + norm + ".bias", n));
            }
            for (String p : new String[] {"attn_q", "attn_k", "attn_v", "attn_out"}) {
                specs.add(Synth.Spec.matrix(b + p + ".weight", n, n));
                specs.add(Synth.Spec.random(b + p + ".bias", n));
            }
            specs.add(Synth.Spec.matrix(b + "ffn_up.weight", n, s.feedForward()));
            specs.add(Synth.Spec.random(b + "ffn_up.bias", s.feedForward()));
            specs.add(Synth.Spec.matrix(b + "ffn_down.weight", s.feedForward(), n));
            specs.add(Synth.Spec.random(b + "ffn_down.bias", n));
        }
        specs.add(Synth.Spec.ones("v.post_ln.weight", n));
        specs.add(Synth.Spec.random("v.post_ln.bias", n));
        specs.add(Synth.Spec.ones("mm.soft_emb_norm.weight", n));
        specs.add(Synth.Spec.matrix("mm.input_projection.weight", s.textWidth(), n));
        Synth.tensors(w, specs, name -> name.startsWith("v.patch_embd") || name.startsWith("v.position_embd") ? GgmlType.F32 : GgmlType.F16);
        w.write(out);
        return Files.size(out);
    }
}
