package dev.jollama.engine.tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The regular expressions that cut text into words before byte-level BPE merges them, chosen by
 * {@code tokenizer.ggml.pre} as llama.cpp does. Each expression in turn splits every piece left by the previous
 * one into its matches and the text between them. {@code \s} is Unicode whitespace, as in the Hugging Face
 * tokenizers these expressions come from.
 *
 * <p>A name not listed here, or a missing one, falls back to the GPT-2 expression with a logged warning. (llama.cpp
 * instead uses its own four-expression "default" for a missing name and refuses unknown ones.)
 */
enum PreTokenizer {
    GPT2(false, false, Set.of("default", "gpt-2", "mpt", "olmo", "phi-2"), Regex.GPT2),
    /** Llama 3: up to three digits per word; a word that is itself a token skips merging. */
    LLAMA3(true, true, Set.of("llama3", "llama-v3", "llama-bpe", "falcon3"), Regex.LLAMA3_LIKE.formatted("\\p{N}{1,3}")),
    QWEN2(false, false, Set.of("qwen2", "deepseek-r1-qwen", "stablelm2"), Regex.LLAMA3_LIKE.formatted("\\p{N}")),
    /** Digits one by one, then GPT-2. */
    STARCODER(false, false, Set.of("starcoder", "refact", "smollm", "command-r", "codeshell", "exaone"), "\\p{N}", Regex.GPT2),
    FALCON(false, false, Set.of("falcon"), "[\\p{P}$+<=>^~|]+", Regex.GPT2, "[0-9][0-9][0-9]"),
    DEEPSEEK_CODER(false, false, Set.of("deepseek-coder"),
            "[\\r\\n]", "\\s?\\p{L}+", "\\s?\\p{P}+", Regex.CJK, "\\p{N}"),
    DEEPSEEK_LLM(false, false, Set.of("deepseek-llm"),
            "[\\r\\n]", "\\s?[" + Regex.DEEPSEEK_CASED_LETTERS + "]+",
            "\\s?[!-/:-~\\x{FF01}-\\x{FF0F}\\x{FF1A}-\\x{FF5E}\\x{2018}-\\x{201F}\\x{3000}-\\x{3002}]+",
            "\\s+\\z", Regex.CJK, "\\p{N}+");

    private static final System.Logger LOG = System.getLogger(PreTokenizer.class.getName());

    private final boolean ignoresMerges;
    private final boolean addsBos;
    private final Set<String> names;
    private final Pattern[] patterns;

    PreTokenizer(boolean ignoresMerges, boolean addsBos, Set<String> names, String... regexes) {
        this.ignoresMerges = ignoresMerges;
        this.addsBos = addsBos;
        this.names = names;
        this.patterns = Arrays.stream(regexes).map(r -> Pattern.compile(r, Pattern.UNICODE_CHARACTER_CLASS)).toArray(Pattern[]::new);
    }

    /** The pre-tokenizer for a {@code tokenizer.ggml.pre} value (null when absent). */
    static PreTokenizer forName(String name) {
        for (PreTokenizer pre : values()) {
            if (name != null && pre.names.contains(name)) {
                return pre;
            }
        }
        LOG.log(System.Logger.Level.WARNING, name == null
                ? "the vocabulary names no pre-tokenizer (tokenizer.ggml.pre); using GPT-2's, tokens may differ from the model's own"
                : "unknown pre-tokenizer '" + name + "'; using GPT-2's, tokens may differ from the model's own");
        return GPT2;
    }

    /** Whether a word that is a token as a whole is emitted as that token without merging. */
    boolean ignoresMerges() {
        return ignoresMerges;
    }

    /** Whether this family adds BOS when the file does not say ({@code tokenizer.ggml.add_bos_token}). */
    boolean addsBos() {
        return addsBos;
    }

    /** The words of {@code text}, in order; together they are exactly {@code text}. */
    List<String> split(String text) {
        // piece i is text[bounds[i], bounds[i + 1])
        int[] bounds = {0, text.length()};
        int count = 2;
        for (Pattern pattern : patterns) {
            Matcher matcher = pattern.matcher(text);
            int[] refined = new int[Math.max(16, count * 2)];
            int refinedCount = 0;
            for (int piece = 0; piece + 1 < count; piece++) {
                int start = bounds[piece];
                int end = bounds[piece + 1];
                refined = ensure(refined, refinedCount + 1);
                refined[refinedCount++] = start;
                // opaque region bounds: look-arounds and \z see the piece as the whole input, as in llama.cpp
                matcher.region(start, end);
                while (matcher.find()) {
                    refined = ensure(refined, refinedCount + 2);
                    if (matcher.start() > refined[refinedCount - 1]) {
                        refined[refinedCount++] = matcher.start();
                    }
                    if (matcher.end() < end && matcher.end() > refined[refinedCount - 1]) {
                        refined[refinedCount++] = matcher.end();
                    }
                }
            }
            refined = ensure(refined, refinedCount + 1);
            refined[refinedCount++] = text.length();
            bounds = refined;
            count = refinedCount;
        }
        List<String> words = new ArrayList<>(count - 1);
        for (int i = 0; i + 1 < count; i++) {
            if (bounds[i + 1] > bounds[i]) {
                words.add(text.substring(bounds[i], bounds[i + 1]));
            }
        }
        return words;
    }

    private static int[] ensure(int[] array, int length) {
        return length <= array.length ? array : Arrays.copyOf(array, Math.max(length, array.length * 2));
    }

    /** Expressions shared by several pre-tokenizers. */
    private static final class Regex {
        static final String GPT2 = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
        /** Llama 3 and Qwen 2 differ only in how many digits a word may hold ({@code %s}). */
        static final String LLAMA3_LIKE = "'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD]|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|%s"
                + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
        /** CJK ideographs, U+0800 to U+4E00, and Hangul, as DeepSeek's tokenizers group them. */
        static final String CJK = "[\\x{4E00}-\\x{9FA5}\\x{0800}-\\x{4E00}\\x{AC00}-\\x{D7FF}]+";
        /** The cased letters DeepSeek LLM's tokenizer lists explicitly (not all of Unicode's). */
        static final String DEEPSEEK_CASED_LETTERS = "A-Za-z\\x{B5}\\x{C0}-\\x{D6}\\x{D8}-\\x{F6}\\x{F8}-\\x{1BA}\\x{1BC}-\\x{1BF}"
                + "\\x{1C4}-\\x{293}\\x{295}-\\x{2AF}\\x{370}-\\x{373}\\x{376}\\x{377}\\x{37B}-\\x{37D}\\x{37F}\\x{386}\\x{388}-\\x{38A}"
                + "\\x{38C}\\x{38E}-\\x{3A1}\\x{3A3}-\\x{3F5}\\x{3F7}-\\x{481}\\x{48A}-\\x{52F}\\x{531}-\\x{556}\\x{10A0}-\\x{10C5}"
                + "\\x{13A0}-\\x{13F5}\\x{13F8}-\\x{13FD}\\x{1C90}-\\x{1CBA}\\x{1CBD}-\\x{1CBF}\\x{1D00}-\\x{1D2B}\\x{1D6B}-\\x{1D77}"
                + "\\x{1D79}-\\x{1D9A}\\x{1E00}-\\x{1F15}\\x{1F18}-\\x{1F1D}\\x{1F20}-\\x{1F45}\\x{1F48}-\\x{1F4D}\\x{1F50}-\\x{1F57}"
                + "\\x{1F59}\\x{1F5B}\\x{1F5D}\\x{1F5F}-\\x{1F7D}\\x{1F80}-\\x{1FB4}\\x{1FB6}-\\x{1FBC}\\x{1FBE}\\x{1FC2}-\\x{1FC4}"
                + "\\x{1FC6}-\\x{1FCC}\\x{1FD0}-\\x{1FD3}\\x{1FD6}-\\x{1FDB}\\x{1FE0}-\\x{1FEC}\\x{1FF2}-\\x{1FF4}\\x{1FF6}-\\x{1FFC}"
                + "\\x{2102}\\x{2107}\\x{210A}-\\x{2113}\\x{2115}\\x{2119}-\\x{211D}\\x{2124}\\x{2126}\\x{2128}\\x{212A}-\\x{212D}"
                + "\\x{212F}-\\x{2134}\\x{2139}\\x{213C}-\\x{213F}\\x{2145}-\\x{2149}\\x{214E}\\x{2183}\\x{2184}\\x{2C00}-\\x{2C7B}"
                + "\\x{2C7E}-\\x{2CE4}\\x{2CEB}-\\x{2CEE}\\x{2CF2}\\x{2CF3}\\x{A640}-\\x{A66D}\\x{A680}-\\x{A69B}\\x{A722}-\\x{A76F}"
                + "\\x{A771}-\\x{A787}\\x{A78B}-\\x{A78E}\\x{AB70}-\\x{ABBF}\\x{FB00}-\\x{FB06}\\x{FB13}-\\x{FB17}\\x{FF21}-\\x{FF3A}"
                + "\\x{FF41}-\\x{FF5A}\\x{10400}-\\x{1044F}\\x{104B0}-\\x{104D3}\\x{104D8}-\\x{104FB}\\x{10C80}-\\x{10CB2}"
                + "\\x{10CC0}-\\x{10CF2}\\x{118A0}-\\x{118DF}\\x{1E900}-\\x{1E943}";
    }
}
