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

    public static final class Builder extends CompletionBuilder<Builder> {
        private final List<Message> messages = new ArrayList<>();
        private final List<Tool> tools = new ArrayList<>();

        private Builder(String model) {
            super(model);
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

        public ChatRequest build() {
            return new ChatRequest(model, List.copyOf(messages), tools.isEmpty() ? null : List.copyOf(tools), format,
                    keepAlive, options, think, truncate, shift, logprobs, topLogprobs);
        }
    }
}
