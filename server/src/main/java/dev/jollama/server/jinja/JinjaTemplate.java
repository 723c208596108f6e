package dev.jollama.server.jinja;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import dev.jollama.engine.gguf.GgufFile;
import dev.jollama.server.api.ApiException;
import dev.jollama.server.template.ModelTemplate;
import dev.jollama.server.template.PromptTemplate;
import dev.jollama.server.template.PromptValues;
import dev.jollama.server.template.TemplateException;
import dev.jollama.server.template.TemplateMessage;
import dev.jollama.server.template.TemplateTool;
import jinjava.javax.el.CompositeELResolver;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A GGUF's own chat template ({@code tokenizer.chat_template}), rendered as Hugging Face's apply_chat_template
 * renders it: Jinja with trim_blocks and lstrip_blocks, the values {@code messages}, {@code tools},
 * {@code add_generation_prompt}, {@code bos_token}, {@code eos_token} (and {@code enable_thinking},
 * {@code reasoning_effort} when the request sets think), the functions {@code raise_exception} and
 * {@code strftime_now}, Python's str methods and Python's {@code tojson}. Rendered by jinjava, after
 * {@link JinjavaSyntax} has rewritten the few constructs jinjava reads otherwise than Jinja.
 */
public final class JinjaTemplate implements ModelTemplate {
    private static final Jinjava JINJAVA = newJinjava();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern NAMES = Pattern.compile("\\b(messages|tools)\\b");
    private static final String OPENING = "<think>";
    private static final String CLOSING = "</think>";

    private final String text;
    private final String source;
    private final String bosToken;
    private final String eosToken;
    private final boolean addsBos;
    private final List<String> vars;

    /**
     * @param addsBos whether the tokenizer puts BOS in front of every prompt itself; a template's own leading
     *                {@code bos_token} is then dropped, so the model does not see two
     */
    public JinjaTemplate(String text, String bosToken, String eosToken, boolean addsBos) {
        this.text = text;
        this.source = JinjavaSyntax.of(text);
        this.bosToken = bosToken;
        this.eosToken = eosToken;
        this.addsBos = addsBos;
        this.vars = NAMES.matcher(text).results().map(m -> m.group(1)).distinct().sorted().toList();
    }

    /** The file's chat template with its BOS and EOS token texts, if it has one. */
    public static Optional<JinjaTemplate> of(GgufFile file) {
        String text = file.getString("tokenizer.chat_template", null);
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        String[] tokens = file.metadata().get("tokenizer.ggml.tokens") instanceof String[] t ? t : new String[0];
        boolean addsBos = file.getBoolean("tokenizer.ggml.add_bos_token", "llama".equals(file.getString("tokenizer.ggml.model", "")));
        return Optional.of(new JinjaTemplate(text, token(file, tokens, "tokenizer.ggml.bos_token_id"),
                token(file, tokens, "tokenizer.ggml.eos_token_id"), addsBos));
    }

    private static String token(GgufFile file, String[] tokens, String key) {
        int id = file.getInt(key, -1, -1);
        return id >= 0 && id < tokens.length ? tokens[id] : "";
    }

    @Override
    public String text() {
        return text;
    }

    @Override
    public List<String> vars() {
        return vars;
    }

    @Override
    public boolean contains(String s) {
        return text.contains(s);
    }

    /**
     * Ollama's chatTemplateHasThinkingSupport: a chat template that writes {@code <think>} and {@code </think>}, or
     * one that splits an answer at {@code </think>} (unless it keeps reasoning_content or is Mistral's), thinks with
     * Qwen's and DeepSeek's tags.
     */
    @Override
    public PromptTemplate.ThinkingTags thinkingTags() {
        boolean thinks = (text.contains(OPENING) && text.contains(CLOSING))
                || ((text.contains("content.split('</think>')") || text.contains("content.split(\"</think>\")"))
                && !text.contains("reasoning_content") && !text.contains("<SPECIAL_12>"));
        return thinks ? new PromptTemplate.ThinkingTags(OPENING, CLOSING) : new PromptTemplate.ThinkingTags("", "");
    }

    /**
     * Renders the conversation. A last assistant message is continued rather than closed (Hugging Face's
     * continue_final_message): the prompt ends where that message's content ends, as Ollama's prefill does.
     *
     * @throws ApiException     400 with the template's message when it raises an exception (the conversation is one
     *                          the model's template refuses)
     * @throws TemplateException when the template itself fails
     */
    @Override
    public String execute(PromptValues values) {
        List<TemplateMessage> messages = values.messages();
        TemplateMessage last = messages.isEmpty() ? null : messages.getLast();
        boolean prefill = last != null && last.Role().equals("assistant") && !last.Content().isEmpty();
        Map<String, Object> context = new HashMap<>();
        context.put("messages", messages.stream().map(JinjaTemplate::message).toList());
        if (values.tools() != null && !values.tools().isEmpty()) {
            context.put("tools", values.tools().stream().map(JinjaTemplate::tool).toList());
        }
        context.put("add_generation_prompt", !prefill && (last == null || !last.Role().equals("assistant")));
        context.put("bos_token", bosToken);
        context.put("eos_token", eosToken);
        if (values.isThinkSet()) {
            context.put("enable_thinking", values.think());
        }
        if (!values.thinkLevel().isEmpty()) {
            context.put("reasoning_effort", values.thinkLevel());
        }
        String prompt = render(context);
        if (prefill) {
            int end = prompt.lastIndexOf(last.Content().strip());
            if (end >= 0) {
                prompt = prompt.substring(0, end + last.Content().strip().length());
            }
        }
        return addsBos && !bosToken.isEmpty() && prompt.startsWith(bosToken) ? prompt.substring(bosToken.length()) : prompt;
    }

    private String render(Map<String, Object> context) {
        RenderResult result = JINJAVA.renderForResult(source, context);
        for (TemplateError error : result.getErrors()) {
            for (Throwable t = error.getException(); t != null; t = t.getCause()) {
                if (t instanceof TemplateGlobals.Raised raised) {
                    throw ApiException.badRequest(raised.getMessage());
                }
            }
        }
        for (TemplateError error : result.getErrors()) {
            if (error.getSeverity() == TemplateError.ErrorType.FATAL) {
                throw new TemplateException("template: chat_template:" + error.getLineno() + ": " + error.getMessage());
            }
        }
        return result.getOutput();
    }

    /** A message as Hugging Face templates read it: role, content, and the optional keys only when set. */
    private static Map<String, Object> message(TemplateMessage m) {
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("role", m.Role());
        message.put("content", m.Content());
        if (!m.Thinking().isEmpty()) {
            message.put("thinking", m.Thinking());
            message.put("reasoning_content", m.Thinking());
        }
        if (m.ToolCalls() != null && !m.ToolCalls().isEmpty()) {
            List<Map<String, Object>> calls = new ArrayList<>();
            for (TemplateMessage.ToolCall call : m.ToolCalls()) {
                Map<String, Object> function = new LinkedHashMap<>();
                function.put("name", call.Function().Name());
                function.put("arguments", call.Function().Arguments() == null ? Map.of() : new LinkedHashMap<>(call.Function().Arguments()));
                Map<String, Object> c = new LinkedHashMap<>();
                if (call.ID() != null && !call.ID().isEmpty()) {
                    c.put("id", call.ID());
                }
                c.put("type", "function");
                c.put("function", function);
                calls.add(c);
            }
            message.put("tool_calls", calls);
        }
        if (!m.ToolName().isEmpty()) {
            message.put("name", m.ToolName());
        }
        if (!m.ToolCallID().isEmpty()) {
            message.put("tool_call_id", m.ToolCallID());
        }
        return message;
    }

    /** A tool as its JSON (the same JSON Ollama's templates print), as plain ordered maps and lists. */
    private static Map<String, Object> tool(TemplateTool tool) {
        try {
            return JSON.readValue(tool.asString(), new TypeReference<LinkedHashMap<String, Object>>() {
            });
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new TemplateException("template: chat_template: tool " + tool.Function().Name() + " has no JSON form: " + e.getMessage());
        }
    }

    private static Jinjava newJinjava() {
        CompositeELResolver resolver = new CompositeELResolver();
        resolver.add(new PythonStrings());
        resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_WRITE);
        Jinjava jinjava = new Jinjava(JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                .withElResolver(resolver)
                // Jinja's own rules where jinjava keeps its legacy ones: {{- -}} trims, operators bind as in Python,
                // dict literals evaluate their keys, a for over a dict walks its keys, values print as Python's
                .withLegacyOverrides(LegacyOverrides.newBuilder()
                        .withUseTrimmingForNotesAndExpressions(true)
                        .withParseWhitespaceControlStrictly(true)
                        .withUseNaturalOperatorPrecedence(true)
                        .withEvaluateMapKeys(true)
                        .withIterateOverMapKeys(true)
                        .withKeepNullableLoopValues(true)
                        .withUsePyishObjectMapper(true) // dicts and lists print as Python's: {'role': 'user'}
                        .build())
                .build());
        jinjava.getGlobalContext().registerFilter(new PythonJson());
        jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition("", "raise_exception", TemplateGlobals.class, "raiseException", Object.class));
        jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition("", "strftime_now", TemplateGlobals.class, "strftimeNow", String.class));
        return jinjava;
    }
}
