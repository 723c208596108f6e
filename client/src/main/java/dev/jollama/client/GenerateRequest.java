package dev.jollama.client;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A {@code POST /api/generate} request. Null fields are not sent. The {@code stream} flag is not part of it: the
 * client sets it by the method called.
 *
 * <p>An empty prompt loads the model; an empty prompt with {@link KeepAlive#UNLOAD} unloads it.
 *
 * @param context deprecated token continuation returned by an earlier response
 * @param images  base64-encoded images for vision models
 */
public record GenerateRequest(
        String model,
        String prompt,
        String suffix,
        String system,
        String template,
        List<Integer> context,
        Boolean raw,
        Format format,
        KeepAlive keepAlive,
        List<String> images,
        Options options,
        Think think,
        Boolean truncate,
        Boolean shift,
        Boolean logprobs,
        Integer topLogprobs) {

    public static Builder builder(String model) {
        return new Builder(model);
    }

    public static final class Builder extends CompletionBuilder<Builder> {
        private String prompt;
        private String suffix;
        private String system;
        private String template;
        private List<Integer> context;
        private Boolean raw;
        private final List<String> images = new ArrayList<>();

        private Builder(String model) {
            super(model);
        }

        public Builder prompt(String prompt) {
            this.prompt = prompt;
            return this;
        }

        /** Text after the insertion point, for fill-in-the-middle models. */
        public Builder suffix(String suffix) {
            this.suffix = suffix;
            return this;
        }

        public Builder system(String system) {
            this.system = system;
            return this;
        }

        public Builder template(String template) {
            this.template = template;
            return this;
        }

        public Builder context(List<Integer> context) {
            this.context = List.copyOf(context);
            return this;
        }

        /** Send the prompt to the model as is, without the model's template. */
        public Builder raw(boolean raw) {
            this.raw = raw;
            return this;
        }

        public Builder image(byte[] image) {
            images.add(Base64.getEncoder().encodeToString(image));
            return this;
        }

        /** An image file (PNG, JPEG, GIF, BMP or WebP), read now. */
        public Builder image(Path file) {
            return image(ImageFiles.read(file));
        }

        public GenerateRequest build() {
            return new GenerateRequest(model, prompt, suffix, system, template, context, raw, format, keepAlive,
                    images.isEmpty() ? null : List.copyOf(images), options, think, truncate, shift, logprobs,
                    topLogprobs);
        }
    }
}
