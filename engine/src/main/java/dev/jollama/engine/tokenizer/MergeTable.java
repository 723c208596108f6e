package dev.jollama.engine.tokenizer;

import dev.jollama.engine.gguf.GgufFormatException;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * The merges of a byte-level BPE vocabulary ({@code tokenizer.ggml.merges}, "left right" with the rank its index),
 * keyed by the pair of token ids: an open-addressing table of primitive longs, so lookups neither allocate nor box.
 */
final class MergeTable {
    private static final System.Logger LOG = System.getLogger(MergeTable.class.getName());
    private static final long EMPTY = -1;

    /** (left id << 32 | right id) per slot, EMPTY when free. */
    private final long[] pairs;
    /** (rank << 32 | merged id) per slot. */
    private final long[] merges;
    private final int mask;

    private MergeTable(int capacity) {
        pairs = new long[capacity];
        merges = new long[capacity];
        mask = capacity - 1;
        Arrays.fill(pairs, EMPTY);
    }

    static MergeTable build(Path file, Vocabulary vocabulary, String[] merges) {
        MergeTable table = new MergeTable(Integer.highestOneBit(Math.max(16, merges.length * 2)) * 2);
        int unusable = 0;
        for (int rank = 0; rank < merges.length; rank++) {
            String merge = merges[rank];
            int space = merge.indexOf(' ', 1);
            int left = space < 0 ? -1 : vocabulary.id(merge.substring(0, space));
            int right = space < 0 ? -1 : vocabulary.id(merge.substring(space + 1));
            int merged = space < 0 ? -1 : vocabulary.id(merge.substring(0, space) + merge.substring(space + 1));
            if (left < 0 || right < 0 || merged < 0) {
                unusable++;
                continue;
            }
            table.putIfAbsent(left, right, rank, merged);
        }
        if (unusable == merges.length && merges.length > 0) {
            throw new GgufFormatException(file, "none of the " + merges.length + " merges in 'tokenizer.ggml.merges' joins two tokens into a token");
        }
        if (unusable > 0) {
            LOG.log(System.Logger.Level.WARNING, "{0}: ignoring {1} merges whose parts or result are not tokens", file, unusable);
        }
        return table;
    }

    private void putIfAbsent(int left, int right, int rank, int merged) {
        long pair = (long) left << 32 | right;
        for (int slot = slot(pair); ; slot = (slot + 1) & mask) {
            if (pairs[slot] == pair) {
                return; // the first (lowest-ranked) occurrence wins
            }
            if (pairs[slot] == EMPTY) {
                pairs[slot] = pair;
                merges[slot] = (long) rank << 32 | merged;
                return;
            }
        }
    }

    /** (rank << 32 | merged token) for this pair of tokens, or -1 when they do not merge. */
    long find(int left, int right) {
        long pair = (long) left << 32 | right;
        for (int slot = slot(pair); ; slot = (slot + 1) & mask) {
            long stored = pairs[slot];
            if (stored == pair) {
                return merges[slot];
            }
            if (stored == EMPTY) {
                return -1;
            }
        }
    }

    private int slot(long pair) {
        return (int) ((pair * 0x9E3779B97F4A7C15L) >>> 40) & mask;
    }
}
