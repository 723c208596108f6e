package dev.jollama.server.template;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * A model's prompt template as Ollama uses it (its template.Template): a Go template parsed with Ollama's
 * functions, which renders a conversation through one of three paths, chosen like Ollama's Execute:
 * <ol>
 * <li>fill-in-the-middle, when the values have both a prompt and a suffix: {@code .Prompt}, {@code .Suffix};</li>
 * <li>messages, when the template mentions {@code .Messages}: {@code .System} (all system messages, joined),
 * {@code .Messages} (collated), {@code .Tools};</li>
 * <li>legacy otherwise: the template runs once per completed turn with {@code .System}, {@code .Prompt} and
 * {@code .Response}, and for the last, open turn only up to its first {@code .Response}.</li>
 * </ol>
 * All paths also get {@code .Response} (""), {@code .Think}, {@code .ThinkLevel} and {@code .IsThinkSet}.
 */
public final class PromptTemplate implements ModelTemplate {

    /** The template of a model that has none. */
    public static final PromptTemplate DEFAULT = parse("{{ .Prompt }}");

    /** The opening and closing tags that surround thinking in the template's assistant messages. */
    public record ThinkingTags(String opening, String closing) {
    }

    /** Messages after {@link #collate}, and every system message's content joined. */
    record Collated(String system, List<TemplateMessage> messages) {
    }

    private final String text;
    private final GoTemplate template;
    private final GoTemplate lastTurnTemplate;
    private final List<String> vars;

    private PromptTemplate(String text, GoTemplate template, List<String> vars) {
        this.text = text;
        this.template = template;
        this.lastTurnTemplate = template.withRoot(cutAtResponse(template.root()));
        this.vars = vars;
    }

    /**
     * Parses with Ollama's functions; like Ollama, appends {@code {{ .Response }}} when the template mentions
     * neither {@code .Messages} nor {@code .Response}, so that a model's answer can follow a legacy prompt.
     *
     * @throws TemplateException for a template Go would not parse, and (as Ollama) for {@code {{template "x"}}}
     *                           without an argument: "undefined template specified"
     */
    public static PromptTemplate parse(String text) {
        GoTemplate template = GoTemplate.parse("", text, TemplateFunctions.ollama());
        List<String> vars = collectVars(template);
        if (!vars.contains("messages") && !vars.contains("response")) {
            List<Node> nodes = new ArrayList<>(template.root().nodes());
            Node.Field response = new Node.Field(text.length(), List.of("Response"));
            Node.Command command = new Node.Command(text.length(), List.of(response));
            nodes.add(new Node.Action(text.length(), new Node.Pipeline(text.length(), false, List.of(), List.of(command))));
            template = template.withRoot(new Node.Sequence(template.root().pos(), nodes));
            vars = collectVars(template);
        }
        return new PromptTemplate(text, template, vars);
    }

    /** The template text as written. */
    @Override
    public String text() {
        return text;
    }

    /**
     * Every field and variable name the template mentions, lower-cased, sorted, without duplicates (Ollama's
     * Vars): e.g. {@code messages}, {@code tools} (tool support), {@code suffix} (insert support), {@code system},
     * {@code thinking}, {@code think}, and variables as {@code $name}.
     */
    @Override
    public List<String> vars() {
        return vars;
    }

    /** The parsed template, for analyses such as where tool calls begin (see the tools package). */
    public Node.Sequence root() {
        return template.root();
    }

    /** Whether the raw text contains a string (Ollama checks e.g. for harmony's {@code <|start|>}). */
    @Override
    public boolean contains(String s) {
        return text.contains(s);
    }

    /**
     * The tags around thinking, inferred as Ollama's thinking.InferTags does: for a {@code .Thinking} inside a
     * {@code range} over {@code .Messages}, the trimmed first and last text of the list holding it. A model whose
     * template yields both tags has the thinking capability; the same tags split the model's output.
     */
    @Override
    public ThinkingTags thinkingTags() {
        String[] tags = {"", ""};
        Deque<Node> ancestors = new ArrayDeque<>();
        visit(template.root(), ancestors, node -> {
            if (!(node instanceof Node.Field field) || !field.ident().getFirst().equals("Thinking")) {
                return;
            }
            Node.Range range = (Node.Range) ancestors.stream()
                    .filter(Node.Range.class::isInstance).findFirst().orElse(null);
            if (range == null || !usesField(range.pipe(), "Messages")) {
                return;
            }
            ancestors.stream().filter(Node.Sequence.class::isInstance).findFirst().ifPresent(list -> {
                List<Node> nodes = ((Node.Sequence) list).nodes();
                if (nodes.getFirst() instanceof Node.Text opening) {
                    tags[0] = opening.text().strip();
                }
                if (nodes.getLast() instanceof Node.Text closing) {
                    tags[1] = closing.text().strip();
                }
            });
        });
        return new ThinkingTags(tags[0], tags[1]);
    }

    /** Renders the prompt. */
    @Override
    public String execute(PromptValues values) {
        Collated collated = collate(values.messages());
        if (!values.prompt().isEmpty() && !values.suffix().isEmpty()) {
            Map<String, Object> data = thinkValues(values);
            data.put("Prompt", values.prompt());
            data.put("Suffix", values.suffix());
            data.put("Response", "");
            return template.execute(data);
        }
        if (vars.contains("messages")) {
            Map<String, Object> data = thinkValues(values);
            data.put("System", collated.system());
            data.put("Messages", collated.messages().isEmpty() ? GoNil.SLICE : collated.messages());
            data.put("Tools", TemplateTools.of(values.tools()));
            data.put("Response", "");
            return template.execute(data);
        }
        return executeLegacy(collated.messages(), values);
    }

    /** One execution per completed turn; a system message opens a turn, a user message after an answer too. */
    private String executeLegacy(List<TemplateMessage> messages, PromptValues values) {
        StringBuilder out = new StringBuilder();
        String system = "";
        String prompt = "";
        String response = "";
        for (TemplateMessage message : messages) {
            String content = message.Content();
            switch (message.Role()) {
                case "system" -> {
                    if (!prompt.isEmpty() || !response.isEmpty()) {
                        out.append(template.execute(legacyData(values, system, prompt, response)));
                        TemplateException.checkOutput(out.length());
                        prompt = "";
                        response = "";
                    }
                    system = content;
                }
                case "user" -> {
                    if (!response.isEmpty()) {
                        out.append(template.execute(legacyData(values, system, prompt, response)));
                        TemplateException.checkOutput(out.length());
                        system = "";
                        response = "";
                    }
                    prompt = content;
                }
                case "assistant" -> response = content;
                default -> {
                    // tool results and other roles have no place in a legacy template
                }
            }
        }
        out.append(lastTurnTemplate.execute(legacyData(values, system, prompt, response)));
        TemplateException.checkOutput(out.length());
        return out.toString();
    }

    private static Map<String, Object> legacyData(PromptValues values, String system, String prompt, String response) {
        Map<String, Object> data = thinkValues(values);
        data.put("System", system);
        data.put("Prompt", prompt);
        data.put("Response", response);
        return data;
    }

    private static Map<String, Object> thinkValues(PromptValues values) {
        Map<String, Object> data = new HashMap<>();
        data.put("Think", values.think());
        data.put("ThinkLevel", values.thinkLevel());
        data.put("IsThinkSet", values.isThinkSet());
        return data;
    }

    /**
     * Merges consecutive messages of the same role (except tool results, which keep their own metadata) with a
     * blank line between contents, and gathers the content of every system message.
     */
    static Collated collate(List<TemplateMessage> messages) {
        List<String> system = new ArrayList<>();
        List<TemplateMessage> collated = new ArrayList<>();
        for (TemplateMessage message : messages) {
            if ("system".equals(message.Role())) {
                system.add(message.Content());
            }
            if (!collated.isEmpty() && collated.getLast().Role().equals(message.Role())
                    && !"tool".equals(message.Role())) {
                TemplateMessage last = collated.removeLast();
                collated.add(last.withContent(last.Content() + "\n\n" + message.Content()));
            } else {
                collated.add(message);
            }
        }
        return new Collated(String.join("\n\n", system), collated);
    }

    // ---- tree walks that reproduce Ollama's

    private static List<String> collectVars(GoTemplate template) {
        SortedSet<String> names = new TreeSet<>();
        collectIdentifiers(template.root(), names);
        for (Node.Sequence definition : template.definitions().values()) {
            collectIdentifiers(definition, names);
        }
        return List.copyOf(names);
    }

    /** Ollama's Identifiers: the names in fields and variables, not inside parenthesised chains. */
    private static void collectIdentifiers(Node node, SortedSet<String> names) {
        switch (node) {
            case Node.Sequence s -> s.nodes().forEach(n -> collectIdentifiers(n, names));
            case Node.Invoke invoke -> {
                if (invoke.pipe() == null) {
                    throw new TemplateException("undefined template specified");
                }
                collectIdentifiers(invoke.pipe(), names);
            }
            case Node.Action action -> collectIdentifiers(action.pipe(), names);
            case Node.If n -> collectBranch(n.pipe(), n.list(), n.elseList(), names);
            case Node.Range n -> collectBranch(n.pipe(), n.list(), n.elseList(), names);
            case Node.With n -> collectBranch(n.pipe(), n.list(), n.elseList(), names);
            case Node.Pipeline pipe -> pipe.cmds().forEach(cmd -> cmd.args().forEach(arg -> collectIdentifiers(arg, names)));
            case Node.Field field -> field.ident().forEach(name -> names.add(name.toLowerCase(Locale.ROOT)));
            case Node.Variable variable -> variable.ident().forEach(name -> names.add(name.toLowerCase(Locale.ROOT)));
            default -> {
                // other nodes name nothing
            }
        }
    }

    private static void collectBranch(Node.Pipeline pipe, Node.Sequence list, Node.Sequence elseList,
                                      SortedSet<String> names) {
        collectIdentifiers(pipe, names);
        collectIdentifiers(list, names);
        if (elseList != null) {
            collectIdentifiers(elseList, names);
        }
    }

    /**
     * The template for the open last turn of a legacy render: everything after the first field mentioning
     * Response is removed (that field's action stays). Like Ollama, the conditions of if, range and with are not
     * searched, and a pipeline left with an empty command disappears whole. Where Ollama would crash (the cut
     * falls inside a branch that has an else), the else branch is dropped.
     */
    private static Node.Sequence cutAtResponse(Node.Sequence root) {
        return (Node.Sequence) new ResponseCut().walk(root);
    }

    private static final class ResponseCut {
        private boolean cut;

        /** Whether the node goes; seeing the Response field itself starts the cut but keeps the field. */
        private boolean removes(Node node) {
            if (node instanceof Node.Field field && field.ident().contains("Response")) {
                cut = true;
                return false;
            }
            return cut;
        }

        Node walk(Node node) {
            if (removes(node)) {
                return null;
            }
            return switch (node) {
                case Node.Sequence s -> {
                    List<Node> kept = new ArrayList<>();
                    for (Node child : s.nodes()) {
                        Node walked = walk(child);
                        if (walked != null) {
                            kept.add(walked);
                        }
                    }
                    yield new Node.Sequence(s.pos(), kept);
                }
                case Node.If n -> new Node.If(n.pos(), n.pipe(), list(n.list()), list(n.elseList()));
                case Node.Range n -> new Node.Range(n.pos(), n.pipe(), list(n.list()), list(n.elseList()));
                case Node.With n -> new Node.With(n.pos(), n.pipe(), list(n.list()), list(n.elseList()));
                case Node.Action action -> {
                    Node pipe = walk(action.pipe());
                    yield pipe == null ? null : new Node.Action(action.pos(), (Node.Pipeline) pipe);
                }
                case Node.Pipeline pipe -> {
                    List<Node.Command> commands = new ArrayList<>();
                    for (Node.Command command : pipe.cmds()) {
                        List<Node> args = new ArrayList<>();
                        for (Node arg : command.args()) {
                            Node walked = walk(arg);
                            if (walked != null) {
                                args.add(walked);
                            }
                        }
                        if (args.isEmpty()) {
                            yield null;
                        }
                        commands.add(new Node.Command(command.pos(), args));
                    }
                    yield new Node.Pipeline(pipe.pos(), pipe.isAssign(), pipe.decl(), commands);
                }
                default -> node;
            };
        }

        private Node.Sequence list(Node.Sequence list) {
            return list == null ? null : (Node.Sequence) walk(list);
        }
    }

    /** Visits every node depth-first, with the chain of ancestors (nearest first) while visiting it. */
    private static void visit(Node node, Deque<Node> ancestors, Consumer<Node> visitor) {
        ancestors.push(node);
        visitor.accept(node);
        for (Node child : children(node)) {
            visit(child, ancestors, visitor);
        }
        ancestors.pop();
    }

    private static boolean usesField(Node.Pipeline pipe, String name) {
        boolean[] found = {false};
        visit(pipe, new ArrayDeque<>(), node -> {
            if (node instanceof Node.Field field && field.ident().getFirst().equals(name)) {
                found[0] = true;
            }
        });
        return found[0];
    }

    private static List<Node> children(Node node) {
        List<Node> children = new ArrayList<>();
        switch (node) {
            case Node.Sequence s -> children.addAll(s.nodes());
            case Node.If n -> addBranch(children, n.pipe(), n.list(), n.elseList());
            case Node.Range n -> addBranch(children, n.pipe(), n.list(), n.elseList());
            case Node.With n -> addBranch(children, n.pipe(), n.list(), n.elseList());
            case Node.Action a -> children.add(a.pipe());
            case Node.Invoke i -> {
                if (i.pipe() != null) {
                    children.add(i.pipe());
                }
            }
            case Node.Pipeline p -> children.addAll(p.cmds());
            case Node.Command c -> children.addAll(c.args());
            default -> {
                // leaves
            }
        }
        return children;
    }

    private static void addBranch(List<Node> children, Node.Pipeline pipe, Node.Sequence list, Node.Sequence elseList) {
        children.add(pipe);
        children.add(list);
        if (elseList != null) {
            children.add(elseList);
        }
    }
}
