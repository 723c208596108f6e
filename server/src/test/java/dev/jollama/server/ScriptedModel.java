package dev.jollama.server;

import dev.jollama.engine.gguf.GgmlType;
import dev.jollama.engine.gguf.GgufWriter;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A one-layer llama GGUF that writes scripts: its vocabulary holds byte tokens (any prompt tokenizes), one control
 * token per trigger and one user-defined token per script step, and its weights make it a bigram model whose next
 * token depends only on the last one (attention and feed-forward add nothing; the embedding of a trigger or step
 * selects one row of the output matrix). A prompt ending in a trigger is answered with that trigger's steps, then
 * end-of-generation, whatever the sampling settings (the right token leads the others by 32 logits). Steps must be
 * distinct across scripts, as each token has one successor.
 */
final class ScriptedModel {
    private static final int DIM = 64;
    private static final int FEED_FORWARD = 64;
    private static final int UNK = 0;
    private static final int BOS = 1;
    private static final int EOS = 2;
    private static final int BYTES = 3;
    private static final float LEAD = 4f;

    private ScriptedModel() {
    }

    /** @param scripts trigger text (a control token the template writes last) to the texts of the tokens to answer */
    static Path write(Path file, Map<String, List<String>> scripts) throws IOException {
        return write(file, scripts, null);
    }

    /** @param chatTemplate the file's {@code tokenizer.chat_template}, or null for none */
    static Path write(Path file, Map<String, List<String>> scripts, String chatTemplate) throws IOException {
        List<String> tokens = new ArrayList<>(List.of("<unk>", "<s>", "</s>"));
        List<Integer> types = new ArrayList<>(List.of(2, 3, 3));
        for (int b = 0; b < 256; b++) {
            tokens.add(String.format("<0x%02X>", b));
            types.add(6);
        }
        Map<Integer, Integer> next = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> script : scripts.entrySet()) {
            int previous = add(tokens, types, script.getKey(), 3);
            for (String step : script.getValue()) {
                int token = add(tokens, types, step, 4);
                next.put(previous, token);
                previous = token;
            }
            next.put(previous, EOS);
        }
        if (next.size() + 1 > DIM) {
            throw new IllegalArgumentException("at most " + (DIM - 1) + " scripted tokens");
        }
        int vocabulary = tokens.size();
        Map<Integer, Integer> row = new LinkedHashMap<>(); // token -> its dimension; 0 for every other token
        next.keySet().forEach(t -> row.put(t, row.size() + 1));
        float[] embedding = new float[vocabulary * DIM];
        for (int t = 0; t < vocabulary; t++) {
            embedding[t * DIM + row.getOrDefault(t, 0)] = 1f;
        }
        float[] output = new float[vocabulary * DIM];
        output[EOS * DIM] = LEAD; // any other token ends the answer
        next.forEach((from, to) -> output[to * DIM + row.get(from)] = LEAD);

        float[] scores = new float[vocabulary];
        int[] typeArray = types.stream().mapToInt(Integer::intValue).toArray();
        GgufWriter w = new GgufWriter()
                .put("general.architecture", "llama")
                .put("general.name", "scripted")
                .put("general.file_type", 0)
                .put("llama.context_length", 2048)
                .put("llama.embedding_length", DIM)
                .put("llama.feed_forward_length", FEED_FORWARD)
                .put("llama.block_count", 1)
                .put("llama.attention.head_count", 1)
                .put("llama.attention.head_count_kv", 1)
                .put("llama.attention.layer_norm_rms_epsilon", 1e-5f)
                .put("llama.rope.freq_base", 10000f)
                .put("tokenizer.ggml.model", "llama")
                .put("tokenizer.ggml.tokens", tokens.toArray(String[]::new))
                .put("tokenizer.ggml.scores", scores)
                .put("tokenizer.ggml.token_type", typeArray)
                .put("tokenizer.ggml.unknown_token_id", UNK)
                .put("tokenizer.ggml.bos_token_id", BOS)
                .put("tokenizer.ggml.eos_token_id", EOS)
                .put("tokenizer.ggml.add_space_prefix", false);
        if (chatTemplate != null) {
            w.put("tokenizer.chat_template", chatTemplate);
        }
        tensor(w, "token_embd.weight", DIM, vocabulary, embedding);
        tensor(w, "blk.0.attn_norm.weight", DIM, 1, ones(DIM));
        for (String name : List.of("attn_q", "attn_k", "attn_v", "attn_output")) {
            tensor(w, "blk.0." + name + ".weight", DIM, DIM, new float[DIM * DIM]);
        }
        tensor(w, "blk.0.ffn_norm.weight", DIM, 1, ones(DIM));
        tensor(w, "blk.0.ffn_gate.weight", DIM, FEED_FORWARD, new float[DIM * FEED_FORWARD]);
        tensor(w, "blk.0.ffn_up.weight", DIM, FEED_FORWARD, new float[DIM * FEED_FORWARD]);
        tensor(w, "blk.0.ffn_down.weight", FEED_FORWARD, DIM, new float[DIM * FEED_FORWARD]);
        tensor(w, "output_norm.weight", DIM, 1, ones(DIM));
        tensor(w, "output.weight", DIM, vocabulary, output);
        w.write(file);
        return file;
    }

    private static int add(List<String> tokens, List<Integer> types, String text, int type) {
        int existing = tokens.indexOf(text);
        if (existing >= 0) {
            throw new IllegalArgumentException("token used twice: " + text);
        }
        tokens.add(text);
        types.add(type);
        return tokens.size() - 1;
    }

    private static float[] ones(int n) {
        float[] v = new float[n];
        java.util.Arrays.fill(v, 1f);
        return v;
    }

    private static void tensor(GgufWriter w, String name, int rowLength, int rows, float[] values) {
        long[] shape = rows == 1 ? new long[]{rowLength} : new long[]{rowLength, rows};
        w.tensor(name, shape, GgmlType.F32, out -> {
            ByteBuffer bytes = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            bytes.asFloatBuffer().put(values);
            out.write(bytes.array());
        });
    }
}
