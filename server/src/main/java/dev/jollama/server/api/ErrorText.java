package dev.jollama.server.api;

import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Error texts as clients see them: what was wrong, without the store's absolute path (a file of the store is named
 * from the store's root, e.g. {@code blobs/sha256-...}) and without the parser's configuration names.
 */
public final class ErrorText {
    /** Jackson's limits name the setting they come from: "(1000, from `StreamReadConstraints.getMaxNestingDepth()`)". */
    private static final Pattern LIMIT_SOURCE = Pattern.compile(", from `[^`]*`");

    private final String storeRoot;

    public ErrorText(Path storeRoot) {
        this.storeRoot = storeRoot.toAbsolutePath().normalize().toString();
    }

    public String clean(String message) {
        if (message == null) {
            return "internal error";
        }
        String relative = message.replace(storeRoot + java.io.File.separator, "");
        return relative.replace(storeRoot, "$OLLAMA_MODELS");
    }

    /** A JSON parser's message about a request body, without the parser's setting names. */
    public static String parserMessage(String message) {
        return LIMIT_SOURCE.matcher(message).replaceAll("");
    }
}
