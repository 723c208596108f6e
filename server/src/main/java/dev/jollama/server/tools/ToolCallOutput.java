package dev.jollama.server.tools;

import dev.jollama.engine.generation.GenerationRequest;
import dev.jollama.engine.grammar.Grammar;
import dev.jollama.engine.tokenizer.Tokenizer;
import dev.jollama.server.api.ToolCall;
import dev.jollama.server.template.ModelTemplate;
import dev.jollama.server.template.TemplateTool;
import dev.jollama.server.thinking.OutputParser;
import dev.jollama.server.thinking.ResponseSplit;

import java.util.ArrayList;
import java.util.List;

/**
 * The output of a chat request with tools, as Ollama's chat handler reads it: the thinking parser first, then the
 * answer through a {@link ToolCallParser}, so content before a call streams and each call arrives whole.
 */
public final class ToolCallOutput implements OutputParser {
    private final OutputParser thinking;
    private final ToolCallParser tools;

    private ToolCallOutput(OutputParser thinking, ToolCallParser tools) {
        this.thinking = thinking;
        this.tools = tools;
    }

    /**
     * The output parser of a request: the thinking parser alone when the request has no tools or it reads calls
     * itself (harmony), else both, with the tag taken from the model's template.
     *
     * @param tools the request's tools, or null
     */
    public static OutputParser around(OutputParser thinking, ModelTemplate template, List<TemplateTool> tools) {
        if (tools == null || tools.isEmpty() || thinking.readsToolCalls()) {
            return thinking;
        }
        List<String> names = tools.stream().map(t -> t.Function().Name()).toList();
        return new ToolCallOutput(thinking, new ToolCallParser(ToolCallTag.of(template), names));
    }

    @Override
    public ResponseSplit add(String piece) {
        return calls(thinking.add(piece), false);
    }

    @Override
    public ResponseSplit flush() {
        return calls(thinking.flush(), true);
    }

    /** @param end whether generation is over: the text the tool parser still holds is then content or nothing */
    private ResponseSplit calls(ResponseSplit split, boolean end) {
        ToolCallParser.Parsed parsed = tools.add(split.content());
        List<ToolCall> calls = new ArrayList<>(split.toolCalls());
        calls.addAll(parsed.calls());
        String content = end ? parsed.content() + tools.remainingContent() : parsed.content();
        return new ResponseSplit(split.thinking(), content, calls);
    }

    @Override
    public GenerationRequest constrained(GenerationRequest request, Grammar grammar, Tokenizer tokenizer) {
        return thinking.constrained(request, grammar, tokenizer);
    }

    @Override
    public boolean readsControlTokens() {
        return thinking.readsControlTokens();
    }
}
