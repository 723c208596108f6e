package dev.jollama.server.thinking;

import dev.jollama.engine.generation.GenerationRequest;
import dev.jollama.engine.grammar.Grammar;
import dev.jollama.engine.grammar.GrammarAfterThinking;
import dev.jollama.engine.tokenizer.Tokenizer;

/**
 * Ollama's tag-based thinking parser as a streaming state machine: leading whitespace is skipped; output that starts
 * with the opening tag is thinking until the closing tag, after which whitespace is eaten and the rest is the
 * answer; output that does not start with the tag is all answer. A tag split across pieces is held back until it is
 * decided. A prompt that already ends with the opening tag (a prefilled think block) starts in the thinking state.
 */
public final class ThinkingTagParser implements OutputParser {
    private enum State { LOOKING_FOR_OPENING, EATING_WHITESPACE_AFTER_OPENING, THINKING, EATING_WHITESPACE_AFTER_CLOSING, ANSWERING }

    private final String opening;
    private final String closing;
    private final boolean prefilled;
    private State state;
    private final StringBuilder held = new StringBuilder();

    public ThinkingTagParser(String opening, String closing, boolean prefilled) {
        this.opening = opening;
        this.closing = closing;
        this.prefilled = prefilled;
        this.state = prefilled ? State.EATING_WHITESPACE_AFTER_OPENING : State.LOOKING_FOR_OPENING;
    }

    /** Thinking is free; the answer after it, or output that does not open with the tag, matches the grammar. */
    @Override
    public GenerationRequest constrained(GenerationRequest request, Grammar grammar, Tokenizer tokenizer) {
        return request.withConstraint(new GrammarAfterThinking(grammar, tokenizer, opening, closing, prefilled));
    }

    @Override
    public ResponseSplit add(String piece) {
        held.append(piece);
        StringBuilder thinking = new StringBuilder();
        StringBuilder content = new StringBuilder();
        boolean progress = true;
        while (progress) {
            progress = switch (state) {
                case LOOKING_FOR_OPENING -> lookForOpening(content);
                case EATING_WHITESPACE_AFTER_OPENING -> eatWhitespace(State.THINKING);
                case THINKING -> think(thinking);
                case EATING_WHITESPACE_AFTER_CLOSING -> eatWhitespace(State.ANSWERING);
                case ANSWERING -> {
                    content.append(held);
                    held.setLength(0);
                    yield false;
                }
            };
        }
        return new ResponseSplit(thinking.toString(), content.toString());
    }

    private boolean lookForOpening(StringBuilder content) {
        String text = held.toString();
        String trimmed = text.stripLeading();
        if (trimmed.startsWith(opening)) {
            held.delete(0, text.length() - trimmed.length() + opening.length());
            state = State.EATING_WHITESPACE_AFTER_OPENING;
            return true;
        }
        if (opening.startsWith(trimmed)) {
            return false; // blank, or a prefix of the tag: undecided
        }
        content.append(text);
        held.setLength(0);
        state = State.ANSWERING;
        return false;
    }

    private boolean eatWhitespace(State next) {
        int i = 0;
        while (i < held.length() && Character.isWhitespace(held.charAt(i))) {
            i++;
        }
        held.delete(0, i);
        if (held.isEmpty()) {
            return false;
        }
        state = next;
        return true;
    }

    private boolean think(StringBuilder thinking) {
        int end = held.indexOf(closing);
        if (end >= 0) {
            thinking.append(held, 0, end);
            held.delete(0, end + closing.length());
            state = State.EATING_WHITESPACE_AFTER_CLOSING;
            return true;
        }
        int keep = overlap(held, closing);
        thinking.append(held, 0, held.length() - keep);
        held.delete(0, held.length() - keep);
        return false;
    }

    /** The length of the longest end of {@code text} that begins {@code tag}. */
    static int overlap(CharSequence text, String tag) {
        for (int n = Math.min(text.length(), tag.length() - 1); n > 0; n--) {
            if (tag.regionMatches(0, text.toString(), text.length() - n, n)) {
                return n;
            }
        }
        return 0;
    }

    @Override
    public ResponseSplit flush() {
        String rest = held.toString();
        held.setLength(0);
        return switch (state) {
            case THINKING, EATING_WHITESPACE_AFTER_OPENING -> new ResponseSplit(rest, "");
            case LOOKING_FOR_OPENING -> new ResponseSplit("", rest);
            default -> ResponseSplit.EMPTY;
        };
    }
}
