package dev.jollama.server.prompt;

import dev.jollama.engine.gguf.GgufFile;
import dev.jollama.engine.gguf.GgufFormatException;
import dev.jollama.server.api.ApiException;
import dev.jollama.server.jinja.JinjaTemplate;
import dev.jollama.server.store.ModelHeader;
import dev.jollama.server.store.StoredModel;
import dev.jollama.server.template.ModelTemplate;
import dev.jollama.server.template.PromptTemplate;
import dev.jollama.server.template.PromptValues;
import dev.jollama.server.template.TemplateException;
import dev.jollama.server.template.TemplateMessage;
import dev.jollama.server.template.TemplateTool;
import dev.jollama.server.thinking.ThinkingCapability;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Renders a model's prompt as Ollama does: the request's template, else the model's, else the Jinja chat template of
 * its GGUF (a model created from a GGUF without TEMPLATE), else {@code {{ .Prompt }}};
 * messages are [system] + the model's MESSAGE history + the user's prompt. Also tells the model's capabilities:
 * embedding when its GGUF declares a pooling type (an embedding model, as Ollama decides), else completion, and those
 * the template implies (insert when it uses .Suffix, thinking when it has thinking tags, tools when it uses .Tools).
 */
public final class PromptBuilder {
    /** Each model file's own chat template, if it has one; read once per file (files are content-addressed). */
    private static final Map<Path, Optional<JinjaTemplate>> CHAT_TEMPLATES = new ConcurrentHashMap<>();

    private final StoredModel model;
    private final ModelTemplate template;
    private final ThinkingCapability thinking;

    /** @param requestTemplate a template sent with the request, or "" for the model's own */
    public PromptBuilder(StoredModel model, String requestTemplate) {
        this.model = model;
        this.template = requestTemplate != null && !requestTemplate.isEmpty() ? parse(requestTemplate) : modelTemplate(model);
        this.thinking = ThinkingCapability.detect(model, template);
    }

    private static ModelTemplate modelTemplate(StoredModel model) {
        if (model.template() != null && !model.template().isEmpty()) {
            return parse(model.template());
        }
        if (model.modelPath() == null) {
            return PromptTemplate.DEFAULT;
        }
        return CHAT_TEMPLATES.computeIfAbsent(model.modelPath(), path -> {
            try (GgufFile file = GgufFile.open(path)) {
                return JinjaTemplate.of(file);
            } catch (GgufFormatException e) {
                return Optional.empty();
            }
        }).<ModelTemplate>map(t -> t).orElse(PromptTemplate.DEFAULT);
    }

    private static PromptTemplate parse(String text) {
        try {
            return PromptTemplate.parse(text);
        } catch (TemplateException e) {
            throw templateError(e);
        }
    }

    public String templateText() {
        return template.text();
    }

    /** Whether prompts come from the GGUF's own Jinja chat template (a Modelfile then needs no TEMPLATE). */
    public boolean usesGgufTemplate() {
        return template instanceof JinjaTemplate;
    }

    public ModelTemplate template() {
        return template;
    }

    /** Whether the template renders tools (it mentions .Tools), as Ollama's tools capability. */
    public boolean supportsTools() {
        return template.vars().contains("tools");
    }

    public boolean supportsInsert() {
        return template.vars().contains("suffix");
    }

    public ThinkingCapability thinking() {
        return thinking;
    }

    /**
     * Whether the model generates text: not an embedding model. A file that cannot be read counts as generating, so
     * that loading it reports the problem as a load failure (500 "unable to load model: ..."), as for any model.
     */
    public boolean completes() {
        return !ModelHeader.of(model.modelPath()).declaresPooling();
    }

    /**
     * Whether the model reads images: it has a projector layer, or its GGUF holds the vision part itself (Ollama's
     * single-file Gemma 3).
     */
    public boolean readsImages() {
        return model.projectorPath() != null || ModelHeader.of(model.modelPath()).holdsProjector();
    }

    /** As /api/show lists them; only values real clients can parse (LangChain4j's enum is strict). */
    public List<String> capabilities() {
        List<String> capabilities = new ArrayList<>(List.of(completes() ? "completion" : "embedding"));
        if (supportsTools()) {
            capabilities.add("tools");
        }
        if (supportsInsert()) {
            capabilities.add("insert");
        }
        if (readsImages()) {
            capabilities.add("vision");
        }
        if (thinking.supported()) {
            capabilities.add("thinking");
        }
        return capabilities;
    }

    /** The prompt text of a generate request (not raw). Template errors are 500s, as in Ollama. */
    public String render(PromptRequest request) {
        try {
            if (!request.suffix().isEmpty()) {
                return template.execute(PromptValues.fillInTheMiddle(request.prompt(), request.suffix()));
            }
            List<TemplateMessage> messages = new ArrayList<>();
            String system = request.system().isEmpty() ? model.system() : request.system();
            if (system != null && !system.isEmpty()) {
                messages.add(TemplateMessage.of("system", system));
            }
            if (!request.hasContext()) {
                for (Map<String, Object> m : model.messages()) {
                    messages.add(TemplateMessage.of(String.valueOf(m.get("role")), String.valueOf(m.getOrDefault("content", ""))));
                }
            }
            messages.add(TemplateMessage.of("user", withImageTags(request.prompt(), 0, request.imageCount())));
            return template.execute(new PromptValues(messages, null, "", "", request.think(), request.thinkLevel(), request.thinkSet()));
        } catch (TemplateException e) {
            throw templateError(e);
        }
    }

    /**
     * The prompt of a chat request: the model's SYSTEM first unless the conversation starts with a system message,
     * then the model's MESSAGE history, then the request's messages.
     */
    public String renderChat(List<TemplateMessage> conversation, List<TemplateTool> tools, boolean think, String thinkLevel, boolean thinkSet) {
        List<TemplateMessage> messages = new ArrayList<>();
        boolean hasSystem = !conversation.isEmpty() && conversation.getFirst().Role().equals("system");
        if (!hasSystem && model.system() != null && !model.system().isEmpty()) {
            messages.add(TemplateMessage.of("system", model.system()));
        }
        for (Map<String, Object> m : model.messages()) {
            messages.add(TemplateMessage.of(String.valueOf(m.get("role")), String.valueOf(m.getOrDefault("content", ""))));
        }
        int images = 0;
        for (TemplateMessage m : conversation) {
            int count = m.Images() == null ? 0 : m.Images().size();
            messages.add(count == 0 ? m : m.withContent(withImageTags(m.Content(), images, count)));
            images += count;
        }
        try {
            return template.execute(new PromptValues(withoutEarlierThinking(messages), tools, "", "", think, thinkLevel, thinkSet));
        } catch (TemplateException e) {
            throw templateError(e);
        }
    }

    /**
     * Ollama's filterThinkTags: for the qwen3 family and deepseek-r1, the {@code <think>} block an answer before the
     * last user message wrote into its content is dropped from the history (it costs context and the models were
     * not trained to see it again).
     */
    private List<TemplateMessage> withoutEarlierThinking(List<TemplateMessage> messages) {
        boolean filters = "qwen3".equals(model.config().get("model_family")) || model.name().model().equals("deepseek-r1");
        int lastUser = -1;
        for (int i = 0; i < messages.size(); i++) {
            if (messages.get(i).Role().equals("user")) {
                lastUser = i;
            }
        }
        if (!filters || lastUser < 0) {
            return messages;
        }
        List<TemplateMessage> filtered = new ArrayList<>(messages);
        for (int i = 0; i < lastUser; i++) {
            TemplateMessage m = filtered.get(i);
            if (m.Role().equals("assistant")) {
                filtered.set(i, m.withContent(afterThinking(m.Content())));
            }
        }
        return filtered;
    }

    /** The content after a leading think block (all of it is thinking while the block is open), else the content. */
    static String afterThinking(String content) {
        String trimmed = content.stripLeading();
        if (!trimmed.startsWith("<think>")) {
            return content;
        }
        int close = trimmed.indexOf("</think>");
        return close < 0 ? "" : trimmed.substring(close + "</think>".length()).stripLeading();
    }

    /** Template errors are 500s, as in Ollama; a request beyond the server's limits is the client's, a 400. */
    private static ApiException templateError(TemplateException e) {
        return new ApiException(e.overLimit() ? 400 : 500, e.getMessage());
    }

    /**
     * Ollama's placement of a message's images: each becomes a tag [img-N], N counting the conversation's images
     * from 0, that replaces the next literal [img] in the text or, when there is none left, goes in front of it.
     */
    static String withImageTags(String content, int first, int count) {
        StringBuilder prefix = new StringBuilder();
        for (int n = first; n < first + count; n++) {
            String tag = "[img-" + n + "]";
            int at = content.indexOf("[img]");
            if (at < 0) {
                prefix.append(tag);
            } else {
                content = content.substring(0, at) + tag + content.substring(at + "[img]".length());
            }
        }
        return prefix + content;
    }
}
