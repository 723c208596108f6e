package dev.jollama.server.tools;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jollama.server.api.GoJson;
import dev.jollama.server.api.ToolCall;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Finds tool calls in streamed model output as Ollama's tools.Parser does. Text before the {@link ToolCallTag tag}
 * is content and passes through at once (except an end that could be the start of the tag); from the tag on, the
 * output is held and read for calls: the earliest (longest) tool name, then the first JSON object after it that is
 * its arguments ({@code {"name": ..., "arguments": {...}}}, {@code "parameters"}, or an object under the tool's
 * name), each call reported whole as soon as it is complete. With the tag {@code {} or {@code [}, output whose
 * first non-blank text is something else is all content, and a balanced object or array ends the calls.
 */
public final class ToolCallParser {
    private enum State { LOOKING_FOR_TAG, TOOL_CALLING, DONE }

    /** What one piece of output gave: calls completed by it and content to pass on. */
    public record Parsed(List<ToolCall> calls, String content) {
    }

    private final String tag;
    private final List<String> toolNames;
    private final StringBuilder buffer = new StringBuilder();
    private State state = State.LOOKING_FOR_TAG;
    private int calls;

    public ToolCallParser(String tag, List<String> toolNames) {
        this.tag = tag;
        this.toolNames = List.copyOf(toolNames);
    }

    public String tag() {
        return tag;
    }

    /** Reads a piece of output (Ollama's Parser.Add). */
    public Parsed add(String piece) {
        if (state == State.DONE) {
            return new Parsed(List.of(), piece);
        }
        buffer.append(piece);
        String content = "";
        if (state == State.LOOKING_FOR_TAG) {
            int at = buffer.indexOf(tag);
            boolean found = at >= 0;
            if (!found) {
                at = buffer.length() - partialTag();
            }
            content = buffer.substring(0, at);
            buffer.delete(0, at);
            if (bracketTag() && !content.isBlank()) {
                state = State.DONE;
                String all = content + buffer;
                buffer.setLength(0);
                return new Parsed(List.of(), all);
            }
            if (!found) {
                return new Parsed(List.of(), content);
            }
            state = State.TOOL_CALLING;
        }
        List<ToolCall> parsed = new ArrayList<>();
        for (ToolCall call = nextCall(); call != null; call = nextCall()) {
            parsed.add(call);
        }
        if (closed()) {
            state = State.DONE;
            content = buffer.toString();
            buffer.setLength(0);
        }
        return new Parsed(parsed, content);
    }

    /**
     * What is left for the client at the end (Ollama's Parser.Content): nothing once a call was found, else, for the
     * tags {@code {} and {@code [}, the held text, which was no call after all.
     */
    public String remainingContent() {
        return calls == 0 && bracketTag() ? buffer.toString() : "";
    }

    private boolean bracketTag() {
        return tag.equals("{") || tag.equals("[");
    }

    /** The length of the longest end of the buffer that begins the tag. */
    private int partialTag() {
        for (int n = Math.min(buffer.length(), tag.length()); n > 0; n--) {
            if (buffer.substring(buffer.length() - n).equals(tag.substring(0, n))) {
                return n;
            }
        }
        return 0;
    }

    private ToolCall nextCall() {
        int[] nameEnd = new int[1];
        String name = findTool(nameEnd);
        if (name == null) {
            return null;
        }
        Arguments arguments = findArguments(name);
        if (arguments == null) {
            return null;
        }
        int end = Math.max(nameEnd[0], arguments.end);
        buffer.delete(0, end);
        return new ToolCall(ToolCall.newId(), calls++, name, arguments.values);
    }

    /**
     * The tool whose name occurs first in the buffer (the longest at the same place), or null when none does or the
     * buffer ends with the start of a name, which must be waited out ("get" could become "get_weather").
     */
    private String findTool(int[] end) {
        if (buffer.isEmpty()) {
            return null;
        }
        int longest = toolNames.stream().mapToInt(String::length).max().orElse(0);
        for (int i = 1; i <= Math.min(buffer.length(), longest); i++) {
            String tail = buffer.substring(buffer.length() - i);
            for (String name : toolNames) {
                if (tail.length() < name.length() && name.startsWith(tail)) {
                    return null;
                }
            }
        }
        String found = null;
        int start = -1;
        for (String name : toolNames) {
            int at = buffer.indexOf(name);
            if (at < 0 || (start >= 0 && (at > start || (at == start && name.length() <= found.length())))) {
                continue;
            }
            found = name;
            start = at;
            end[0] = at + name.length();
        }
        return found;
    }

    private record Arguments(ObjectNode values, int end) {
    }

    /** The first balanced JSON object in the buffer that holds (or is) the tool's arguments (Ollama's findArguments). */
    private Arguments findArguments(String tool) {
        int start = -1;
        int braces = 0;
        OutsideStrings scan = new OutsideStrings(buffer);
        for (int i = scan.next(); i >= 0; i = scan.next()) {
            char c = buffer.charAt(i);
            if (c == '{') {
                if (braces == 0) {
                    start = i;
                }
                braces++;
            } else if (c == '}') {
                braces--;
                if (braces == 0 && start != -1) {
                    ObjectNode object = parseObject(buffer.substring(start, i + 1));
                    if (object == null) {
                        start = -1; // not a valid object: keep looking
                        continue;
                    }
                    Found found = findObject(object, tool);
                    if (found != null) {
                        return found.arguments == null ? null : new Arguments(found.arguments, i + 1);
                    }
                    return new Arguments(object, i + 1);
                }
                braces = Math.max(braces, 0);
            }
        }
        return null;
    }

    /** An object found to hold the arguments; null arguments when it names the call but has none. */
    private record Found(ObjectNode arguments) {
    }

    private static Found findObject(ObjectNode object, String tool) {
        if (object.has("name")) {
            ObjectNode arguments = argumentsIn(object, "arguments");
            return new Found(arguments != null ? arguments : argumentsIn(object, "parameters"));
        }
        ObjectNode arguments = argumentsIn(object, tool);
        if (arguments != null) {
            return new Found(arguments);
        }
        for (Map.Entry<String, JsonNode> e : object.properties()) {
            if (e.getValue() instanceof ObjectNode child) {
                Found found = findObject(child, tool);
                if (found != null) {
                    return found;
                }
            } else if (e.getValue().isArray()) {
                for (JsonNode item : e.getValue()) {
                    Found found = item instanceof ObjectNode child ? findObject(child, tool) : null;
                    if (found != null) {
                        return found;
                    }
                }
            }
        }
        return null;
    }

    /** An object field, or a string field holding an object's JSON. */
    private static ObjectNode argumentsIn(ObjectNode object, String field) {
        JsonNode value = object.get(field);
        if (value instanceof ObjectNode arguments) {
            return arguments;
        }
        return value != null && value.isTextual() ? parseObject(value.asText()) : null;
    }

    private static ObjectNode parseObject(String json) {
        try {
            return GoJson.MAPPER.readTree(json) instanceof ObjectNode object ? object : null;
        } catch (JsonProcessingException e) {
            return null; // not JSON: the text is no call, which the caller goes on looking past
        }
    }

    /** For the tags {@code {} and {@code [}: whether the held text is one balanced object or array. */
    private boolean closed() {
        if (!bracketTag()) {
            return false;
        }
        char open = tag.charAt(0);
        char close = open == '{' ? '}' : ']';
        int count = 0;
        OutsideStrings scan = new OutsideStrings(buffer);
        for (int i = scan.next(); i >= 0; i = scan.next()) {
            char c = buffer.charAt(i);
            if (c == open) {
                count++;
            } else if (c == close && --count == 0) {
                return true;
            }
        }
        return false;
    }

    /** The positions of the characters outside JSON strings, quotes and backslash escapes tracked as Ollama's scans do. */
    private static final class OutsideStrings {
        private final CharSequence text;
        private int position;
        private boolean inString;
        private boolean escaped;

        OutsideStrings(CharSequence text) {
            this.text = text;
        }

        /** The next such position, or -1 at the end. */
        int next() {
            while (position < text.length()) {
                char c = text.charAt(position++);
                if (escaped) {
                    escaped = false;
                } else if (c == '\\') {
                    escaped = true;
                } else if (c == '"') {
                    inString = !inString;
                } else if (!inString) {
                    return position - 1;
                }
            }
            return -1;
        }
    }
}
