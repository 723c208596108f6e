package dev.jollama.engine.sampling;

/** Builds {@link SamplingOptions} for tests, starting from plain softmax sampling: no filter, no penalty, a fixed seed. */
final class TestOptions {
    private float temperature = 1f;
    private int topK = 0;
    private float topP = 1f;
    private float minP = 0f;
    private float typicalP = 1f;
    private float repeatPenalty = 1f;
    private int repeatLastN = 64;
    private float presencePenalty = 0f;
    private float frequencyPenalty = 0f;
    private long seed = 42;

    static TestOptions unfiltered() {
        return new TestOptions();
    }

    TestOptions temperature(float value) {
        temperature = value;
        return this;
    }

    TestOptions topK(int value) {
        topK = value;
        return this;
    }

    TestOptions topP(float value) {
        topP = value;
        return this;
    }

    TestOptions minP(float value) {
        minP = value;
        return this;
    }

    TestOptions typicalP(float value) {
        typicalP = value;
        return this;
    }

    TestOptions repeatPenalty(float value) {
        repeatPenalty = value;
        return this;
    }

    TestOptions repeatLastN(int value) {
        repeatLastN = value;
        return this;
    }

    TestOptions presencePenalty(float value) {
        presencePenalty = value;
        return this;
    }

    TestOptions frequencyPenalty(float value) {
        frequencyPenalty = value;
        return this;
    }

    TestOptions seed(long value) {
        seed = value;
        return this;
    }

    SamplingOptions build() {
        return new SamplingOptions(temperature, topK, topP, minP, typicalP, repeatPenalty, repeatLastN,
                presencePenalty, frequencyPenalty, seed);
    }

    /** Logits whose softmax is the given distribution. */
    static float[] logitsOf(double... probabilities) {
        float[] logits = new float[probabilities.length];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) Math.log(probabilities[i]);
        }
        return logits;
    }
}
