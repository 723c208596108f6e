package dev.jollama.engine.sampling;

import java.util.Arrays;

/**
 * The tokens still in the running during one sampling step, held as parallel arrays of token ids and
 * values (logits; scaled by the temperature at the end; probabilities after the draw). Filters shrink
 * the set in place. Entries are sorted only as far as a filter looks: a top-k of 40 over a 150k
 * vocabulary costs one pass plus a sort of 40 entries, and top-p sorts only the entries a histogram
 * of the probability mass says it may need.
 *
 * <p>The arrays are allocated once per generation with room for the whole vocabulary.
 */
final class Candidates {
    /** How many entries typical-p sorts before it knows whether it needs more. */
    private static final int FIRST_SORT_CHUNK = 256;
    /**
     * Top-p histograms weights in buckets 1/8 logit wide, covering 32 logits below the max; anything
     * further (relative weight under 1e-14) shares the last bucket.
     */
    private static final int BUCKETS_PER_LOGIT = 8;
    private static final int BUCKETS = 32 * BUCKETS_PER_LOGIT;

    private final int[] ids;
    private final float[] values;
    /** The token-indexed logits the set was built from; typical-p restores values from it. */
    private float[] logits;
    private int size;
    /** Entries {@code [0, sortedCount)} are in descending order and no smaller than any later entry. */
    private int sortedCount;
    private final double[] bucketWeight = new double[BUCKETS];

    Candidates(int vocabularySize) {
        this.ids = new int[vocabularySize];
        this.values = new float[vocabularySize];
    }

    /** Starts from every token whose logit is above -inf: masked tokens can never be drawn. */
    void reset(float[] tokenLogits) {
        this.logits = tokenLogits;
        int n = 0;
        for (int token = 0; token < tokenLogits.length; token++) {
            float logit = tokenLogits[token];
            if (logit > Float.NEGATIVE_INFINITY) {
                ids[n] = token;
                values[n] = logit;
                n++;
            }
        }
        size = n;
        sortedCount = 0;
    }

    int size() {
        return size;
    }

    int id(int index) {
        return ids[index];
    }

    float value(int index) {
        return values[index];
    }

    /** Keeps the k highest logits. */
    void keepTopK(int k) {
        if (k < size) {
            sortPrefix(k);
            size = k;
        }
    }

    /**
     * Locally typical sampling: ranks tokens by how close their surprise ({@code -log p}) is to the
     * entropy of the distribution and keeps the closest ones until their mass exceeds p. This can drop
     * the most likely token. Must run before the temperature, since it restores values from the logits.
     */
    void keepTypical(float p) {
        float max = maxValue();
        double logSum = Math.log(sumExp(max));
        double entropy = 0;
        for (int i = 0; i < size; i++) {
            double logProbability = values[i] - max - logSum;
            entropy -= Math.exp(logProbability) * logProbability;
        }
        // Rank by negated distance so that "largest first", the order sortPrefix produces, is "most typical first".
        for (int i = 0; i < size; i++) {
            double surprise = logSum - (values[i] - max);
            values[i] = (float) -Math.abs(surprise - entropy);
        }
        sortedCount = 0;
        double cumulative = 0;
        for (int i = 0; i < size; i++) {
            extendSortedPrefix(i);
            cumulative += Math.exp(logits[ids[i]] - max - logSum);
            if (cumulative > p) {
                size = i + 1;
                break;
            }
        }
        for (int i = 0; i < size; i++) {
            values[i] = logits[ids[i]];
        }
        sortedCount = 0;
    }

    /** Nucleus sampling: keeps the most likely tokens up to and including the one whose cumulative probability reaches p. */
    void keepTopP(float p) {
        float max = maxValue();
        double target = p * weighByDistanceFromMax(max);
        if (sortedCount < size) {
            sortFront(bucketsCarrying(target), max);
        }
        double cumulative = 0;
        for (int i = 0; i < size; i++) {
            extendSortedPrefix(i); // only when rounding left the histogram's estimate a few entries short
            cumulative += Math.exp(values[i] - max);
            if (cumulative >= target) {
                size = i + 1;
                break;
            }
        }
        sortedCount = Math.min(sortedCount, size);
    }

    /**
     * Histograms the weights exp(v - max) by how far below the max each value lies, and returns their
     * total. The histogram tells top-p how many entries it must sort without sorting any.
     */
    private double weighByDistanceFromMax(float max) {
        Arrays.fill(bucketWeight, 0);
        double total = 0;
        for (int i = 0; i < size; i++) {
            double weight = Math.exp(values[i] - max);
            int bucket = bucketOf(values[i], max);
            bucketWeight[bucket] += weight;
            total += weight;
        }
        return total;
    }

    /** How many of the buckets closest to the max (at least the max's own) carry the target weight together. */
    private int bucketsCarrying(double target) {
        double weight = 0;
        int buckets = 0;
        do {
            weight += bucketWeight[buckets++];
        } while (buckets < BUCKETS && weight < target);
        return buckets;
    }

    /** Moves the entries of the first {@code buckets} buckets, the largest values, to the front and sorts them. */
    private void sortFront(int buckets, float max) {
        int front = 0;
        for (int i = 0; i < size; i++) {
            if (bucketOf(values[i], max) < buckets) {
                swap(front++, i);
            }
        }
        sortedCount = 0;
        sortPrefix(front);
    }

    /** Larger values never fall in later buckets, so the buckets order the entries coarsely. */
    private static int bucketOf(float value, float max) {
        return Math.min((int) ((max - value) * BUCKETS_PER_LOGIT), BUCKETS - 1);
    }

    /** Keeps the tokens whose probability is at least p times that of the most likely token. */
    void keepMinP(float p) {
        float threshold = maxValue() + (float) Math.log(p);
        int kept = 0;
        for (int i = 0; i < size; i++) {
            if (values[i] >= threshold) {
                ids[kept] = ids[i];
                values[kept] = values[i];
                kept++;
            }
        }
        // Order-preserving compaction that drops only the smallest values keeps the sorted prefix valid.
        size = kept;
        sortedCount = Math.min(sortedCount, kept);
    }

    void divideBy(float temperature) {
        for (int i = 0; i < size; i++) {
            values[i] /= temperature;
        }
    }

    /** The token with the highest value; the first one on ties. */
    int bestToken() {
        int best = 0;
        for (int i = 1; i < size; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return ids[best];
    }

    /**
     * Draws a token with probability softmax(values), given {@code uniform} in [0, 1). Overwrites the
     * values with unnormalised weights.
     */
    int draw(double uniform) {
        double target = uniform * toWeights();
        double cumulative = 0;
        for (int i = 0; i < size; i++) {
            cumulative += values[i];
            // Strictly greater, so a zero-weight token is never chosen.
            if (cumulative > target) {
                return ids[i];
            }
        }
        return lastWeightedToken();
    }

    /** Replaces the values with softmax(values). */
    void toProbabilities() {
        double total = toWeights();
        for (int i = 0; i < size; i++) {
            values[i] = (float) (values[i] / total);
        }
    }

    /** Replaces each value v with exp(v - max) and returns their sum. */
    private double toWeights() {
        float max = maxValue();
        double total = 0;
        for (int i = 0; i < size; i++) {
            float weight = (float) Math.exp(values[i] - max);
            values[i] = weight;
            total += weight;
        }
        return total;
    }

    /** Rounding can leave the target a hair above the last cumulative sum. */
    private int lastWeightedToken() {
        for (int i = size - 1; i > 0; i--) {
            if (values[i] > 0f) {
                return ids[i];
            }
        }
        return ids[0];
    }

    private float maxValue() {
        if (sortedCount > 0) {
            return values[0];
        }
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < size; i++) {
            max = Math.max(max, values[i]);
        }
        return max;
    }

    private double sumExp(float max) {
        double sum = 0;
        for (int i = 0; i < size; i++) {
            sum += Math.exp(values[i] - max);
        }
        return sum;
    }

    /** Before reading entry i, makes sure it is sorted, doubling the sorted prefix when i reaches its end. */
    private void extendSortedPrefix(int i) {
        if (i == sortedCount) {
            sortPrefix(Math.min(size, Math.max(FIRST_SORT_CHUNK, 2 * sortedCount)));
        }
    }

    /**
     * Makes entries {@code [0, count)} the {@code count} largest, in descending order, by selecting the
     * missing ones from the unsorted rest with a min-heap built in place, then heap-sorting them.
     */
    private void sortPrefix(int count) {
        int base = sortedCount;
        int heapSize = count - base;
        if (heapSize <= 0) {
            return;
        }
        for (int i = heapSize / 2 - 1; i >= 0; i--) {
            siftDown(base, heapSize, i);
        }
        for (int j = base + heapSize; j < size; j++) {
            if (values[j] > values[base]) {
                swap(base, j);
                siftDown(base, heapSize, 0);
            }
        }
        // Moving the heap minimum behind the shrinking heap leaves the region in descending order.
        for (int end = heapSize - 1; end > 0; end--) {
            swap(base, base + end);
            siftDown(base, end, 0);
        }
        sortedCount = count;
    }

    /** Restores the min-heap order of {@code values[base, base + length)} below heap position i. */
    private void siftDown(int base, int length, int i) {
        while (true) {
            int child = 2 * i + 1;
            if (child >= length) {
                return;
            }
            if (child + 1 < length && values[base + child + 1] < values[base + child]) {
                child++;
            }
            if (values[base + i] <= values[base + child]) {
                return;
            }
            swap(base + i, base + child);
            i = child;
        }
    }

    private void swap(int a, int b) {
        int id = ids[a];
        ids[a] = ids[b];
        ids[b] = id;
        float value = values[a];
        values[a] = values[b];
        values[b] = value;
    }
}
