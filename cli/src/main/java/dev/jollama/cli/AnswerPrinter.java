package dev.jollama.cli;

import java.io.PrintStream;

/**
 * Writes a streamed answer as it arrives: a thinking model's reasoning between {@code Thinking...} and
 * {@code ...done thinking.}, then the answer itself, as ollama shows them.
 */
final class AnswerPrinter {
    private final PrintStream out;
    private final boolean hideThinking;
    private boolean thinkingOpen;
    private boolean thinkingEndsLine;

    /** @param hideThinking leave the reasoning out, showing only the answer */
    AnswerPrinter(PrintStream out, boolean hideThinking) {
        this.out = out;
        this.hideThinking = hideThinking;
    }

    /** One chunk: a piece of thinking and a piece of the answer, either possibly null or empty. */
    void chunk(String thinking, String content) {
        if (thinking != null && !thinking.isEmpty() && !hideThinking) {
            if (!thinkingOpen) {
                out.print("Thinking...\n");
                thinkingOpen = true;
            }
            out.print(thinking);
            thinkingEndsLine = thinking.endsWith("\n");
        }
        if (content != null && !content.isEmpty()) {
            if (thinkingOpen) {
                out.print(thinkingEndsLine ? "" : "\n");
                out.print("...done thinking.\n\n");
                thinkingOpen = false;
            }
            out.print(content);
        }
        out.flush();
    }
}
