package dev.jollama.engine.grammar;

/**
 * A JSON schema that cannot be compiled: a keyword that is not supported, a malformed value, or a schema no value can
 * satisfy. Names the keyword and the JSON pointer of the schema object holding it, so a server can answer 400.
 */
public final class SchemaException extends RuntimeException {
    private final String keyword;
    private final String pointer;
    private final boolean unsupported;

    private SchemaException(String keyword, String pointer, String message, boolean unsupported) {
        super(message + " at " + (pointer.isEmpty() ? "the schema root" : pointer));
        this.keyword = keyword;
        this.pointer = pointer;
        this.unsupported = unsupported;
    }

    static SchemaException unsupported(String keyword, String pointer) {
        return new SchemaException(keyword, pointer, "unsupported keyword \"" + keyword + "\"", true);
    }

    static SchemaException unsupported(String keyword, String pointer, String detail) {
        return new SchemaException(keyword, pointer, "unsupported keyword \"" + keyword + "\" (" + detail + ")", true);
    }

    static SchemaException invalid(String keyword, String pointer, String problem) {
        return new SchemaException(keyword, pointer, "invalid \"" + keyword + "\": " + problem, false);
    }

    /** No value can satisfy the keyword (with what else applies); an empty keyword for the schema as a whole. */
    static SchemaException unsatisfiable(String keyword, String pointer) {
        return new SchemaException(keyword, pointer, keyword.isEmpty()
                ? "no JSON value satisfies the schema" : "no JSON value satisfies \"" + keyword + "\"", false);
    }

    /** Whether the schema is valid but uses something the grammar cannot express (rather than being malformed). */
    public boolean isUnsupported() {
        return unsupported;
    }

    /** The keyword at fault, such as {@code "patternProperties"}. */
    public String keyword() {
        return keyword;
    }

    /** The JSON pointer of the schema object holding the keyword; empty for the root. */
    public String pointer() {
        return pointer;
    }
}
