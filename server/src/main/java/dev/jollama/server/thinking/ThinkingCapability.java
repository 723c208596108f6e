package dev.jollama.server.thinking;

import dev.jollama.server.api.ApiException;
import dev.jollama.server.api.ThinkValue;
import dev.jollama.server.store.StoredModel;
import dev.jollama.server.template.ModelTemplate;
import dev.jollama.server.template.PromptTemplate;

/**
 * Whether and how a model thinks, from where Ollama takes it (Model.Capabilities): a template with
 * {@code .Thinking} inside {@code range .Messages} (tags inferred from the template); for a model without a
 * TEMPLATE, its GGUF chat template's tags (see {@link ModelTemplate#thinkingTags()}); or the gpt-oss family (harmony
 * output when its template has harmony's tags). Never from the architecture or the model's name.
 *
 * @param opening the thinking tags, for {@link Kind#TAGS}
 */
public record ThinkingCapability(Kind kind, String opening, String closing) {
    /** NONE: no thinking; TAGS: output split at the tags; HARMONY: gpt-oss channels; UNSPLIT: thinks, output not split. */
    public enum Kind { NONE, TAGS, HARMONY, UNSPLIT }

    public static final ThinkingCapability NONE = new ThinkingCapability(Kind.NONE, "", "");

    public static ThinkingCapability detect(StoredModel model, ModelTemplate template) {
        String family = String.valueOf(model.config().getOrDefault("model_family", ""));
        if (family.equals("gptoss") || family.equals("gpt-oss")) {
            boolean harmony = template.contains("<|start|>") && template.contains("<|end|>");
            return new ThinkingCapability(harmony ? Kind.HARMONY : Kind.UNSPLIT, "", "");
        }
        PromptTemplate.ThinkingTags tags = template.thinkingTags();
        if (!tags.opening().isEmpty() && !tags.closing().isEmpty()) {
            return new ThinkingCapability(Kind.TAGS, tags.opening(), tags.closing());
        }
        return NONE;
    }

    public boolean supported() {
        return kind != Kind.NONE;
    }

    /**
     * The think setting a request gets on this model: thinking models think unless told not to, or unless the request
     * has a format and leaves think unset (its answer must match the grammar from the first token, where Ollama lets
     * the model think first and may then never constrain it); asking a model without the capability to think is
     * Ollama's 400; gpt-oss has no "max" and gets "high".
     */
    public ThinkValue resolve(ThinkValue requested, String modelName, boolean format) {
        if (!supported()) {
            if (requested.enabled()) {
                throw ApiException.badRequest("\"" + modelName + "\" does not support thinking");
            }
            return requested;
        }
        ThinkValue value = requested.set() ? requested : ThinkValue.of(!format);
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
            case NONE, UNSPLIT -> OutputParser.PASS_THROUGH;
        };
    }
}
