package dev.jollama.client;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@code POST /api/create} request: a new model from an existing one ({@code from}) or from uploaded blobs
 * ({@code files}: file name to {@code sha256:<hex>} digest, uploaded first with {@link JollamaClient#uploadBlob}),
 * plus what a Modelfile adds. Null fields are not sent; the client sets {@code stream} by the method called.
 *
 * @param from       a model name, or a GGUF path on the server's machine
 * @param parameters option values by their Ollama names ({@code stop} as a list of strings)
 * @param license    one entry per LICENSE
 * @param quantize   the file type to quantize an F32, F16 or BF16 model to ({@code q4_K_M}, {@code q8_0}, ...)
 */
public record CreateRequest(
        String model,
        String from,
        Map<String, String> files,
        String template,
        String system,
        Map<String, Object> parameters,
        List<Message> messages,
        List<String> license,
        String quantize) {

    public static Builder builder(String model) {
        return new Builder(model);
    }

    public static final class Builder {
        private final String model;
        private String from;
        private final Map<String, String> files = new LinkedHashMap<>();
        private String template;
        private String system;
        private final Map<String, Object> parameters = new LinkedHashMap<>();
        private final List<Message> messages = new ArrayList<>();
        private final List<String> licenses = new ArrayList<>();
        private String quantize;

        private Builder(String model) {
            this.model = model;
        }

        public Builder from(String from) {
            this.from = from;
            return this;
        }

        /** A blob already on the server, under the file name the model is made of (a GGUF's ends in .gguf). */
        public Builder file(String name, String digest) {
            files.put(name, digest);
            return this;
        }

        public Builder template(String template) {
            this.template = template;
            return this;
        }

        public Builder system(String system) {
            this.system = system;
            return this;
        }

        public Builder parameter(String name, Object value) {
            parameters.put(name, value);
            return this;
        }

        public Builder parameters(Map<String, Object> parameters) {
            this.parameters.putAll(parameters);
            return this;
        }

        public Builder message(Message message) {
            messages.add(message);
            return this;
        }

        public Builder messages(List<Message> messages) {
            this.messages.addAll(messages);
            return this;
        }

        public Builder license(String license) {
            licenses.add(license);
            return this;
        }

        public Builder quantize(String quantize) {
            this.quantize = quantize;
            return this;
        }

        public CreateRequest build() {
            return new CreateRequest(model, from, files.isEmpty() ? null : copy(files), template, system,
                    parameters.isEmpty() ? null : copy(parameters), messages.isEmpty() ? null : List.copyOf(messages),
                    licenses.isEmpty() ? null : List.copyOf(licenses), quantize);
        }

        private static <V> Map<String, V> copy(Map<String, V> map) {
            return Collections.unmodifiableMap(new LinkedHashMap<>(map));
        }
    }
}
