package dev.jollama.server.store;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A model reference as Ollama parses it: {@code [scheme://][host/][namespace/]model[:tag]}, parsed from the right,
 * with defaults registry.ollama.ai, library and latest.
 */
public record ModelName(String scheme, String host, String namespace, String model, String tag) {
    public static final String DEFAULT_HOST = "registry.ollama.ai";
    public static final String DEFAULT_NAMESPACE = "library";
    public static final String DEFAULT_TAG = "latest";

    private static final Pattern PART = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,79}");
    private static final Pattern NAMESPACE = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_-]{0,79}");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.:-]{0,349}");

    /** Parses a name, or returns null when it is not valid (the caller answers "invalid model name"). */
    public static ModelName parse(String raw) {
        String rest = raw.strip();
        String scheme = "https";
        int schemeEnd = rest.indexOf("://");
        if (schemeEnd >= 0) {
            scheme = rest.substring(0, schemeEnd);
            rest = rest.substring(schemeEnd + 3);
        }
        String tag = DEFAULT_TAG;
        int colon = rest.lastIndexOf(':');
        if (colon > rest.lastIndexOf('/')) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
        }
        String[] parts = rest.split("/", -1);
        String host = DEFAULT_HOST;
        String namespace = DEFAULT_NAMESPACE;
        String model;
        switch (parts.length) {
            case 1 -> model = parts[0];
            case 2 -> {
                namespace = parts[0];
                model = parts[1];
            }
            case 3 -> {
                host = parts[0];
                namespace = parts[1];
                model = parts[2];
            }
            default -> {
                return null;
            }
        }
        boolean valid = PART.matcher(model).matches() && PART.matcher(tag).matches()
                && NAMESPACE.matcher(namespace).matches() && HOST.matcher(host).matches()
                && (scheme.equals("https") || scheme.equals("http"));
        return valid ? new ModelName(scheme, host, namespace, model, tag) : null;
    }

    /** The fully qualified form, e.g. registry.ollama.ai/library/llama3:latest. */
    public String fullName() {
        return host + "/" + namespace + "/" + model + ":" + tag;
    }

    /** The shortest form that parses back to this name, as Ollama displays it (llama3:latest, user/m:tag). */
    public String displayName() {
        if (!host.equals(DEFAULT_HOST)) {
            return fullName();
        }
        if (!namespace.equals(DEFAULT_NAMESPACE)) {
            return namespace + "/" + model + ":" + tag;
        }
        return model + ":" + tag;
    }

    /** Case-insensitive identity, as lookups in the store use. */
    public String key() {
        return fullName().toLowerCase(Locale.ROOT);
    }
}
