package dev.jollama.client;

/**
 * One status line of {@code /api/create}: {@code "parsing GGUF"}, {@code "using existing layer sha256:..."},
 * {@code "writing manifest"}, {@code "success"} and the like.
 */
public record CreateProgress(String status) {

    public boolean isSuccess() {
        return "success".equals(status);
    }
}
