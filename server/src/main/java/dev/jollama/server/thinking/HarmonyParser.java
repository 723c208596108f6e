package dev.jollama.server.thinking;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jollama.engine.generation.GenerationRequest;
import dev.jollama.engine.grammar.Grammar;
import dev.jollama.engine.grammar.GrammarConstraint;
import dev.jollama.engine.tokenizer.Tokenizer;
import dev.jollama.server.api.GoJson;
import dev.jollama.server.api.ToolCall;

import java.util.List;

/**
 * gpt-oss "harmony" output: messages framed as {@code <|start|>header<|message|>content<|end|>}, the header naming a
 * channel ({@code <|channel|>analysis}, {@code commentary}, {@code final}) and optionally a recipient
 * ({@code to=functions.x}). Analysis without a recipient is thinking; final, or commentary without a recipient, is
 * the answer; an analysis or commentary message addressed to a recipient is a tool call, its content the arguments'
 * JSON, reported at the end as Ollama's harmony handler does (a call ends the output with {@code <|call|>}). The
 * parser starts inside an implicit {@code <|start|>assistant} header, as Ollama seeds it; tags split across pieces
 * are held.
 */
public final class HarmonyParser implements OutputParser {
    private static final String START = "<|start|>";
    private static final String MESSAGE = "<|message|>";
    private static final List<String> ENDS = List.of("<|end|>", "<|return|>", "<|call|>");
    private static final List<String> TAGS = List.of(START, MESSAGE, "<|end|>", "<|return|>", "<|call|>", "<|channel|>", "<|constrain|>");

    private enum State { HEADER, CONTENT, BETWEEN_MESSAGES }

    private enum Destination { THINKING, ANSWER, TOOL_CALL, DROPPED }

    private State state = State.HEADER;
    private final StringBuilder header = new StringBuilder("assistant");
    private Destination destination = Destination.DROPPED;
    private final StringBuilder held = new StringBuilder();
    private boolean answered;
    /** The recipient of the last tool call message ({@code functions.get_weather}), or null. */
    private String recipient;
    private final StringBuilder arguments = new StringBuilder();

    /** The answer is in the final channel, so the grammar applies from the first token there. */
    @Override
    public GenerationRequest constrained(GenerationRequest request, Grammar grammar, Tokenizer tokenizer) {
        return request.withConstraint(new GrammarConstraint(grammar, tokenizer), () -> answered);
    }

    @Override
    public boolean readsToolCalls() {
        return true;
    }

    /** The channel markers are control tokens, which decoders otherwise drop. */
    @Override
    public boolean readsControlTokens() {
        return true;
    }

    @Override
    public ResponseSplit add(String piece) {
        held.append(piece);
        StringBuilder thinking = new StringBuilder();
        StringBuilder content = new StringBuilder();
        boolean progress = true;
        while (progress) {
            progress = switch (state) {
                case HEADER -> readHeader();
                case CONTENT -> readContent(thinking, content);
                case BETWEEN_MESSAGES -> skipTo(START, State.HEADER);
            };
        }
        return new ResponseSplit(thinking.toString(), content.toString());
    }

    private boolean readHeader() {
        int end = held.indexOf(MESSAGE);
        if (end < 0) {
            int safe = held.length() - partialTagLength(held);
            header.append(held, 0, safe);
            held.delete(0, safe);
            return false;
        }
        header.append(held, 0, end);
        held.delete(0, end + MESSAGE.length());
        destination = destinationOf(header.toString());
        if (destination == Destination.ANSWER) {
            answered = true;
        } else if (destination == Destination.TOOL_CALL) {
            recipient = recipientOf(header.toString());
        }
        header.setLength(0);
        state = State.CONTENT;
        return true;
    }

    private static Destination destinationOf(String header) {
        int channel = header.indexOf("<|channel|>");
        String name = channel < 0 ? "" : header.substring(channel + "<|channel|>".length()).strip().split("[\\s<]", 2)[0];
        boolean addressed = recipientOf(header) != null;
        return switch (name) {
            case "analysis" -> addressed ? Destination.TOOL_CALL : Destination.THINKING;
            case "commentary" -> addressed ? Destination.TOOL_CALL : Destination.ANSWER;
            case "final" -> Destination.ANSWER;
            default -> Destination.DROPPED;
        };
    }

    /** The {@code to=} recipient, before or after the channel, or null. */
    private static String recipientOf(String header) {
        int to = header.indexOf("to=");
        return to < 0 ? null : header.substring(to + 3).split("[\\s<]", 2)[0];
    }

    private boolean readContent(StringBuilder thinking, StringBuilder content) {
        int end = -1;
        String endTag = null;
        for (String tag : ENDS) {
            int at = held.indexOf(tag);
            if (at >= 0 && (end < 0 || at < end)) {
                end = at;
                endTag = tag;
            }
        }
        int take = end >= 0 ? end : held.length() - partialTagLength(held);
        StringBuilder target = switch (destination) {
            case THINKING -> thinking;
            case ANSWER -> content;
            case TOOL_CALL -> arguments;
            case DROPPED -> null;
        };
        if (target != null) {
            target.append(held, 0, take);
        }
        held.delete(0, end >= 0 ? end + endTag.length() : take);
        if (end >= 0) {
            state = State.BETWEEN_MESSAGES;
            return true;
        }
        return false;
    }

    private boolean skipTo(String tag, State next) {
        int at = held.indexOf(tag);
        if (at < 0) {
            held.delete(0, held.length() - partialTagLength(held));
            return false;
        }
        held.delete(0, at + tag.length());
        state = next;
        return true;
    }

    /** How many characters at the end of the text could still grow into a tag. */
    private static int partialTagLength(CharSequence text) {
        int best = 0;
        for (String tag : TAGS) {
            best = Math.max(best, ThinkingTagParser.overlap(text, tag));
        }
        return best;
    }

    @Override
    public ResponseSplit flush() {
        String rest = held.toString();
        held.setLength(0);
        ResponseSplit split = state != State.CONTENT ? ResponseSplit.EMPTY : switch (destination) {
            case THINKING -> new ResponseSplit(rest, "");
            case ANSWER -> new ResponseSplit("", rest);
            case TOOL_CALL -> {
                arguments.append(rest);
                yield ResponseSplit.EMPTY;
            }
            case DROPPED -> ResponseSplit.EMPTY;
        };
        return recipient == null ? split : new ResponseSplit(split.thinking(), split.content(), List.of(toolCall()));
    }

    /** The call, as Ollama's harmony handler drains it at the end; arguments that are no JSON object are an error. */
    private ToolCall toolCall() {
        String name = recipient.startsWith("functions.") ? recipient.substring("functions.".length()) : recipient;
        String raw = arguments.toString();
        try {
            if (GoJson.MAPPER.readTree(raw.isBlank() ? "{}" : raw) instanceof ObjectNode values) {
                return new ToolCall(ToolCall.newId(), 0, name, values);
            }
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("error parsing tool call: raw='" + raw + "', err=" + e.getOriginalMessage(), e);
        }
        throw new IllegalStateException("error parsing tool call: raw='" + raw + "', err=not a JSON object");
    }
}
