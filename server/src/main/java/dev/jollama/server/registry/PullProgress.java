package dev.jollama.server.registry;

/** Where a pull reports what it is doing, as the NDJSON lines of /api/pull. */
public interface PullProgress {
    /** A phase: "pulling manifest", "verifying sha256 digest", "writing manifest", ... */
    void status(String status);

    /** Bytes of a blob present so far ({@code completed == total} for a blob already in the store). */
    void blob(String digest, long total, long completed);

    /**
     * True when no one listens any more (the client went away): the pull stops waiting and writes no manifest.
     * Downloads it started run on, so a retry or another pull finds them done or under way.
     */
    default boolean abandoned() {
        return false;
    }
}
