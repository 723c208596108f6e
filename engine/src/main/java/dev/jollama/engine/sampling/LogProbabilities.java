package dev.jollama.engine.sampling;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Log-probabilities for the {@code logprobs} response field: the log-softmax of the <em>raw</em>
 * logits, before penalties, temperature or any filter, as Ollama reports them.
 *
 * <p>Keeps the top alternatives in a small reusable heap, so a call reads the logits twice and
 * allocates only its result. One instance per generation; not thread-safe.
 */
public final class LogProbabilities {
    /** Ollama rejects {@code top_logprobs} above 20. */
    public static final int MAX_ALTERNATIVES = 20;

    /** A min-heap (worst alternative at the root) of the best tokens seen so far. */
    private final int[] heapTokens = new int[MAX_ALTERNATIVES];
    private final float[] heapLogits = new float[MAX_ALTERNATIVES];
    private int heapSize;

    /**
     * @param token        the sampled token
     * @param alternatives how many of the most likely tokens to list, 0 to {@value #MAX_ALTERNATIVES}
     */
    public Logprob compute(float[] logits, int token, int alternatives) {
        Objects.checkIndex(token, logits.length);
        if (alternatives < 0 || alternatives > MAX_ALTERNATIVES) {
            throw new IllegalArgumentException(
                    "alternatives must be between 0 and " + MAX_ALTERNATIVES + ", got " + alternatives);
        }
        double logNormaliser = logSumExp(logits);
        TokenLogprob chosen = new TokenLogprob(token, logits[token] - logNormaliser);
        return new Logprob(chosen, top(logits, Math.min(alternatives, logits.length), logNormaliser));
    }

    /** log(sum(exp(logits))), shifted by the maximum so that no exponent overflows. */
    private static double logSumExp(float[] logits) {
        float max = Float.NEGATIVE_INFINITY;
        for (float logit : logits) {
            max = Math.max(max, logit);
        }
        double sum = 0;
        for (float logit : logits) {
            sum += Math.exp((double) logit - max); // in double: a float difference would cost 1e-7 of accuracy
        }
        return max + Math.log(sum);
    }

    private List<TokenLogprob> top(float[] logits, int n, double logNormaliser) {
        heapSize = 0;
        for (int token = 0; token < logits.length; token++) {
            if (heapSize < n) {
                heapTokens[heapSize] = token;
                heapLogits[heapSize] = logits[token];
                siftUp(heapSize++);
            } else if (n > 0 && logits[token] > heapLogits[0]) {
                // Strictly greater: on ties the earlier (lower) token id stays.
                heapTokens[0] = token;
                heapLogits[0] = logits[token];
                siftDown(0);
            }
        }
        List<TokenLogprob> best = new ArrayList<>(heapSize);
        while (heapSize > 0) {
            best.add(new TokenLogprob(heapTokens[0], heapLogits[0] - logNormaliser));
            heapSize--;
            heapTokens[0] = heapTokens[heapSize];
            heapLogits[0] = heapLogits[heapSize];
            siftDown(0);
        }
        return best.reversed();
    }

    /** Heap order: a lower logit is worse, and on equal logits the higher token id is worse. */
    private boolean worse(int a, int b) {
        return heapLogits[a] < heapLogits[b] || (heapLogits[a] == heapLogits[b] && heapTokens[a] > heapTokens[b]);
    }

    private void siftUp(int i) {
        while (i > 0) {
            int parent = (i - 1) / 2;
            if (!worse(i, parent)) {
                return;
            }
            swap(i, parent);
            i = parent;
        }
    }

    private void siftDown(int i) {
        while (true) {
            int child = 2 * i + 1;
            if (child >= heapSize) {
                return;
            }
            if (child + 1 < heapSize && worse(child + 1, child)) {
                child++;
            }
            if (!worse(child, i)) {
                return;
            }
            swap(i, child);
            i = child;
        }
    }

    private void swap(int a, int b) {
        int token = heapTokens[a];
        heapTokens[a] = heapTokens[b];
        heapTokens[b] = token;
        float logit = heapLogits[a];
        heapLogits[a] = heapLogits[b];
        heapLogits[b] = logit;
    }
}
