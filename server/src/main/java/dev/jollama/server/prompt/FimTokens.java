package dev.jollama.server.prompt;

import dev.jollama.engine.gguf.GgufFile;
import dev.jollama.engine.tokenizer.Tokenizer;

import java.util.Optional;

/**
 * The fill-in-the-middle tokens a GGUF declares (tokenizer.ggml.fim_pre/suf/mid_token_id, or the older
 * prefix/suffix/middle names). Models whose template has no .Suffix still do FIM through them, prompt built as
 * llama.cpp's infill does: [BOS] PRE prefix SUF suffix MID.
 */
public record FimTokens(int prefix, int suffix, int middle) {

    public static Optional<FimTokens> of(GgufFile file) {
        int pre = id(file, "fim_pre", "prefix");
        int suf = id(file, "fim_suf", "suffix");
        int mid = id(file, "fim_mid", "middle");
        return pre >= 0 && suf >= 0 && mid >= 0 ? Optional.of(new FimTokens(pre, suf, mid)) : Optional.empty();
    }

    private static int id(GgufFile file, String name, String legacyName) {
        int id = file.getInt("tokenizer.ggml." + name + "_token_id", -1, -1);
        return id >= 0 ? id : file.getInt("tokenizer.ggml." + legacyName + "_token_id", -1, -1);
    }

    /** The prompt's tokens: the special tokens by id, the texts tokenized without specials. */
    public int[] prompt(Tokenizer tokenizer, String prefixText, String suffixText) {
        int[] before = tokenizer.encode(prefixText, false, false);
        int[] after = tokenizer.encode(suffixText, false, false);
        int bos = tokenizer.encode("", true, false).length > 0 ? tokenizer.bosToken() : -1;
        int[] tokens = new int[(bos >= 0 ? 1 : 0) + 3 + before.length + after.length];
        int n = 0;
        if (bos >= 0) {
            tokens[n++] = bos;
        }
        tokens[n++] = prefix;
        System.arraycopy(before, 0, tokens, n, before.length);
        n += before.length;
        tokens[n++] = suffix;
        System.arraycopy(after, 0, tokens, n, after.length);
        n += after.length;
        tokens[n] = middle;
        return tokens;
    }
}
