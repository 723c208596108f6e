package dev.jollama.server.template;

import java.util.List;

/**
 * A model's prompt template, whichever language it is written in: Ollama's Go templates ({@link PromptTemplate},
 * from a TEMPLATE layer or a request) or the Jinja chat template a GGUF carries ({@code tokenizer.chat_template},
 * for a model created without a TEMPLATE). Prompts, capabilities and thinking tags come through this one seam.
 */
public interface ModelTemplate {

    /** The template text as written. */
    String text();

    /**
     * The names the template reads, lower-cased (Ollama's Vars); callers look for {@code tools} (tool support),
     * {@code suffix} (insert support) and {@code messages}.
     */
    List<String> vars();

    /** Whether the raw text contains a string (Ollama checks e.g. for harmony's {@code <|start|>}). */
    boolean contains(String s);

    /** The tags around thinking in assistant messages, or two empty strings when the template has none. */
    PromptTemplate.ThinkingTags thinkingTags();

    /**
     * Renders the prompt.
     *
     * @throws TemplateException when the template cannot render these values
     */
    String execute(PromptValues values);
}
