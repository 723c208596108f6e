package dev.jollama.engine.kvcache;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The keys and values of a model's sequences, in fixed-size blocks of positions from one pool. A sequence holds a
 * {@link BlockTable}. A prefix index lets a new sequence take over the blocks of any earlier one that began with the
 * same tokens: full blocks are shared read-only, found by the chained hash of the tokens before them; of a last,
 * partly matching block the matching positions are copied. Blocks no sequence holds stay in the index until the
 * pool needs them, least recently used first.
 *
 * <p>Block bookkeeping is guarded by this object's monitor; the keys and values are written outside it, by the one
 * thread running a forward pass, only at positions no other sequence can see yet.
 */
public final class KvCache {
    /** Positions per block: four vectors of 16 lanes, so attention's scores use the kernels' widest loop. */
    public static final int BLOCK_SIZE = 64;
    private static final long ROOT = 0x9E3779B97F4A7C15L;

    private final CacheStorage storage;
    private final KvCacheType type;
    private final int capacity;
    private final List<Block> blocks = new ArrayList<>();
    private final ArrayDeque<Block> free = new ArrayDeque<>();
    /** Held by no sequence but indexed: reusable until evicted, least recently released first. */
    private final LinkedHashSet<Block> evictable = new LinkedHashSet<>();
    /** The prefix index: by the chained hash of the positions before them, the blocks that continue that prefix. */
    private final Map<Long, List<Block>> children = new HashMap<>();
    private long evictions;

    /**
     * @param capacityBlocks the most blocks the pool holds (storage is allocated as blocks are first used)
     */
    public KvCache(KvCacheType type, int layers, int kvDim, int capacityBlocks) {
        if (capacityBlocks < 1) {
            throw new IllegalArgumentException("a KV cache needs at least one block, not " + capacityBlocks);
        }
        this.type = type;
        this.storage = CacheStorage.of(type, layers, kvDim);
        this.capacity = capacityBlocks;
    }

    /** Blocks needed for {@code positions} positions. */
    public static int blocksFor(long positions) {
        return Math.toIntExact((positions + BLOCK_SIZE - 1) / BLOCK_SIZE);
    }

    public KvCacheType type() {
        return type;
    }

    /** Bytes of keys and values one position takes, over all layers. */
    public long bytesPerToken() {
        return storage.bytesPerPosition();
    }

    /** Bytes the pool takes when every block is in use. */
    public long capacityBytes() {
        return bytesPerToken() * BLOCK_SIZE * capacity;
    }

    /** A new, empty sequence's table of blocks, at most {@code maxLength} positions long. */
    public BlockTable newTable(int maxLength) {
        return new BlockTable(this, maxLength);
    }

    /** Blocks evicted from the index so far to make room. */
    synchronized long evictions() {
        return evictions;
    }

    /** Blocks held by sequences or waiting in the index. */
    synchronized int blocksInUse() {
        return blocks.size() - free.size();
    }

    /**
     * Makes the first {@code table.length()} positions of an empty table the longest run of
     * {@code tokens[0..limit)} whose keys and values are cached: shared full blocks, then a copy of the matching
     * positions of one more block. Returns the positions taken over.
     */
    synchronized int adoptPrefix(BlockTable table, int[] tokens, int limit) {
        long hash = ROOT;
        int position = 0;
        while (position + BLOCK_SIZE <= limit) {
            Block shared = fullMatch(hash, tokens, position);
            if (shared == null) {
                break;
            }
            hold(shared);
            table.add(shared);
            hash = shared.hash;
            position += BLOCK_SIZE;
        }
        Block best = null;
        int bestLength = 0;
        for (Block candidate : children.getOrDefault(hash, List.of())) {
            int n = candidate.matchLength(tokens, position, Math.min(limit - position, candidate.filled));
            if (n > bestLength) {
                best = candidate;
                bestLength = n;
            }
        }
        if (best != null) {
            hold(best); // not evicted to make room for its own copy
            Block copy = allocate();
            copyInto(best, copy, bestLength);
            release(best);
            list(copy, hash);
            table.add(copy);
            position += bestLength;
        }
        table.length = position;
        return position;
    }

    private Block fullMatch(long parentHash, int[] tokens, int position) {
        for (Block candidate : children.getOrDefault(parentHash, List.of())) {
            if (candidate.filled == BLOCK_SIZE && candidate.matchLength(tokens, position, BLOCK_SIZE) == BLOCK_SIZE) {
                return candidate;
            }
        }
        return null;
    }

    /**
     * Makes {@code table}'s positions from its length to length + count writable: a block shared with others is
     * replaced by a copy of the positions the table keeps (copy on write), one it holds alone forgets the positions
     * past the table's length, and new blocks are taken for positions past its last.
     */
    synchronized void prepareAppend(BlockTable table, int count) {
        int length = table.length;
        if (length % BLOCK_SIZE != 0) {
            int index = length / BLOCK_SIZE;
            Block last = table.block(index);
            if (last.refs > 1) {
                Block copy = allocate();
                copyInto(last, copy, length % BLOCK_SIZE);
                list(copy, last.parentHash);
                release(last);
                table.set(index, copy);
            } else {
                last.forgetFrom(length % BLOCK_SIZE);
            }
        }
        int needed = blocksFor(length + count);
        for (int i = table.blockCount(); i < needed; i++) {
            table.add(allocate()); // listed when its first position is committed
        }
    }

    /**
     * Records the tokens of positions {@code table.length()} on, whose keys and values the forward pass has written,
     * lengthens the table by {@code count}, and indexes blocks as their first position arrives and as they fill.
     */
    synchronized void commit(BlockTable table, int[] tokens, int offset, int count) {
        for (int t = 0; t < count; t++) {
            int position = table.length + t;
            Block block = table.block(position / BLOCK_SIZE);
            if (!block.listed) {
                list(block, position < BLOCK_SIZE ? ROOT : table.block(position / BLOCK_SIZE - 1).hash);
            }
            block.tokens[position % BLOCK_SIZE] = tokens[offset + t];
            block.filled = position % BLOCK_SIZE + 1;
            if (block.filled == BLOCK_SIZE) {
                block.hash = chain(block.parentHash, block.tokens);
            }
        }
        table.length += count;
    }

    /** Drops the table's blocks past {@code length} positions (the caller has shortened it). */
    synchronized void truncate(BlockTable table, int length) {
        int keep = blocksFor(length);
        for (int i = table.blockCount() - 1; i >= keep; i--) {
            release(table.removeLast());
        }
    }

    /** Gives back every block of the table; indexed ones wait for reuse, the prefix's first blocks last evicted. */
    synchronized void release(BlockTable table) {
        for (int i = table.blockCount() - 1; i >= 0; i--) {
            release(table.removeLast());
        }
    }

    CacheStorage storage() {
        return storage;
    }

    private void hold(Block block) {
        if (block.refs++ == 0) {
            evictable.remove(block);
        }
    }

    private void release(Block block) {
        if (--block.refs > 0) {
            return;
        }
        if (block.listed && block.filled > 0) {
            evictable.addLast(block);
        } else {
            unlist(block);
            free.add(block);
        }
    }

    private Block allocate() {
        Block block = free.poll();
        if (block == null && blocks.size() < capacity) {
            block = new Block(blocks.size());
            storage.grow(blocks.size() + 1);
            blocks.add(block);
        }
        if (block == null && !evictable.isEmpty()) {
            block = evictable.removeFirst();
            unlist(block);
            evictions++;
        }
        if (block == null) {
            throw new IllegalStateException("the KV cache is full: all " + capacity + " blocks of " + BLOCK_SIZE
                    + " positions are held by running sequences");
        }
        block.refs = 1;
        block.filled = 0;
        return block;
    }

    private void copyInto(Block from, Block to, int positions) {
        storage.copy(from.id, to.id, positions);
        System.arraycopy(from.tokens, 0, to.tokens, 0, positions);
        to.filled = positions;
    }

    private void list(Block block, long parentHash) {
        block.parentHash = parentHash;
        block.listed = true;
        children.computeIfAbsent(parentHash, h -> new ArrayList<>(2)).add(block);
    }

    private void unlist(Block block) {
        if (!block.listed) {
            return;
        }
        block.listed = false;
        List<Block> siblings = children.get(block.parentHash);
        siblings.remove(block);
        if (siblings.isEmpty()) {
            children.remove(block.parentHash);
        }
    }

    /** The hash of a prefix extended by a block's tokens: each token mixed in with a 64-bit finalizer. */
    static long chain(long parentHash, int[] tokens) {
        long h = parentHash;
        for (int token : tokens) {
            h = (h ^ token) * 0xFF51AFD7ED558CCDL;
            h ^= h >>> 33;
        }
        return h;
    }

    /** One block of positions: who holds it, its place in the index, and the tokens of its filled positions. */
    static final class Block {
        final int id;
        final int[] tokens = new int[BLOCK_SIZE];
        int refs;
        int filled;
        boolean listed;
        /** The chained hash of the positions before this block; of the block's own too once it is full. */
        long parentHash;
        long hash;

        Block(int id) {
            this.id = id;
        }

        /** How many of the first {@code limit} positions hold {@code tokens[from..)}. */
        int matchLength(int[] tokens, int from, int limit) {
            int n = Math.min(limit, tokens.length - from);
            int i = 0;
            while (i < n && this.tokens[i] == tokens[from + i]) {
                i++;
            }
            return i;
        }

        /** Positions from {@code slot} on are about to be overwritten. */
        void forgetFrom(int slot) {
            filled = Math.min(filled, slot);
        }
    }
}
