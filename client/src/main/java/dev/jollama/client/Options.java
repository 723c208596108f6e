package dev.jollama.client;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code options} request field: sampling and runner parameters, by their Ollama names. Only the options set
 * are sent, so the server's and the model's defaults apply to the rest.
 */
public record Options(@JsonValue Map<String, Object> values) {

    public Options {
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private final Map<String, Object> values = new LinkedHashMap<>();

        private Builder() {
        }

        /** Maximum number of tokens to generate; -1 means no limit. */
        public Builder numPredict(int tokens) {
            return set("num_predict", tokens);
        }

        public Builder temperature(double temperature) {
            return set("temperature", temperature);
        }

        public Builder seed(int seed) {
            return set("seed", seed);
        }

        public Builder topK(int topK) {
            return set("top_k", topK);
        }

        public Builder topP(double topP) {
            return set("top_p", topP);
        }

        public Builder minP(double minP) {
            return set("min_p", minP);
        }

        public Builder typicalP(double typicalP) {
            return set("typical_p", typicalP);
        }

        public Builder repeatPenalty(double penalty) {
            return set("repeat_penalty", penalty);
        }

        public Builder repeatLastN(int tokens) {
            return set("repeat_last_n", tokens);
        }

        public Builder presencePenalty(double penalty) {
            return set("presence_penalty", penalty);
        }

        public Builder frequencyPenalty(double penalty) {
            return set("frequency_penalty", penalty);
        }

        public Builder stop(String... sequences) {
            return set("stop", List.of(sequences));
        }

        /** Context window size in tokens. */
        public Builder numCtx(int tokens) {
            return set("num_ctx", tokens);
        }

        public Builder numKeep(int tokens) {
            return set("num_keep", tokens);
        }

        public Builder numBatch(int tokens) {
            return set("num_batch", tokens);
        }

        public Builder numThread(int threads) {
            return set("num_thread", threads);
        }

        public Builder numGpu(int layers) {
            return set("num_gpu", layers);
        }

        /** Any option by its Ollama name, for those without a method here. */
        public Builder set(String name, Object value) {
            values.put(name, value);
            return this;
        }

        public Options build() {
            return new Options(values);
        }
    }
}
