package dev.jollama.engine.kvcache;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * A tile's attention over a cache against attention computed query by query in doubles: seven queries (four through
 * the four-query kernels, three one by one) with their own ranges (a causal end each, a window's first position, one
 * range inside a single block), some with a sink, soft-capped or not, over a cache of three blocks and a part, on
 * the second key head. The reference reads the keys and values as the cache type rounds them.
 */
class QueryTileTest {
    private static final int HEAD = 64;
    private static final int KV_DIM = 2 * HEAD;
    private static final int POSITIONS = 3 * KvCache.BLOCK_SIZE + 21;

    @ParameterizedTest
    @EnumSource(KvCacheType.class)
    void tileAttentionMatchesAttentionQueryByQuery(KvCacheType type) {
        Random random = new Random(41);
        KvCache cache = new KvCache(type, 1, KV_DIM, KvCache.blocksFor(POSITIONS));
        BlockTable table = cache.newTable(POSITIONS);
        float[][] keys = new float[POSITIONS][], values = new float[POSITIONS][];
        table.prepareAppend(POSITIONS);
        for (int p = 0; p < POSITIONS; p++) {
            keys[p] = gaussians(KV_DIM, random);
            values[p] = gaussians(KV_DIM, random);
            table.write(0, p, keys[p], 0, values[p], 0);
        }
        table.commit(new int[POSITIONS], 0, POSITIONS);
        int[][] ranges = {{0, POSITIONS}, {0, POSITIONS - 1}, {0, 200}, {40, 201}, {130, 150}, {0, 1}, {100, POSITIONS}};
        float[] sinks = {Float.NEGATIVE_INFINITY, 0.5f, Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY, 2f,
                Float.NEGATIVE_INFINITY, -1f};
        float scale = 0.125f;
        for (float logitCap : new float[]{0f, 2f}) {
            QueryTile tile = new QueryTile(HEAD, ranges.length);
            float[][] queries = new float[ranges.length][];
            for (int m = 0; m < ranges.length; m++) {
                queries[m] = gaussians(HEAD + 3, random);
                tile.add(queries[m], 3, scale, ranges[m][0], ranges[m][1], sinks[m]);
            }
            table.attend(0, HEAD, tile, logitCap);
            for (int m = 0; m < ranges.length; m++) {
                float[] actual = new float[HEAD];
                tile.output(m, actual, 0);
                double[] expected = reference(type, queries[m], scale, keys, values, ranges[m], sinks[m], logitCap);
                for (int i = 0; i < HEAD; i++) {
                    assertThat((double) actual[i]).as("%s, cap %s, query %d, value %d", type, logitCap, m, i)
                            .isCloseTo(expected[i], within(1e-5));
                }
            }
        }
    }

    private static double[] reference(KvCacheType type, float[] query, float scale, float[][] keys, float[][] values,
                                      int[] range, float sink, float logitCap) {
        int from = range[0], to = range[1];
        double[] scores = new double[to - from];
        double max = sink;
        for (int p = from; p < to; p++) {
            double s = 0;
            for (int d = 0; d < HEAD; d++) {
                s += query[3 + d] * scale * stored(type, keys[p], HEAD + d);
            }
            scores[p - from] = logitCap > 0 ? logitCap * Math.tanh(s / logitCap) : s;
            max = Math.max(max, scores[p - from]);
        }
        double sum = Math.exp(sink - max);
        for (int i = 0; i < scores.length; i++) {
            scores[i] = Math.exp(scores[i] - max);
            sum += scores[i];
        }
        double[] out = new double[HEAD];
        for (int p = from; p < to; p++) {
            for (int i = 0; i < HEAD; i++) {
                out[i] += scores[p - from] / sum * stored(type, values[p], HEAD + i);
            }
        }
        return out;
    }

    /** A value as the cache type keeps it: exact, rounded to a half, or on its q8_0 block's grid of 255 steps. */
    private static double stored(KvCacheType type, float[] row, int i) {
        return switch (type) {
            case F32 -> row[i];
            case F16 -> Float.float16ToFloat(Float.floatToFloat16(row[i]));
            case Q8_0 -> {
                int block = i / 32 * 32;
                float max = 0;
                for (int j = block; j < block + 32; j++) {
                    max = Math.max(max, Math.abs(row[j]));
                }
                float d = Float.float16ToFloat(Float.floatToFloat16(max / 127f));
                yield Math.round(row[i] / (max / 127f)) * d;
            }
        };
    }

    private static float[] gaussians(int n, Random random) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }
}
