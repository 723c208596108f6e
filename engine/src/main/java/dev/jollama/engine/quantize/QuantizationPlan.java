package dev.jollama.engine.quantize;

import dev.jollama.engine.gguf.GgmlType;
import dev.jollama.engine.gguf.GgufFile;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which type each tensor of a model gets when it is quantized to a file type, as llama.cpp's quantizer chooses
 * ({@code llama_tensor_get_type}, without importance matrix or overrides): norms, biases, vectors and a few small
 * matrices keep their type; the output (or the token embedding when it doubles as the output) gets Q6_K; attn_v,
 * attn_output and ffn_down get more bits in the K-quant mixes (Q4_K_M: Q6_K on attn_v and ffn_down in the first and
 * last eighth of the layers and every third between); a type whose blocks do not divide the rows falls back to one
 * whose do. Ollama's own overrides for a few architectures come first. Tensors come in the reference's order (outside the blocks first, then block by block, each by name), which
 * is also the order its counters (the n-th attn_v, the n-th ffn_down) follow.
 */
public final class QuantizationPlan {
    private static final Pattern LAYER = Pattern.compile("^blk\\.(\\d+)\\.");
    /** tensor_get_category's tests after the output and token embedding, in its order (first match wins). */
    private static final List<Map.Entry<String, Category>> BY_NAME_PART = List.of(Map.entry("attn_qkv.weight", Category.ATTN_QKV),
            Map.entry("attn_kv_b.weight", Category.ATTN_KV_B), Map.entry("attn_v.weight", Category.ATTN_V),
            Map.entry("attn_k.weight", Category.ATTN_K), Map.entry("attn_q.weight", Category.ATTN_Q),
            Map.entry("attn_output.weight", Category.ATTN_OUTPUT), Map.entry("ffn_up", Category.FFN_UP),
            Map.entry("ffn_gate", Category.FFN_GATE), Map.entry("ffn_down", Category.FFN_DOWN));

    /**
     * Ollama's overrides for some architectures when quantizing to Q4_K_S or Q4_K_M (the --tensor-type arguments it
     * gives llama-quantize): small, sensitive matrices stay Q8_0 or F16. The first pattern found in a name wins.
     */
    private record Override(Set<String> architectures, Pattern name, GgmlType type) {
    }

    private static final List<Override> OLLAMA_OVERRIDES = List.of(
            new Override(Set.of("qwen35", "qwen35moe"), Pattern.compile("^blk\\.[0-9]+\\.nextn\\.eh_proj\\.weight$"), GgmlType.Q8_0),
            new Override(Set.of("gemma3n"), Pattern.compile("^per_layer_token_embd\\.weight$"), GgmlType.F16),
            new Override(Set.of("deepseek2"), Pattern.compile("attn_k_b\\.weight$"), GgmlType.Q8_0),
            new Override(Set.of("deepseek2"), Pattern.compile("attn_q_a\\.weight$"), GgmlType.Q8_0),
            new Override(Set.of("deepseek2"), Pattern.compile("attn_q_b\\.weight$"), GgmlType.Q8_0),
            new Override(Set.of("deepseek2"), Pattern.compile("attn_v_b\\.weight$"), GgmlType.Q8_0),
            new Override(Set.of("deepseek2"), Pattern.compile("attn_kv_a_mqa\\.weight$"), GgmlType.Q8_0),
            new Override(Set.of("glmocr", "glm4"), Pattern.compile("^token_embd\\.weight$"), GgmlType.F16),
            new Override(Set.of("glmocr", "glm4"), Pattern.compile("^output\\.weight$"), GgmlType.F16));

    /** A tensor to place: its name, shape ({@code shape[0]} the row length) and present type. */
    public record Weight(String name, long[] shape, GgmlType type) {
    }

    /** The facts about a model the rules look at. */
    public record Model(String architecture, int layers, int heads, int kvHeads, int experts) {
        /** From a file's metadata ({@code <arch>.block_count}, head counts, expert count). */
        public static Model of(GgufFile file) {
            String arch = file.getString("general.architecture", "");
            int heads = firstInt(file, arch + ".attention.head_count", 0);
            return new Model(arch, file.getInt(arch + ".block_count", 0, 0), heads,
                    firstInt(file, arch + ".attention.head_count_kv", heads), file.getInt(arch + ".expert_count", 0, 0));
        }
    }

    /** One tensor and the type it gets. */
    public record Entry(Weight weight, GgmlType type) {
    }

    private enum Category { TOKEN_EMBD, ATTN_Q, ATTN_V, ATTN_K, ATTN_QKV, ATTN_KV_B, ATTN_OUTPUT, FFN_UP, FFN_GATE, FFN_DOWN, OUTPUT, OTHER }

    private final FileType target;
    private final boolean pure;
    private final String architecture;
    private final boolean falcon;
    private final boolean llama70b;
    private final int layers;
    private final int gqa;
    private final int experts;
    private final boolean tiedEmbeddings;
    private final int attentionVCount;
    private int attentionV;
    private int ffnDown;
    private final List<Entry> entries = new ArrayList<>();

    private QuantizationPlan(Model model, FileType target, boolean pure, List<Weight> weights) {
        this.target = target;
        this.pure = pure;
        architecture = model.architecture();
        falcon = architecture.equals("falcon");
        layers = model.layers();
        gqa = model.kvHeads() > 0 ? model.heads() / model.kvHeads() : 0;
        experts = model.experts();
        llama70b = model.architecture().equals("llama") && layers == 80 && model.heads() != model.kvHeads();
        tiedEmbeddings = weights.stream().noneMatch(t -> t.name().equals("output.weight"));
        attentionVCount = (int) weights.stream().map(t -> category(t.name())).filter(QuantizationPlan::isAttentionV).count();
    }

    /** The plan for quantizing {@code model} to {@code target} (one of {@link FileType#quantizeTargets()}). */
    public static QuantizationPlan of(GgufFile model, FileType target) {
        List<Weight> weights = model.tensors().values().stream().map(t -> new Weight(t.name(), t.shape(), t.type())).toList();
        return of(Model.of(model), weights, target, false);
    }

    /**
     * The plan for {@code weights} of {@code model} quantized to {@code target}; {@code pure} gives every
     * quantizable tensor the target's type (llama-quantize's --pure), still falling back where rows do not fit.
     */
    public static QuantizationPlan of(Model model, List<Weight> weights, FileType target, boolean pure) {
        if (target.defaultType == null) {
            throw new IllegalArgumentException("cannot quantize to " + target + " (can to " + FileType.quantizeTargets() + ")");
        }
        List<Weight> sorted = new ArrayList<>(weights);
        sorted.sort(Comparator.comparingInt((Weight t) -> layerOf(t.name())).thenComparing(Weight::name));
        QuantizationPlan plan = new QuantizationPlan(model, target, pure, sorted);
        for (Weight t : sorted) {
            plan.entries.add(new Entry(t, plan.typeOf(t)));
        }
        return plan;
    }

    /** The type the tensor named {@code name} gets. */
    public GgmlType typeOf(String name) {
        return entries.stream().filter(e -> e.weight().name().equals(name)).findFirst().map(Entry::type)
                .orElseThrow(() -> new IllegalArgumentException("no tensor '" + name + "' in the plan"));
    }

    public List<Entry> entries() {
        return entries;
    }

    public FileType target() {
        return target;
    }

    private GgmlType typeOf(Weight tensor) {
        if (!quantizable(tensor)) {
            return tensor.type();
        }
        GgmlType type = target.defaultType;
        if (!isQuantized(type)) {
            return type;
        }
        Optional<GgmlType> override = target == FileType.Q4_K_S || target == FileType.Q4_K_M ? OLLAMA_OVERRIDES.stream()
                .filter(o -> o.architectures().contains(architecture) && o.name().matcher(tensor.name()).find())
                .map(Override::type).findFirst() : Optional.empty();
        return fallback(tensor.shape()[0], override.orElseGet(() -> pure ? type : mixType(tensor, category(tensor.name()))));
    }

    /** tensor_allows_quantization: matrices named "*weight" other than norms, routers and a few small tables. */
    private static boolean quantizable(Weight tensor) {
        String name = tensor.name();
        if (dimensions(tensor.shape()) < 2 || !name.endsWith("weight") || name.contains("_norm.weight")) {
            return false;
        }
        for (String kept : List.of("ffn_gate_inp.weight", "ffn_gate_tid2eid.weight", "altup", "laurel", "per_layer_model_proj",
                "ssm_conv1d", "shortconv.conv.weight", "indexer.k_proj.weight", "indexer.q_proj.weight", "time_mix_first.weight",
                "time_mix_w0.weight", "time_mix_w1.weight", "time_mix_w2.weight", "time_mix_v0.weight", "time_mix_v1.weight",
                "time_mix_v2.weight", "time_mix_a0.weight", "time_mix_a1.weight", "time_mix_a2.weight", "time_mix_g1.weight",
                "time_mix_g2.weight", "time_mix_decay_w1.weight", "time_mix_decay_w2.weight", "time_mix_lerp_fused.weight",
                "attn_rel_b.weight", ".position_embd", "sam.pos_embd", "sam.neck.", "sam.net_", ".rel_pos", ".patch_embd",
                ".patch_merger", "a.rvq.codebook", "mm.a.code_embd")) {
            if (name.contains(kept)) {
                return false;
            }
        }
        return !name.equals("position_embd.weight") && !name.equals("token_types.weight");
    }

    /** llama_tensor_get_type_impl for the K-quant and legacy file types. */
    private GgmlType mixType(Weight tensor, Category category) {
        GgmlType type = target.defaultType;
        FileType f = target;
        boolean iq4 = f == FileType.IQ4_NL || f == FileType.IQ4_XS;
        if (category == Category.OUTPUT || (tiedEmbeddings && category == Category.TOKEN_EMBD)) {
            if (f == FileType.MXFP4_MOE || falcon || tensor.shape()[0] % type.blockSize != 0) {
                return GgmlType.Q8_0;
            }
            return type != GgmlType.Q8_0 ? GgmlType.Q6_K : type;
        }
        if (f == FileType.MXFP4_MOE) {
            return tensor.shape().length > 2 && tensor.shape()[2] > 1 ? GgmlType.MXFP4 : GgmlType.Q8_0; // MXFP4 on experts only
        }
        if (isAttentionV(category)) {
            if (f == FileType.Q2_K) {
                type = gqa >= 4 ? GgmlType.Q4_K : GgmlType.Q3_K;
            } else if (f == FileType.Q3_K_M) {
                type = attentionV < 2 ? GgmlType.Q5_K : GgmlType.Q4_K;
            } else if (f == FileType.Q3_K_L || (iq4 && gqa >= 4)) {
                type = GgmlType.Q5_K;
            } else if ((f == FileType.Q4_K_M || f == FileType.Q5_K_M) && moreBits(attentionV, attentionVCount)) {
                type = GgmlType.Q6_K;
            } else if (f == FileType.Q4_K_S && attentionV < 4) {
                type = GgmlType.Q5_K;
            }
            if (llama70b && (type == GgmlType.Q3_K || type == GgmlType.Q4_K)) {
                type = GgmlType.Q5_K; // 70B shares attn_v among 8 heads: the tensor is small, more bits cost little
            }
            if (experts == 8) {
                type = GgmlType.Q8_0;
            }
            attentionV++;
        } else if (category == Category.ATTN_K) {
            if (experts == 8) {
                type = GgmlType.Q8_0;
            }
        } else if (category == Category.FFN_DOWN) {
            int layer = experts > 1 ? layerOf(tensor.name()) : ffnDown;
            if (f == FileType.Q2_K) {
                type = GgmlType.Q3_K;
            } else if (f == FileType.Q3_K_M) {
                type = layer < layers / 16 ? GgmlType.Q5_K : !falcon || moreBits(layer, layers) ? GgmlType.Q4_K : GgmlType.Q3_K;
            } else if (f == FileType.Q3_K_L) {
                type = falcon ? GgmlType.Q4_K : GgmlType.Q5_K;
            } else if (f == FileType.Q4_K_M) {
                if (falcon) {
                    type = layer < layers / 16 ? GgmlType.Q6_K : moreBits(layer, layers) ? GgmlType.Q5_K : GgmlType.Q4_K;
                } else if (moreBits(layer, layers)) {
                    type = GgmlType.Q6_K;
                }
            } else if (iq4 && layer < layers / 8) {
                type = GgmlType.Q5_K;
            } else if (f == FileType.Q5_K_M && moreBits(layer, layers)) {
                type = GgmlType.Q6_K;
            } else if (f == FileType.Q4_K_S && !falcon && layer < layers / 8) {
                type = GgmlType.Q5_K;
            }
            ffnDown++;
        } else if (category == Category.ATTN_OUTPUT) {
            if (falcon) {
                if (f == FileType.Q3_K_L) {
                    type = GgmlType.Q4_K;
                }
            } else if (experts == 8) {
                if (iq4 || f == FileType.Q2_K || f == FileType.Q3_K_S || f == FileType.Q3_K_M || f == FileType.Q4_K_S || f == FileType.Q4_K_M) {
                    type = GgmlType.Q5_K;
                }
            } else if (f == FileType.Q2_K) {
                type = GgmlType.Q3_K;
            } else if (f == FileType.Q3_K_M) {
                type = GgmlType.Q4_K;
            } else if (f == FileType.Q3_K_L) {
                type = GgmlType.Q5_K;
            }
        }
        return type;
    }

    /**
     * tensor_type_fallback: rows that are not whole blocks of {@code type} take a type of 32-value blocks, F16 when
     * those do not fit either. (The reference gives up on 32-value types; F16 keeps such a model usable.)
     */
    static GgmlType fallback(long rowLength, GgmlType type) {
        if (rowLength % type.blockSize == 0) {
            return type;
        }
        GgmlType smaller = switch (type) {
            case Q2_K, Q3_K -> GgmlType.Q4_0;
            case Q4_K -> GgmlType.Q5_0;
            case Q5_K -> GgmlType.Q5_1;
            case Q6_K -> GgmlType.Q8_0;
            case IQ4_XS -> GgmlType.IQ4_NL;
            default -> GgmlType.F16;
        };
        return rowLength % smaller.blockSize == 0 ? smaller : GgmlType.F16;
    }

    private static boolean isQuantized(GgmlType type) {
        return type != GgmlType.F32 && type != GgmlType.F16 && type != GgmlType.BF16;
    }

    private static boolean moreBits(int layer, int layers) {
        return layer < layers / 8 || layer >= 7 * layers / 8 || (layer - layers / 8) % 3 == 2;
    }

    private static boolean isAttentionV(Category c) {
        return c == Category.ATTN_V || c == Category.ATTN_QKV || c == Category.ATTN_KV_B;
    }

    private static Category category(String name) {
        if (name.equals("output.weight")) {
            return Category.OUTPUT;
        }
        if (name.equals("token_embd.weight") || name.equals("per_layer_token_embd.weight")) {
            return Category.TOKEN_EMBD;
        }
        for (Map.Entry<String, Category> part : BY_NAME_PART) {
            if (name.contains(part.getKey())) {
                return part.getValue();
            }
        }
        return Category.OTHER;
    }

    /** The block number of "blk.N.*", -1 for tensors outside the blocks. */
    private static int layerOf(String name) {
        Matcher m = LAYER.matcher(name);
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    /** ggml_n_dims: trailing dimensions of 1 do not count. */
    private static int dimensions(long[] shape) {
        int n = shape.length;
        while (n > 1 && shape[n - 1] == 1) {
            n--;
        }
        return n;
    }

    private static int firstInt(GgufFile file, String key, int fallback) {
        Object v = file.metadata().get(key);
        return switch (v) {
            case Number n -> n.intValue();
            case int[] a when a.length > 0 -> a[0];
            case long[] a when a.length > 0 -> (int) a[0];
            case null, default -> fallback;
        };
    }
}
