package dev.jollama.client;

/**
 * A {@code POST /api/pull} request. The client sets {@code stream} by the method called.
 *
 * @param model    for example {@code "llama3.2"}, {@code "registry.example.com/team/model:tag"} or
 *                 {@code "hf.co/user/repo:Q4_K_M"}
 * @param insecure true to allow a registry over plain http or with an unverified certificate; null is not sent
 */
public record PullRequest(String model, Boolean insecure) {

    public static PullRequest of(String model) {
        return new PullRequest(model, null);
    }
}
