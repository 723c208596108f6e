package dev.jollama.server.template;

import java.util.Map;

/**
 * A Go text/template, parsed once and executed any number of times (also concurrently: execution keeps its state
 * apart). The data passed to {@link #execute} follows the data model described in {@link GoValues}: maps for Go
 * maps, lists for slices, records for structs (components named like Go's exported fields), and Java's boxed
 * numbers, strings and booleans. Execution uses Ollama's option {@code missingkey=zero}.
 */
public final class GoTemplate {
    private final SourceText source;
    private final TemplateFunctions functions;
    private final Node.Sequence root;
    private final Map<String, Node.Sequence> definitions;

    private GoTemplate(SourceText source, TemplateFunctions functions, Node.Sequence root,
                       Map<String, Node.Sequence> definitions) {
        this.source = source;
        this.functions = functions;
        this.root = root;
        this.definitions = definitions;
    }

    /**
     * @param name      the template's name, as error messages show it (Ollama's templates are named "")
     * @param functions the functions the template may call; calls to others are parse errors
     * @throws TemplateException if the text is not a valid template
     */
    public static GoTemplate parse(String name, String text, TemplateFunctions functions) {
        SourceText source = new SourceText(name, text);
        TemplateParser.Parsed parsed = TemplateParser.parse(source, functions::contains);
        return new GoTemplate(source, functions, parsed.root(), parsed.definitions());
    }

    public String name() {
        return source.name();
    }

    public String text() {
        return source.text();
    }

    /** The main template's tree. */
    public Node.Sequence root() {
        return root;
    }

    /** The templates declared with define or block, by name. */
    public Map<String, Node.Sequence> definitions() {
        return definitions;
    }

    /** The same template with another main tree, for callers that rewrite the tree (as Ollama does). */
    public GoTemplate withRoot(Node.Sequence newRoot) {
        return new GoTemplate(source, functions, newRoot, definitions);
    }

    /**
     * @return the output
     * @throws TemplateException naming the failing action, if execution fails
     */
    public String execute(Object data) {
        return new TemplateExecutor(source, definitions, functions).execute(root, data);
    }
}
