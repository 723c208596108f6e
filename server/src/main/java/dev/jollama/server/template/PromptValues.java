package dev.jollama.server.template;

import java.util.List;

/**
 * What a prompt is rendered from (Ollama's template.Values).
 *
 * @param messages   the conversation, system messages included; never null
 * @param tools      the request's tools, or null when it has none (templates then see a nil {@code .Tools})
 * @param prompt     the prompt of a fill-in-the-middle request, else ""
 * @param suffix     the suffix of a fill-in-the-middle request, else ""
 * @param think      whether thinking is on ({@code .Think})
 * @param thinkLevel "high", "medium", "low", "max" or "" ({@code .ThinkLevel})
 * @param isThinkSet whether the request set think at all ({@code .IsThinkSet})
 */
public record PromptValues(List<TemplateMessage> messages, List<TemplateTool> tools, String prompt, String suffix,
                           boolean think, String thinkLevel, boolean isThinkSet) {

    public PromptValues {
        messages = List.copyOf(messages);
        tools = tools == null ? null : List.copyOf(tools);
        prompt = prompt == null ? "" : prompt;
        suffix = suffix == null ? "" : suffix;
        thinkLevel = thinkLevel == null ? "" : thinkLevel;
    }

    /** A chat render: these messages, no tools, no thinking settings. */
    public static PromptValues ofMessages(List<TemplateMessage> messages) {
        return new PromptValues(messages, null, "", "", false, "", false);
    }

    /** A fill-in-the-middle render. */
    public static PromptValues fillInTheMiddle(String prompt, String suffix) {
        return new PromptValues(List.of(), null, prompt, suffix, false, "", false);
    }
}
