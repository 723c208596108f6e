package dev.jollama.client;

/**
 * One status line of {@code /api/pull}: {@code "pulling manifest"}, {@code "pulling <digest prefix>"} with byte
 * counts, {@code "verifying sha256 digest"}, {@code "writing manifest"}, {@code "success"}.
 *
 * @param digest    the layer being downloaded, for {@code pulling <digest prefix>} lines
 * @param total     the layer's size in bytes, 0 when not a download line
 * @param completed bytes of the layer downloaded so far
 */
public record PullProgress(String status, String digest, long total, long completed) {

    public boolean isSuccess() {
        return "success".equals(status);
    }
}
