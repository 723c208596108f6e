package dev.jollama.server.thinking;

import java.util.List;

/**
 * gpt-oss "harmony" output: messages framed as {@code <|start|>header<|message|>content<|end|>}, the header naming a
 * channel ({@code <|channel|>analysis}, {@code commentary}, {@code final}) and optionally a recipient
 * ({@code to=functions.x}). Analysis without a recipient is thinking; final, or commentary without a recipient, is
 * the answer; messages addressed to a recipient (tool calls) are not part of either and are dropped. The parser
 * starts inside an implicit {@code <|start|>assistant} header, as Ollama seeds it; tags split across pieces are held.
 */
public final class HarmonyParser implements OutputParser {
    private static final String START = "<|start|>";
    private static final String MESSAGE = "<|message|>";
    private static final List<String> ENDS = List.of("<|end|>", "<|return|>", "<|call|>");
    private static final List<String> TAGS = List.of(START, MESSAGE, "<|end|>", "<|return|>", "<|call|>", "<|channel|>", "<|constrain|>");

    private enum State { HEADER, CONTENT, BETWEEN_MESSAGES }

    private enum Destination { THINKING, ANSWER, DROPPED }

    private State state = State.HEADER;
    private final StringBuilder header = new StringBuilder("assistant");
    private Destination destination = Destination.DROPPED;
    private final StringBuilder held = new StringBuilder();
    private boolean answered;

    @Override
    public boolean answering() {
        return answered;
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
        }
        header.setLength(0);
        state = State.CONTENT;
        return true;
    }

    private static Destination destinationOf(String header) {
        if (header.contains("to=")) {
            return Destination.DROPPED;
        }
        int channel = header.indexOf("<|channel|>");
        String name = channel < 0 ? "" : header.substring(channel + "<|channel|>".length()).strip().split("[\\s<]", 2)[0];
        return switch (name) {
            case "analysis" -> Destination.THINKING;
            case "final", "commentary" -> Destination.ANSWER;
            default -> Destination.DROPPED;
        };
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
        StringBuilder target = destination == Destination.THINKING ? thinking : destination == Destination.ANSWER ? content : null;
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
        if (state != State.CONTENT) {
            return ResponseSplit.EMPTY;
        }
        return switch (destination) {
            case THINKING -> new ResponseSplit(rest, "");
            case ANSWER -> new ResponseSplit("", rest);
            case DROPPED -> ResponseSplit.EMPTY;
        };
    }
}
