package dev.jollama.server.api;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.security.SecureRandom;
import java.util.Random;

/**
 * A function call (Go's api.ToolCall): one an assistant message of a chat request carries, or one parsed from a
 * model's output.
 *
 * @param id        "" when none
 * @param index     the call's position among those of one answer
 * @param arguments in the order given
 */
public record ToolCall(String id, int index, String name, ObjectNode arguments) {
    private static final Random IDS = new SecureRandom();
    private static final String ID_LETTERS = "abcdefghijklmnopqrstuvwxyz0123456789";

    /** A new id for a parsed call, as Ollama makes them: "call_" and eight random lower-case letters or digits. */
    public static String newId() {
        StringBuilder id = new StringBuilder("call_");
        for (int i = 0; i < 8; i++) {
            id.append(ID_LETTERS.charAt(IDS.nextInt(ID_LETTERS.length())));
        }
        return id.toString();
    }

    /** As Ollama writes it: {@code {"id", "function": {"index", "name", "arguments"}}}, the id left out when empty. */
    public ObjectNode json() {
        ObjectNode call = GoJson.object();
        if (!id.isEmpty()) {
            call.put("id", id);
        }
        ObjectNode function = call.putObject("function");
        function.put("index", index);
        function.put("name", name);
        function.set("arguments", arguments);
        return call;
    }
}
