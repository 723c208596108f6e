package dev.jollama.engine.tokenizer;

import dev.jollama.engine.gguf.GgufFile;

import java.nio.charset.StandardCharsets;
import java.util.stream.IntStream;

/**
 * SentencePiece BPE ({@code tokenizer.ggml.model = "llama"}) as llama.cpp runs it: spaces become U+2581, a space is
 * put before text that starts the input or follows a special token ({@code tokenizer.ggml.add_space_prefix},
 * default true), and starting from one symbol per character the adjacent pair whose concatenation is the
 * highest-scoring token is merged until no pair forms a token (ties: leftmost). A character without a token of
 * its own is written as its UTF-8 bytes with the {@code <0xHH>} byte tokens.
 */
final class SpmTokenizer extends AbstractTokenizer {
    private static final char SPACE_MARK = '\u2581';

    private final boolean addSpacePrefix;
    /** The token for each byte value, for characters that have no token; -1 where the vocabulary has none. */
    private final int[] byteTokens = new int[256];

    private SpmTokenizer(Vocabulary vocabulary, boolean addSpacePrefix) {
        super(vocabulary);
        this.addSpacePrefix = addSpacePrefix;
        for (int b = 0; b < 256; b++) {
            int token = vocabulary.id(String.format("<0x%02X>", b));
            if (token < 0 && b < 0x80) {
                token = vocabulary.id(String.valueOf((char) b));
            }
            byteTokens[b] = token >= 0 ? token : vocabulary.unknown();
        }
    }

    static SpmTokenizer read(GgufFile file) {
        Vocabulary vocabulary = Vocabulary.read(file, new Vocabulary.Defaults(1, 2, 0, -1, true, false));
        return new SpmTokenizer(vocabulary, file.getBoolean("tokenizer.ggml.add_space_prefix", true));
    }

    @Override
    boolean addsSpacePrefix() {
        return addSpacePrefix;
    }

    @Override
    void encodeText(String text, boolean startsSegment, IntStream.Builder out) {
        String escaped = (addSpacePrefix && startsSegment ? " " + text : text).replace(' ', SPACE_MARK);
        int n = escaped.codePointCount(0, escaped.length());
        if (n == 0) {
            return;
        }
        // symbol i covers escaped[start[i], start[i] + length[i]); merged-away symbols have length 0
        int[] start = new int[n];
        int[] length = new int[n];
        int[] prev = new int[n];
        int[] next = new int[n];
        for (int i = 0, offset = 0; i < n; i++) {
            int chars = Character.charCount(escaped.codePointAt(offset));
            start[i] = offset;
            length[i] = chars;
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
            offset += chars;
        }

        LongHeap queue = new LongHeap(n);
        for (int i = 1; i < n; i++) {
            queuePair(escaped, start, length, i - 1, i, queue);
        }
        while (!queue.isEmpty()) {
            long entry = queue.poll();
            int left = (int) entry;
            int right = next[left];
            if (length[left] == 0 || right < 0) {
                continue;
            }
            // a stale entry no longer describes the current pair: skip it unless the current pair is the same merge
            int merged = vocabulary.id(escaped.substring(start[left], start[right] + length[right]));
            if (merged < 0 || scoreKey(merged) != (int) (entry >> 32)) {
                continue;
            }
            length[left] += length[right];
            length[right] = 0;
            next[left] = next[right];
            if (next[left] >= 0) {
                prev[next[left]] = left;
                queuePair(escaped, start, length, left, next[left], queue);
            }
            if (prev[left] >= 0) {
                queuePair(escaped, start, length, prev[left], left, queue);
            }
        }

        for (int i = 0; i >= 0; i = next[i]) {
            String piece = escaped.substring(start[i], start[i] + length[i]);
            int token = vocabulary.id(piece);
            if (token >= 0) {
                out.add(token);
                continue;
            }
            for (byte b : piece.getBytes(StandardCharsets.UTF_8)) {
                int byteToken = byteTokens[b & 0xFF];
                if (byteToken >= 0) {
                    out.add(byteToken);
                }
            }
        }
    }

    /** Queues the pair if together they form a token, keyed so that the highest score, then the leftmost, comes first. */
    private void queuePair(String escaped, int[] start, int[] length, int left, int right, LongHeap queue) {
        int token = vocabulary.id(escaped.substring(start[left], start[right] + length[right]));
        if (token >= 0) {
            queue.add((long) scoreKey(token) << 32 | left);
        }
    }

    /** An int that orders tokens by descending score: the float's bits made monotonic, then inverted. */
    private int scoreKey(int token) {
        int bits = Float.floatToIntBits(vocabulary.score(token));
        return ~(bits ^ ((bits >> 31) & 0x7FFFFFFF));
    }

    @Override
    byte[] normalTokenBytes(int token) {
        return vocabulary.text(token).replace(SPACE_MARK, ' ').getBytes(StandardCharsets.UTF_8);
    }
}
