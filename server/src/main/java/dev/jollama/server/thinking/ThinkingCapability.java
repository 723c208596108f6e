package dev.jollama.server.thinking;

import dev.jollama.server.api.ApiException;
import dev.jollama.server.api.ThinkValue;
import dev.jollama.server.store.StoredModel;
import dev.jollama.server.template.ModelTemplate;
import dev.jollama.server.template.PromptTemplate;

import java.util.Locale;

/**
 * Whether and how a model thinks, detected as Ollama does: a template with {@code .Thinking} inside
 * {@code range .Messages} (tags inferred from the template), a known thinking family (qwen3, deepseek-r1: {@code
 * <think>} tags), or gpt-oss with a harmony template.
 *
 * @param opening the thinking tags, for {@link Kind#TAGS}
 */
public record ThinkingCapability(Kind kind, String opening, String closing) {
    public enum Kind { NONE, TAGS, HARMONY }

    public static final ThinkingCapability NONE = new ThinkingCapability(Kind.NONE, "", "");

    public static ThinkingCapability detect(StoredModel model, ModelTemplate template) {
        String family = String.valueOf(model.config().getOrDefault("model_family", "")).toLowerCase(Locale.ROOT);
        String name = model.name().model().toLowerCase(Locale.ROOT);
        if ((family.equals("gptoss") || family.equals("gpt-oss") || name.startsWith("gpt-oss"))
                && template.contains("<|start|>") && template.contains("<|end|>")) {
            return new ThinkingCapability(Kind.HARMONY, "", "");
        }
        PromptTemplate.ThinkingTags tags = template.thinkingTags();
        if (tags != null && !tags.opening().isEmpty() && !tags.closing().isEmpty()) {
            return new ThinkingCapability(Kind.TAGS, tags.opening(), tags.closing());
        }
        if (family.equals("qwen3") || name.startsWith("qwen3") || name.startsWith("deepseek-r1")) {
            return new ThinkingCapability(Kind.TAGS, "<think>", "</think>");
        }
        return NONE;
    }

    public boolean supported() {
        return kind != Kind.NONE;
    }

    /**
     * The think setting a request gets on this model: thinking models think unless told not to; asking a model
     * without the capability to think is Ollama's 400; gpt-oss has no "max" and gets "high".
     */
    public ThinkValue resolve(ThinkValue requested, String modelName) {
        if (!supported()) {
            if (requested.enabled()) {
                throw ApiException.badRequest("\"" + modelName + "\" does not support thinking");
            }
            return requested;
        }
        ThinkValue value = requested.set() ? requested : ThinkValue.of(true);
        if (kind == Kind.HARMONY && value.level().equals("max")) {
            return new ThinkValue(true, "high", true);
        }
        return value;
    }

    /**
     * The parser for one request's output. Raw requests and requests with thinking off are not split (unlike
     * Ollama, whose raw mode loses the answer into thinking); harmony output is always split by channel, as
     * gpt-oss reasons whatever think says.
     */
    public OutputParser parser(boolean think, boolean raw, String renderedPrompt) {
        if (raw) {
            return OutputParser.PASS_THROUGH;
        }
        return switch (kind) {
            case HARMONY -> new HarmonyParser();
            case TAGS -> think ? new ThinkingTagParser(opening, closing, renderedPrompt.strip().endsWith(opening)) : OutputParser.PASS_THROUGH;
            case NONE -> OutputParser.PASS_THROUGH;
        };
    }
}
