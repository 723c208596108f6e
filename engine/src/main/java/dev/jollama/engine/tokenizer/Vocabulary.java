package dev.jollama.engine.tokenizer;

import dev.jollama.engine.gguf.GgufFile;
import dev.jollama.engine.gguf.GgufFormatException;
import dev.jollama.engine.gguf.GgufTensorInfo;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * The tokens of a GGUF vocabulary with their scores, types and special roles, read the way llama.cpp reads them,
 * and the first step of every encoding: cutting special tokens out of the text.
 */
final class Vocabulary {
    private static final System.Logger LOG = System.getLogger(Vocabulary.class.getName());

    /**
     * Texts of tokens that end generation wherever they exist. Converters often leave these unmarked, so llama.cpp
     * recognises them by text and treats them as control tokens; so do we.
     */
    private static final Set<String> END_OF_GENERATION_TEXTS = Set.of(
            "<|eot_id|>", "<|eom_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|end_of_text|>",
            "</s>", "<EOT>", "_<EOT>", "<end_of_utterance>", "<｜end▁of▁sentence｜>", "<|return|>", "<|call|>",
            // fill-in-the-middle padding and repository/file separators: a code model emitting them is done
            "<|fim_pad|>", "<fim_pad>", "<fim-pad>", "<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<reponame>", "<|file_sep|>");

    /**
     * What a tokenizer family assumes when the file does not say: BOS, EOS, unknown and separator ids (-1 for none),
     * whether to add BOS and the separator.
     */
    record Defaults(int bos, int eos, int unknown, int separator, boolean addBos, boolean addSeparator) {
    }

    /** A piece of the input: a special token ({@code token >= 0}) or the text between {@code start} and {@code end}. */
    record Fragment(int token, int start, int end) {
        boolean isText() {
            return token < 0;
        }
    }

    private final String[] texts;
    private final float[] scores;
    private final TokenType[] types;
    private final Map<String, Integer> ids;
    private final int bos;
    private final int eos;
    private final int unknown;
    private final int separator;
    private final boolean addBos;
    private final boolean addEos;
    private final boolean addSeparator;
    private final BitSet endOfGeneration;
    /** Special tokens that swallow the whitespace after them when they are cut out of a text (Phi-3's). */
    private final BitSet stripsFollowingWhitespace;
    /** Control, user-defined and unknown tokens, longest text first: the order in which they are cut out. */
    private final int[] specialTokens;

    private Vocabulary(String[] texts, float[] scores, TokenType[] types, Map<String, Integer> ids, int bos, int eos,
                       int unknown, int separator, boolean addBos, boolean addEos, boolean addSeparator,
                       BitSet endOfGeneration, BitSet stripsFollowingWhitespace, int[] specialTokens) {
        this.texts = texts;
        this.scores = scores;
        this.types = types;
        this.ids = ids;
        this.bos = bos;
        this.eos = eos;
        this.unknown = unknown;
        this.separator = separator;
        this.addBos = addBos;
        this.addEos = addEos;
        this.addSeparator = addSeparator;
        this.endOfGeneration = endOfGeneration;
        this.stripsFollowingWhitespace = stripsFollowingWhitespace;
        this.specialTokens = specialTokens;
    }

    static Vocabulary read(GgufFile file, Defaults defaults) {
        Path path = file.path();
        String[] stored = file.getArray("tokenizer.ggml.tokens", String[].class);
        if (stored == null || stored.length == 0) {
            throw new GgufFormatException(path, "metadata 'tokenizer.ggml.tokens' is " + (stored == null ? "missing" : "empty")
                    + ": the file has no vocabulary");
        }
        int n = usableTokens(file, stored.length);
        String[] texts = Arrays.copyOf(stored, n);
        float[] scores = Arrays.copyOf(readScores(file, stored.length), n);
        TokenType[] types = Arrays.copyOf(readTypes(file, stored.length), n);

        Map<String, Integer> ids = HashMap.newHashMap(n);
        for (int id = 0; id < n; id++) {
            if (texts[id].isEmpty()) {
                texts[id] = "[EMPTY_" + id + "]"; // as llama.cpp names them, so that lookups stay unambiguous
            }
            Integer previous = ids.putIfAbsent(texts[id], id);
            if (previous != null) {
                throw new GgufFormatException(path, "the vocabulary holds '" + texts[id] + "' twice, as tokens " + previous + " and " + id);
            }
        }

        int bos = specialId(file, "tokenizer.ggml.bos_token_id", defaults.bos(), n);
        int eos = specialId(file, "tokenizer.ggml.eos_token_id", defaults.eos(), n);
        int unknown = specialId(file, "tokenizer.ggml.unknown_token_id", defaults.unknown(), n);
        // the key's spelling is the one GGUF writers use
        int separator = specialId(file, "tokenizer.ggml.seperator_token_id", defaults.separator(), n);
        boolean addBos = file.getBoolean("tokenizer.ggml.add_bos_token", defaults.addBos());
        boolean addEos = file.getBoolean("tokenizer.ggml.add_eos_token", false);
        boolean addSeparator = file.getBoolean("tokenizer.ggml.add_sep_token", defaults.addSeparator());
        if (addBos && bos < 0) {
            throw new GgufFormatException(path, "tokenizer.ggml.add_bos_token is true but the vocabulary has no BOS token");
        }
        if (addEos && eos < 0) {
            throw new GgufFormatException(path, "tokenizer.ggml.add_eos_token is true but the vocabulary has no EOS token");
        }
        if (addSeparator && separator < 0) {
            throw new GgufFormatException(path, "tokenizer.ggml.add_sep_token is true but the vocabulary has no separator token");
        }

        BitSet endOfGeneration = endOfGeneration(file, ids, types, eos);
        int[] specialTokens = specialTokensLongestFirst(texts, types);
        BitSet stripsFollowingWhitespace = stripsFollowingWhitespace(file, ids, specialTokens);
        return new Vocabulary(texts, scores, types, ids, bos, eos, unknown, separator, addBos, addEos, addSeparator,
                endOfGeneration, stripsFollowingWhitespace, specialTokens);
    }

    /** EOS, the EOT/EOM tokens the file names, and tokens known by text, which also become control tokens. */
    private static BitSet endOfGeneration(GgufFile file, Map<String, Integer> ids, TokenType[] types, int eos) {
        int n = types.length;
        BitSet endOfGeneration = new BitSet(n);
        for (int id : new int[] {eos, specialId(file, "tokenizer.ggml.eot_token_id", -1, n), specialId(file, "tokenizer.ggml.eom_token_id", -1, n)}) {
            if (id >= 0) {
                endOfGeneration.set(id);
            }
        }
        for (String text : END_OF_GENERATION_TEXTS) {
            Integer id = ids.get(text);
            if (id != null) {
                endOfGeneration.set(id);
                types[id] = TokenType.CONTROL;
            }
        }
        // Harmony (gpt-oss): a message ends with <|end|> and the model goes on to the next one; the reply ends with
        // <|return|> or, calling a tool, <|call|>. The reference drops <|end|> from the set when both exist.
        if (ids.containsKey("<|return|>") && ids.containsKey("<|call|>") && ids.containsKey("<|end|>")) {
            endOfGeneration.clear(ids.get("<|end|>"));
        }
        return endOfGeneration;
    }

    /** Control, user-defined and unknown tokens by descending UTF-8 length (then id, for a stable order). */
    private static int[] specialTokensLongestFirst(String[] texts, TokenType[] types) {
        return IntStream.range(0, texts.length)
                .filter(id -> types[id] == TokenType.CONTROL || types[id] == TokenType.USER_DEFINED || types[id] == TokenType.UNKNOWN)
                .boxed()
                .sorted(Comparator.comparingInt((Integer id) -> -utf8Length(texts[id])).thenComparingInt(id -> id))
                .mapToInt(Integer::intValue)
                .toArray();
    }

    /**
     * Phi-3's added tokens strip the whitespace to their right (rstrip in its tokenizer.json), except three. GGUF
     * does not record this, so llama.cpp recognises Phi-3 by its name; so do we.
     */
    private static BitSet stripsFollowingWhitespace(GgufFile file, Map<String, Integer> ids, int[] specialTokens) {
        BitSet strips = new BitSet();
        String name = file.getString("general.name", "").toLowerCase(Locale.ROOT);
        if (name.contains("phi-3") || name.contains("phi3")) {
            for (int id : specialTokens) {
                strips.set(id);
            }
            for (String text : List.of("<unk>", "<s>", "<|endoftext|>")) {
                Integer id = ids.get(text);
                if (id != null) {
                    strips.clear(id);
                }
            }
        }
        return strips;
    }

    /**
     * Tokens the model has embeddings for: all, except in Ollama's single-file Gemma 3 (text and vision tensors),
     * whose vocabulary keeps a token past the embedding's rows ({@code <image_soft_token>}); Ollama ends the
     * vocabulary at the rows, and so does this.
     */
    private static int usableTokens(GgufFile file, int stored) {
        GgufTensorInfo embedding = file.tensor("token_embd.weight");
        if (file.tensor("v.patch_embedding.weight") == null || embedding == null || embedding.shape().length != 2) {
            return stored;
        }
        return (int) Math.min(stored, embedding.shape()[1]);
    }

    private static float[] readScores(GgufFile file, int n) {
        String key = "tokenizer.ggml.scores";
        Object value = file.metadata().get(key);
        float[] scores;
        if (value == null) {
            return new float[n];
        } else if (value instanceof int[] integers) {
            scores = new float[integers.length];
            for (int i = 0; i < integers.length; i++) {
                scores[i] = integers[i];
            }
        } else {
            scores = file.getArray(key, float[].class);
        }
        requireLength(file, key, scores.length, n);
        return scores;
    }

    private static TokenType[] readTypes(GgufFile file, int n) {
        String key = "tokenizer.ggml.token_type";
        int[] typeIds = file.getArray(key, int[].class);
        TokenType[] types = new TokenType[n];
        if (typeIds == null) {
            Arrays.fill(types, TokenType.NORMAL);
            return types;
        }
        requireLength(file, key, typeIds.length, n);
        for (int i = 0; i < n; i++) {
            types[i] = TokenType.fromId(typeIds[i]);
        }
        return types;
    }

    private static void requireLength(GgufFile file, String key, int length, int tokens) {
        if (length != tokens) {
            throw new GgufFormatException(file.path(), "metadata '" + key + "' has " + length
                    + " entries but 'tokenizer.ggml.tokens' has " + tokens);
        }
    }

    /** A special token id from the metadata; like llama.cpp, an id outside the vocabulary keeps the default. */
    private static int specialId(GgufFile file, String key, int fallback, int n) {
        int usableFallback = fallback < n ? fallback : -1;
        Object value = file.metadata().get(key);
        if (value == null) {
            return usableFallback;
        }
        if (!(value instanceof Integer) && !(value instanceof Long)) {
            throw new GgufFormatException(file.path(), "metadata '" + key + "' is " + value.getClass().getSimpleName() + ", expected an integer");
        }
        long id = ((Number) value).longValue();
        if (id < 0 || id >= n) {
            LOG.log(System.Logger.Level.WARNING, "{0}: {1} = {2} is outside the vocabulary of {3} tokens; using {4}",
                    file.path(), key, id, n, usableFallback);
            return usableFallback;
        }
        return (int) id;
    }

    private static int utf8Length(String s) {
        int bytes = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
        }
        return bytes;
    }

    int size() {
        return texts.length;
    }

    String text(int token) {
        return texts[token];
    }

    float score(int token) {
        return scores[token];
    }

    TokenType type(int token) {
        return types[token];
    }

    /** The token whose text this is, or -1. */
    int id(String text) {
        Integer id = ids.get(text);
        return id == null ? -1 : id;
    }

    int bos() {
        return bos;
    }

    int eos() {
        return eos;
    }

    /** The unknown token, or -1. */
    int unknown() {
        return unknown;
    }

    /** The separator token, or -1. */
    int separator() {
        return separator;
    }

    boolean addBos() {
        return addBos;
    }

    boolean addEos() {
        return addEos;
    }

    boolean addSeparator() {
        return addSeparator;
    }

    boolean isEndOfGeneration(int token) {
        return token >= 0 && endOfGeneration.get(token);
    }

    /**
     * Cuts special tokens out of {@code text}, longest token first as llama.cpp does. User-defined tokens are always
     * cut out (as Hugging Face tokenizers do with added tokens); control and unknown tokens only when
     * {@code parseSpecial}, otherwise their text is tokenized like any other.
     */
    List<Fragment> splitOnSpecialTokens(String text, boolean parseSpecial) {
        List<Fragment> fragments = new ArrayList<>();
        if (text.isEmpty()) {
            return fragments;
        }
        fragments.add(new Fragment(-1, 0, text.length()));
        for (int special : specialTokens) {
            if (parseSpecial || types[special] == TokenType.USER_DEFINED) {
                fragments = cutOut(text, fragments, special);
            }
        }
        return fragments;
    }

    private List<Fragment> cutOut(String text, List<Fragment> fragments, int special) {
        String pattern = texts[special];
        int found = text.indexOf(pattern);
        if (found < 0) {
            return fragments;
        }
        List<Fragment> result = new ArrayList<>(fragments.size() + 2);
        for (Fragment fragment : fragments) {
            if (!fragment.isText()) {
                result.add(fragment);
                continue;
            }
            int start = fragment.start();
            while (true) {
                if (found >= 0 && found < start) {
                    found = text.indexOf(pattern, start);
                }
                if (found < 0 || found + pattern.length() > fragment.end()) {
                    break;
                }
                if (found > start) {
                    result.add(new Fragment(-1, start, found));
                }
                result.add(new Fragment(special, found, found + pattern.length()));
                start = found + pattern.length();
                if (stripsFollowingWhitespace.get(special)) {
                    while (start < fragment.end() && isAsciiSpace(text.charAt(start))) {
                        start++;
                    }
                }
            }
            if (start < fragment.end()) {
                result.add(new Fragment(-1, start, fragment.end()));
            }
        }
        return result;
    }

    private static boolean isAsciiSpace(char c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
    }
}
