package dev.jollama.engine.tokenizer;

import dev.jollama.engine.gguf.GgufFile;
import dev.jollama.engine.gguf.GgufFormatException;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * Byte-level BPE ({@code tokenizer.ggml.model = "gpt2"}) as llama.cpp runs it: the {@link PreTokenizer} cuts the
 * text into words; each word's UTF-8 bytes start as one token each (spelled with {@link GptByteMap}), and the
 * adjacent pair with the lowest merge rank is merged until no pair has a merge (ties: leftmost).
 */
final class BpeTokenizer extends AbstractTokenizer {
    /** Marks a symbol merged into its left neighbour; -1 marks a byte the vocabulary has no token for. */
    private static final int MERGED_AWAY = -2;

    private final PreTokenizer preTokenizer;
    private final MergeTable merges;
    /** The token spelling each single byte, -1 where the vocabulary has none. */
    private final int[] byteTokens = new int[256];

    private BpeTokenizer(Vocabulary vocabulary, PreTokenizer preTokenizer, MergeTable merges) {
        super(vocabulary);
        this.preTokenizer = preTokenizer;
        this.merges = merges;
        for (int b = 0; b < 256; b++) {
            byteTokens[b] = vocabulary.id(String.valueOf(GptByteMap.charOf(b)));
        }
    }

    static BpeTokenizer read(GgufFile file) {
        PreTokenizer preTokenizer = PreTokenizer.forName(file.getString("tokenizer.ggml.pre", null));
        Vocabulary vocabulary = Vocabulary.read(file, new Vocabulary.Defaults(-1, -1, -1, -1, preTokenizer.addsBos(), false));
        String[] merges = file.getArray("tokenizer.ggml.merges", String[].class);
        if (merges == null) {
            throw new GgufFormatException(file.path(), "metadata 'tokenizer.ggml.merges' is missing: a gpt2 tokenizer needs its merges");
        }
        return new BpeTokenizer(vocabulary, preTokenizer, MergeTable.build(file.path(), vocabulary, merges));
    }

    @Override
    boolean addsSpacePrefix() {
        return false;
    }

    @Override
    void encodeText(String text, boolean startsSegment, IntStream.Builder out) {
        for (String word : preTokenizer.split(text)) {
            encodeWord(word.getBytes(StandardCharsets.UTF_8), out);
        }
    }

    private void encodeWord(byte[] bytes, IntStream.Builder out) {
        if (preTokenizer.ignoresMerges()) {
            int whole = vocabulary.id(GptByteMap.spell(bytes));
            if (whole >= 0) {
                out.add(whole);
                return;
            }
        }
        int n = bytes.length;
        int[] tokens = new int[n];
        int[] prev = new int[n];
        int[] next = new int[n];
        for (int i = 0; i < n; i++) {
            tokens[i] = byteTokens[bytes[i] & 0xFF];
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }

        LongHeap queue = new LongHeap(n);
        for (int i = 1; i < n; i++) {
            queuePair(tokens, i - 1, i, queue);
        }
        while (!queue.isEmpty()) {
            long entry = queue.poll();
            int left = (int) entry;
            int right = tokens[left] < 0 ? -1 : next[left];
            if (right < 0 || tokens[right] < 0) {
                continue;
            }
            // a stale entry no longer describes the current pair: skip it unless the current pair is the same merge
            long merge = merges.find(tokens[left], tokens[right]);
            if (merge < 0 || (merge >>> 32) != (entry >>> 32)) {
                continue;
            }
            tokens[left] = (int) merge;
            tokens[right] = MERGED_AWAY;
            next[left] = next[right];
            if (next[left] >= 0) {
                prev[next[left]] = left;
                queuePair(tokens, left, next[left], queue);
            }
            if (prev[left] >= 0) {
                queuePair(tokens, prev[left], left, queue);
            }
        }

        for (int i = 0; i >= 0; i = next[i]) {
            if (tokens[i] >= 0) {
                out.add(tokens[i]); // a byte without a token is dropped, as llama.cpp does
            }
        }
    }

    /** Queues the pair if it has a merge, keyed so that the lowest rank, then the leftmost, comes first. */
    private void queuePair(int[] tokens, int left, int right, LongHeap queue) {
        if (tokens[left] < 0 || tokens[right] < 0) {
            return;
        }
        long merge = merges.find(tokens[left], tokens[right]);
        if (merge >= 0) {
            queue.add(merge & 0xFFFFFFFF00000000L | left);
        }
    }

    @Override
    byte[] normalTokenBytes(int token) {
        String text = vocabulary.text(token);
        byte[] bytes = new byte[text.length()];
        int length = 0;
        for (int i = 0; i < text.length(); ) {
            char c = text.charAt(i);
            if (GptByteMap.isByteChar(c)) {
                bytes[length++] = GptByteMap.byteOf(c);
                i++;
            } else {
                // not a byte spelling: keep the character itself
                int codePoint = text.codePointAt(i);
                byte[] utf8 = new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8);
                bytes = Arrays.copyOf(bytes, bytes.length + utf8.length);
                System.arraycopy(utf8, 0, bytes, length, utf8.length);
                length += utf8.length;
                i += Character.charCount(codePoint);
            }
        }
        return length == bytes.length ? bytes : Arrays.copyOf(bytes, length);
    }
}
