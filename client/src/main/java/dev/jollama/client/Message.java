package dev.jollama.client;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * One chat message. In a reply the role is {@code assistant}, and a streamed chunk carries a piece of the content.
 *
 * @param images   base64-encoded images for vision models
 * @param toolName for a {@code tool} message: the function whose result the content is
 */
public record Message(
        String role,
        String content,
        String thinking,
        List<String> images,
        List<ToolCall> toolCalls,
        String toolName) {

    public static Message system(String content) {
        return new Message("system", content, null, null, null, null);
    }

    public static Message user(String content) {
        return new Message("user", content, null, null, null, null);
    }

    public static Message user(String content, byte[]... images) {
        List<String> encoded = Arrays.stream(images).map(Base64.getEncoder()::encodeToString).toList();
        return new Message("user", content, null, encoded, null, null);
    }

    /** A user message with image files (PNG, JPEG, GIF, BMP or WebP), read now. */
    public static Message user(String content, Path image, Path... more) {
        List<byte[]> images = new java.util.ArrayList<>(List.of(ImageFiles.read(image)));
        Arrays.stream(more).map(ImageFiles::read).forEach(images::add);
        return user(content, images.toArray(byte[][]::new));
    }

    public static Message assistant(String content) {
        return new Message("assistant", content, null, null, null, null);
    }

    /** The result of a tool call, to send after the assistant message that asked for it. */
    public static Message tool(String toolName, String content) {
        return new Message("tool", content, null, null, null, toolName);
    }

    Message followedBy(Message next) {
        return new Message(next.role, Concat.strings(content, next.content), Concat.strings(thinking, next.thinking),
                Concat.lists(images, next.images), Concat.lists(toolCalls, next.toolCalls), next.toolName);
    }
}
