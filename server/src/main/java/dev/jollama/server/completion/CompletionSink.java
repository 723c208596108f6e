package dev.jollama.server.completion;

/** Where a completion's events go: a reply writer for one wire format (NDJSON lines, one JSON object, ...). */
public interface CompletionSink {

    /**
     * The request has passed every check and generation begins: a writer may commit its status and headers now.
     * Failures before this call are refusals the caller answers as errors; later ones go to {@link #fail}.
     */
    void start();

    void accept(CompletionEvent event);

    /** Whether the client has gone away; generation stops at the next token. */
    boolean cancelled();

    /** Generation failed after {@link #start()}; the writer reports it as its format can, or rethrows. */
    void fail(RuntimeException e);
}
