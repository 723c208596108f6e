package dev.jollama.client;

/**
 * The settings {@link GenerateRequest.Builder} and {@link ChatRequest.Builder} share (Ollama's generate and chat
 * requests carry the same ones); each setter returns the concrete builder.
 *
 * @param <B> the concrete builder
 */
public abstract sealed class CompletionBuilder<B extends CompletionBuilder<B>>
        permits GenerateRequest.Builder, ChatRequest.Builder {
    final String model;
    Format format;
    KeepAlive keepAlive;
    Options options;
    Think think;
    Boolean truncate;
    Boolean shift;
    Boolean logprobs;
    Integer topLogprobs;

    CompletionBuilder(String model) {
        this.model = model;
    }

    private B self() {
        @SuppressWarnings("unchecked") B builder = (B) this;
        return builder;
    }

    public B format(Format format) {
        this.format = format;
        return self();
    }

    public B keepAlive(KeepAlive keepAlive) {
        this.keepAlive = keepAlive;
        return self();
    }

    public B options(Options options) {
        this.options = options;
        return self();
    }

    public B think(Think think) {
        this.think = think;
        return self();
    }

    public B think(boolean think) {
        return think(Think.of(think));
    }

    public B truncate(boolean truncate) {
        this.truncate = truncate;
        return self();
    }

    public B shift(boolean shift) {
        this.shift = shift;
        return self();
    }

    public B logprobs(boolean logprobs) {
        this.logprobs = logprobs;
        return self();
    }

    public B topLogprobs(int topLogprobs) {
        this.topLogprobs = topLogprobs;
        return self();
    }
}
