package dev.jollama.engine.kvcache;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The KV cache's blocks and prefix index: sequences with a common prefix share its full blocks and copy the
 * matching part of the next, a write into a shared block copies it first, and blocks nobody holds are evicted least
 * recently used first. Each position's key and value are made from its token, so what a table reads back says which
 * token's keys and values it holds.
 */
class KvCacheTest {
    private static final int B = KvCache.BLOCK_SIZE;
    private static final int LAYERS = 2;
    private static final int KV_DIM = 32;

    /** Appends the tokens to the table, one pass of all of them, with keys and values made from each token. */
    private static void feed(BlockTable table, int... tokens) {
        table.prepareAppend(tokens.length);
        for (int t = 0; t < tokens.length; t++) {
            float[] kv = keyValue(tokens[t]);
            for (int layer = 0; layer < LAYERS; layer++) {
                table.write(layer, table.length() + t, kv, 0, kv, 0);
            }
        }
        table.commit(tokens, 0, tokens.length);
    }

    /**
     * A key and value that identify the token and that every cache type stores exactly: small whole numbers, the
     * largest 127, so that a q8_0 block's scale is 1.
     */
    private static float[] keyValue(int token) {
        float[] v = new float[KV_DIM];
        v[0] = 127;
        for (int i = 1; i < KV_DIM; i++) {
            v[i] = (token * 7 + i * 13) % 64 - 32;
        }
        return v;
    }

    /** The value cached at a position of a layer, read back through attention over that one position. */
    private static float[] valueAt(BlockTable table, int layer, int position) {
        QueryTile tile = new QueryTile(KV_DIM, 1);
        tile.add(new float[KV_DIM], 0, 1f, position, position + 1, Float.NEGATIVE_INFINITY);
        table.attend(layer, 0, tile, 0f);
        float[] out = new float[KV_DIM];
        tile.output(0, out, 0);
        return out;
    }

    private static int[] tokens(int from, int count) {
        return IntStream.range(from, from + count).toArray();
    }

    private static void assertHolds(BlockTable table, int[] tokens) {
        assertThat(table.length()).isEqualTo(tokens.length);
        for (int p = 0; p < tokens.length; p++) {
            assertThat(table.token(p)).as("token at %d", p).isEqualTo(tokens[p]);
            for (int layer = 0; layer < LAYERS; layer++) {
                assertThat(valueAt(table, layer, p)).as("value at %d, layer %d", p, layer).containsExactly(keyValue(tokens[p]));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(KvCacheType.class)
    void aLaterSequenceSharesTheFullBlocksAndCopiesThePartOfTheNextThatMatches(KvCacheType type) {
        KvCache cache = new KvCache(type, LAYERS, KV_DIM, 64);
        int[] prompt = tokens(1000, 2 * B + 30);
        BlockTable first = cache.newTable(4 * B);
        feed(first, prompt);
        feed(first, 7, 8, 9); // generated after the prompt
        first.close();
        int inUse = cache.blocksInUse();

        BlockTable second = cache.newTable(4 * B);
        assertThat(second.adoptPrefix(prompt, prompt.length - 1)).isEqualTo(prompt.length - 1);
        assertHolds(second, java.util.Arrays.copyOf(prompt, prompt.length - 1));
        assertThat(cache.blocksInUse()).as("two blocks shared, one copied").isEqualTo(inUse + 1);

        // A third sequence diverging inside the second block shares only the first.
        int[] other = prompt.clone();
        other[B + 5] = 4;
        BlockTable third = cache.newTable(4 * B);
        assertThat(third.adoptPrefix(other, other.length)).isEqualTo(B + 5);
        assertHolds(third, java.util.Arrays.copyOf(other, B + 5));
    }

    @Test
    void writingIntoASharedBlockCopiesItFirst() {
        KvCache cache = new KvCache(KvCacheType.F32, LAYERS, KV_DIM, 64);
        int[] prompt = tokens(1, 2 * B);
        BlockTable first = cache.newTable(4 * B);
        feed(first, prompt);
        BlockTable second = cache.newTable(4 * B);
        assertThat(second.adoptPrefix(prompt, prompt.length)).isEqualTo(2 * B);

        second.truncate(B + 10);
        feed(second, 900, 901);

        assertHolds(first, prompt);
        int[] expected = java.util.Arrays.copyOf(prompt, B + 12);
        expected[B + 10] = 900;
        expected[B + 11] = 901;
        assertHolds(second, expected);
    }

    @Test
    void unheldBlocksAreEvictedLeastRecentlyReleasedFirstAndAPrefixsFirstBlocksLast() {
        KvCache cache = new KvCache(KvCacheType.F16, LAYERS, KV_DIM, 4);
        int[] a = tokens(100, 2 * B);
        BlockTable first = cache.newTable(4 * B);
        feed(first, a);
        first.close();
        int[] b = tokens(300, 2 * B);
        BlockTable second = cache.newTable(4 * B);
        feed(second, b);
        second.close();
        assertThat(cache.evictions()).isZero();

        // One more block evicts a's second block (released before b's, and after a's first).
        BlockTable third = cache.newTable(4 * B);
        feed(third, 5);
        assertThat(cache.evictions()).isEqualTo(1);
        BlockTable again = cache.newTable(4 * B);
        assertThat(again.adoptPrefix(a, a.length)).as("a's first block is still cached").isEqualTo(B);
        BlockTable bAgain = cache.newTable(4 * B);
        assertThat(bAgain.adoptPrefix(b, b.length)).as("b is whole").isEqualTo(2 * B);
    }

    @Test
    void aCacheWhoseBlocksAreAllHeldSaysSo() {
        KvCache cache = new KvCache(KvCacheType.F16, LAYERS, KV_DIM, 2);
        BlockTable table = cache.newTable(4 * B);
        feed(table, tokens(0, 2 * B));
        assertThatThrownBy(() -> feed(table, 1)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("the KV cache is full");
        assertHolds(table, tokens(0, 2 * B));
    }

    @Test
    void anF16CacheTakesHalfTheBytesPerTokenOfAnF32OneAndQ8_0LittleMoreThanAQuarter() {
        long f32 = new KvCache(KvCacheType.F32, 22, 256, 1).bytesPerToken();
        long f16 = new KvCache(KvCacheType.F16, 22, 256, 1).bytesPerToken();
        long q8 = new KvCache(KvCacheType.Q8_0, 22, 256, 1).bytesPerToken();
        System.out.printf("KV cache bytes per token (22 layers, 256 key/value dims): f32 %d, f16 %d, q8_0 %d%n", f32, f16, q8);
        assertThat(f32).isEqualTo(2L * 22 * 256 * 4);
        assertThat(f16 * 2).isEqualTo(f32);
        assertThat(q8).isEqualTo(2L * 22 * (256 + 8 * 4)); // a float scale per 32 bytes
    }
}
