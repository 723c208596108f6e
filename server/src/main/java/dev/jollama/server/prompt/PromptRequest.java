package dev.jollama.server.prompt;

/**
 * What a generate request contributes to its prompt.
 *
 * @param system     the request's system prompt; "" keeps the model's
 * @param imageCount images sent with the prompt; each gets an [img-N] marker before the prompt text
 * @param hasContext whether the request continues a previous one ({@code context}): the model's MESSAGE history is
 *                   then not repeated
 * @param think      whether thinking is on, and its level ("" for none)
 * @param thinkSet   whether the request set {@code think} at all
 */
public record PromptRequest(String prompt, String suffix, String system, int imageCount, boolean hasContext,
                            boolean think, String thinkLevel, boolean thinkSet) {

    public static PromptRequest of(String prompt) {
        return new PromptRequest(prompt, "", "", 0, false, false, "", false);
    }
}
