package dev.jollama.engine.quantize;

import dev.jollama.engine.gguf.GgmlType;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The type mix on model shapes the ../shared files do not have: many layers, grouped-query attention, experts, Ollama's overrides. */
class QuantizationPlanTest {

    /** A llama-like model: token_embd, output, per layer attn_q/k/v/output, ffn_gate/up/down and norms. */
    private static List<QuantizationPlan.Weight> llama(int layers, int dim, boolean tied) {
        List<QuantizationPlan.Weight> weights = new ArrayList<>();
        weights.add(matrix("token_embd.weight", dim, 1000));
        if (!tied) {
            weights.add(matrix("output.weight", dim, 1000));
        }
        weights.add(new QuantizationPlan.Weight("output_norm.weight", new long[]{dim}, GgmlType.F32));
        for (int i = 0; i < layers; i++) {
            for (String m : List.of("attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up")) {
                weights.add(matrix("blk." + i + "." + m + ".weight", dim, dim));
            }
            weights.add(matrix("blk." + i + ".ffn_down.weight", 2 * dim, dim));
            weights.add(new QuantizationPlan.Weight("blk." + i + ".attn_norm.weight", new long[]{dim}, GgmlType.F32));
        }
        return weights;
    }

    private static QuantizationPlan.Weight matrix(String name, int rowLength, int rows) {
        return new QuantizationPlan.Weight(name, new long[]{rowLength, rows}, GgmlType.F16);
    }

    private static QuantizationPlan plan(String arch, int layers, int heads, int kvHeads, int dim, boolean tied, FileType target) {
        return QuantizationPlan.of(new QuantizationPlan.Model(arch, layers, heads, kvHeads, 0), llama(layers, dim, tied), target, false);
    }

    @Test
    void q4KMGivesAttnVAndFfnDownSixBitsInTheFirstAndLastEighthAndEveryThirdBetween() {
        QuantizationPlan plan = plan("llama", 32, 32, 8, 256, false, FileType.Q4_K_M);
        List<Integer> sixBit = IntStream.range(0, 32).filter(i -> plan.typeOf("blk." + i + ".attn_v.weight") == GgmlType.Q6_K).boxed().toList();
        assertThat(sixBit).containsExactly(0, 1, 2, 3, 6, 9, 12, 15, 18, 21, 24, 27, 28, 29, 30, 31);
        assertThat(IntStream.range(0, 32).filter(i -> plan.typeOf("blk." + i + ".ffn_down.weight") == GgmlType.Q6_K).boxed().toList())
                .isEqualTo(sixBit);
        assertThat(plan.typeOf("blk.5.attn_q.weight")).isEqualTo(GgmlType.Q4_K);
        assertThat(plan.typeOf("output.weight")).isEqualTo(GgmlType.Q6_K);
        assertThat(plan.typeOf("token_embd.weight")).isEqualTo(GgmlType.Q4_K);
        assertThat(plan.typeOf("output_norm.weight")).isEqualTo(GgmlType.F32);
    }

    @Test
    void theRulesThatDependOnTheModel() {
        record Case(String arch, int layers, int heads, int kvHeads, int dim, boolean tied, FileType target, String tensor, GgmlType expected) {
        }
        List<Case> cases = List.of(
                new Case("llama", 2, 32, 8, 256, false, FileType.Q2_K, "blk.0.attn_v.weight", GgmlType.Q4_K), // gqa 4
                new Case("llama", 2, 4, 2, 256, false, FileType.Q2_K, "blk.0.attn_v.weight", GgmlType.Q3_K),
                new Case("llama", 4, 4, 2, 256, false, FileType.Q3_K_M, "blk.1.attn_v.weight", GgmlType.Q5_K), // the first two
                new Case("llama", 4, 4, 2, 256, false, FileType.Q3_K_M, "blk.2.attn_v.weight", GgmlType.Q4_K),
                new Case("llama", 16, 4, 2, 256, false, FileType.Q3_K_M, "blk.0.ffn_down.weight", GgmlType.Q5_K), // first sixteenth
                new Case("llama", 8, 4, 2, 256, false, FileType.Q4_K_S, "blk.3.attn_v.weight", GgmlType.Q5_K),
                new Case("llama", 8, 4, 2, 256, false, FileType.Q4_K_S, "blk.4.attn_v.weight", GgmlType.Q4_K),
                new Case("llama", 80, 64, 8, 256, false, FileType.Q3_K_S, "blk.7.attn_v.weight", GgmlType.Q5_K), // 70B
                new Case("llama", 2, 4, 2, 256, true, FileType.Q4_0, "token_embd.weight", GgmlType.Q6_K), // tied: as the output
                new Case("llama", 2, 4, 2, 256, false, FileType.Q8_0, "output.weight", GgmlType.Q8_0),
                new Case("llama", 2, 4, 2, 96, false, FileType.Q4_K_M, "output.weight", GgmlType.Q8_0), // rows not whole 256-blocks
                new Case("llama", 2, 4, 2, 96, false, FileType.Q4_K_M, "blk.0.attn_q.weight", GgmlType.Q5_0),
                new Case("llama", 2, 4, 2, 96, false, FileType.Q5_K_S, "blk.0.attn_q.weight", GgmlType.Q5_1),
                new Case("llama", 2, 4, 2, 96, false, FileType.Q3_K_S, "blk.0.attn_q.weight", GgmlType.Q4_0),
                new Case("llama", 2, 4, 2, 96, false, FileType.IQ4_XS, "blk.0.attn_q.weight", GgmlType.IQ4_NL),
                new Case("llama", 2, 4, 2, 48, false, FileType.Q4_0, "blk.0.attn_q.weight", GgmlType.F16), // not even 32-blocks
                new Case("llama", 16, 32, 8, 256, false, FileType.IQ4_NL, "blk.0.attn_v.weight", GgmlType.Q5_K),
                new Case("llama", 16, 32, 8, 256, false, FileType.IQ4_NL, "blk.1.ffn_down.weight", GgmlType.Q5_K),
                new Case("llama", 16, 32, 8, 256, false, FileType.IQ4_NL, "blk.2.ffn_down.weight", GgmlType.IQ4_NL),
                new Case("llama", 2, 4, 2, 256, false, FileType.F16, "blk.0.attn_q.weight", GgmlType.F16),
                new Case("llama", 2, 4, 2, 256, false, FileType.BF16, "output_norm.weight", GgmlType.F32),
                new Case("falcon", 2, 4, 2, 256, false, FileType.Q4_K_M, "output.weight", GgmlType.Q8_0),
                new Case("glm4", 2, 4, 2, 256, false, FileType.Q4_K_M, "token_embd.weight", GgmlType.F16), // Ollama's override
                new Case("glm4", 2, 4, 2, 256, false, FileType.Q4_K_M, "output.weight", GgmlType.F16),
                new Case("glm4", 2, 4, 2, 256, false, FileType.Q8_0, "output.weight", GgmlType.Q8_0));
        for (Case c : cases) {
            assertThat(plan(c.arch(), c.layers(), c.heads(), c.kvHeads(), c.dim(), c.tied(), c.target()).typeOf(c.tensor())).as(c.toString())
                    .isEqualTo(c.expected());
        }
    }

    @Test
    void tensorsComeOutsideTheBlocksFirstThenBlockByBlockByName() {
        QuantizationPlan plan = plan("llama", 11, 4, 2, 256, false, FileType.Q8_0);
        List<String> names = plan.entries().stream().map(e -> e.weight().name()).toList();
        assertThat(names.subList(0, 4)).containsExactly("output.weight", "output_norm.weight", "token_embd.weight", "blk.0.attn_k.weight");
        assertThat(names.indexOf("blk.2.attn_k.weight")).isLessThan(names.indexOf("blk.10.attn_k.weight"));
    }
}
