package dev.jollama.engine.grammar;

import dev.jollama.engine.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * The bytes of every token that can appear in constrained output, as a trie laid out in preorder, so the tokens a
 * grammar state allows are found in one pass that skips every subtree whose prefix the grammar rejects. End-of-
 * generation tokens are kept aside (they are allowed only when the match is complete); other control tokens and
 * tokens that render as nothing are never allowed. Built once per tokenizer and shared.
 */
public final class TokenTrie {
    private static final Map<Tokenizer, TokenTrie> CACHE = Collections.synchronizedMap(new WeakHashMap<>());

    private final byte[][] tokenBytes;
    private final BitSet endOfGeneration = new BitSet();
    // Preorder nodes: a node's subtree runs from it to end - 1; depth 1 is the first byte of a token. The tokens
    // (sorted by bytes) that end at a node are tokensByNode[firstToken[node] .. firstToken[node + 1] - 1]: a token
    // ends at the last node it adds, and tokens with the same bytes as it add none.
    private final byte[] nodeByte;
    private final int[] nodeDepth;
    private final int[] nodeEnd;
    private final int[] nodeFirstToken;
    private final int[] tokensByNode;
    private final int maxDepth;

    private TokenTrie(Tokenizer tokenizer) {
        int size = tokenizer.vocabularySize();
        tokenBytes = new byte[size][];
        List<Integer> spelled = new ArrayList<>();
        for (int token = 0; token < size; token++) {
            if (tokenizer.isEndOfGeneration(token)) {
                endOfGeneration.set(token);
            } else if (rendersAsItsBytes(tokenizer, token)) {
                tokenBytes[token] = tokenizer.tokenBytes(token);
                spelled.add(token);
            }
        }
        spelled.sort((a, b) -> Arrays.compareUnsigned(tokenBytes[a], tokenBytes[b]));
        tokensByNode = spelled.stream().mapToInt(Integer::intValue).toArray();

        int nodeCapacity = 0;
        for (int token : tokensByNode) {
            nodeCapacity += tokenBytes[token].length;
        }
        byte[] bytes = new byte[nodeCapacity];
        int[] depth = new int[nodeCapacity];
        int[] end = new int[nodeCapacity];
        int[] firstToken = new int[nodeCapacity + 1];
        int[] path = new int[64];
        int nodes = 0;
        int pathLength = 0;
        byte[] previous = new byte[0];
        for (int i = 0; i < tokensByNode.length; i++) {
            byte[] current = tokenBytes[tokensByNode[i]];
            int common = Arrays.mismatch(previous, current);
            common = common < 0 ? current.length : common;
            while (pathLength > common) {
                end[path[--pathLength]] = nodes;
            }
            for (int k = common; k < current.length; k++) {
                if (pathLength == path.length) {
                    path = Arrays.copyOf(path, pathLength * 2);
                }
                bytes[nodes] = current[k];
                depth[nodes] = k + 1;
                firstToken[nodes] = i;
                path[pathLength++] = nodes++;
            }
            previous = current;
        }
        while (pathLength > 0) {
            end[path[--pathLength]] = nodes;
        }
        firstToken[nodes] = tokensByNode.length;
        nodeByte = Arrays.copyOf(bytes, nodes);
        nodeDepth = Arrays.copyOf(depth, nodes);
        nodeEnd = Arrays.copyOf(end, nodes);
        nodeFirstToken = Arrays.copyOf(firstToken, nodes + 1);
        maxDepth = Arrays.stream(nodeDepth).max().orElse(0);
    }

    /** The trie of a tokenizer's vocabulary, built on first use. */
    public static TokenTrie of(Tokenizer tokenizer) {
        return CACHE.computeIfAbsent(tokenizer, TokenTrie::new);
    }

    /**
     * Control, unknown and unused tokens print nothing, although {@link Tokenizer#tokenBytes} spells some of them;
     * the grammar must see exactly the text the client will, so those are left out.
     */
    private static boolean rendersAsItsBytes(Tokenizer tokenizer, int token) {
        return !tokenizer.isControl(token) && tokenizer.tokenBytes(token).length > 0
                && !tokenizer.decode(new int[] {token}).isEmpty();
    }

    /** The number of tokens in the vocabulary. */
    int size() {
        return tokenBytes.length;
    }

    boolean isEndOfGeneration(int token) {
        return endOfGeneration.get(token);
    }

    /** The token's bytes, or null for a token that is never allowed (or is outside the vocabulary). */
    byte[] bytes(int token) {
        return token >= 0 && token < tokenBytes.length ? tokenBytes[token] : null;
    }

    /** Sets the bit of every token whose bytes can follow {@code start}, end-of-generation tokens when it is complete. */
    void collectAllowed(StateSpace space, GrammarState start, BitSet allowed) {
        GrammarState[] atDepth = new GrammarState[maxDepth + 1];
        atDepth[0] = start;
        int node = 0;
        while (node < nodeByte.length) {
            GrammarState state = space.advance(atDepth[nodeDepth[node] - 1], nodeByte[node] & 0xFF);
            if (state.isDead()) {
                node = nodeEnd[node];
                continue;
            }
            atDepth[nodeDepth[node]] = state;
            for (int t = nodeFirstToken[node]; t < nodeFirstToken[node + 1]; t++) {
                allowed.set(tokensByNode[t]);
            }
            node++;
        }
        if (start.complete) {
            allowed.or(endOfGeneration);
        }
    }
}
