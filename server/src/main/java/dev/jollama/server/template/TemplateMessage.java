package dev.jollama.server.template;

import java.util.List;

/**
 * A chat message as Ollama hands it to templates (Go's templateMessage): templates read {@code .Role},
 * {@code .Content}, {@code .Thinking}, {@code .Images}, {@code .ToolCalls}, {@code .ToolName} and
 * {@code .ToolCallID}, hence the Go-style component names. Null lists stand for Go's nil slices (they print
 * {@code []} and marshal to {@code null}); null strings become "", as Go strings cannot be nil.
 */
public record TemplateMessage(String Role, String Content, String Thinking, List<byte[]> Images,
                              List<ToolCall> ToolCalls, String ToolName, String ToolCallID) implements GoPointer {

    public TemplateMessage {
        Role = Role == null ? "" : Role;
        Content = Content == null ? "" : Content;
        Thinking = Thinking == null ? "" : Thinking;
        ToolName = ToolName == null ? "" : ToolName;
        ToolCallID = ToolCallID == null ? "" : ToolCallID;
    }

    public static TemplateMessage of(String role, String content) {
        return new TemplateMessage(role, content, null, null, null, null, null);
    }

    /** The same message with other content, as collating consecutive messages needs. */
    public TemplateMessage withContent(String content) {
        return new TemplateMessage(Role, content, Thinking, Images, ToolCalls, ToolName, ToolCallID);
    }

    /** A tool call of an assistant message (Go's templateToolCall: no JSON tags, so JSON keys are ID, Function). */
    public record ToolCall(String ID, ToolCallFunction Function) {
    }

    /** The called function (Go's templateToolCallFunction). */
    public record ToolCallFunction(long Index, String Name, ToolCallArguments Arguments) {
    }
}
