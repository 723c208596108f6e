package dev.jollama.client;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@code POST /api/chat} request. Null fields are not sent; the client sets {@code stream} by the method called.
 * No messages loads the model; no messages with {@link KeepAlive#UNLOAD} unloads it.
 */
public record ChatRequest(
        String model,
        List<Message> messages,
        List<Tool> tools,
        Format format,
        KeepAlive keepAlive,
        Options options,
        Think think,
        Boolean truncate,
        Boolean shift,
        Boolean logprobs,
        Integer topLogprobs) {

    public static Builder builder(String model) {
        return new Builder(model);
    }

    public static final class Builder {
        private final String model;
        private final List<Message> messages = new ArrayList<>();
        private final List<Tool> tools = new ArrayList<>();
        private Format format;
        private KeepAlive keepAlive;
        private Options options;
        private Think think;
        private Boolean truncate;
        private Boolean shift;
        private Boolean logprobs;
        private Integer topLogprobs;

        private Builder(String model) {
            this.model = model;
        }

        public Builder message(Message message) {
            messages.add(message);
            return this;
        }

        public Builder messages(List<Message> messages) {
            this.messages.addAll(messages);
            return this;
        }

        public Builder tool(Tool tool) {
            tools.add(tool);
            return this;
        }

        public Builder format(Format format) {
            this.format = format;
            return this;
        }

        public Builder keepAlive(KeepAlive keepAlive) {
            this.keepAlive = keepAlive;
            return this;
        }

        public Builder options(Options options) {
            this.options = options;
            return this;
        }

        public Builder think(Think think) {
            this.think = think;
            return this;
        }

        public Builder think(boolean think) {
            return think(Think.of(think));
        }

        public Builder truncate(boolean truncate) {
            this.truncate = truncate;
            return this;
        }

        public Builder shift(boolean shift) {
            this.shift = shift;
            return this;
        }

        public Builder logprobs(boolean logprobs) {
            this.logprobs = logprobs;
            return this;
        }

        public Builder topLogprobs(int topLogprobs) {
            this.topLogprobs = topLogprobs;
            return this;
        }

        public ChatRequest build() {
            return new ChatRequest(model, List.copyOf(messages), tools.isEmpty() ? null : List.copyOf(tools), format,
                    keepAlive, options, think, truncate, shift, logprobs, topLogprobs);
        }
    }
}
