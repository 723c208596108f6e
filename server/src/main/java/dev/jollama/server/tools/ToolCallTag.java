package dev.jollama.server.tools;

import dev.jollama.server.template.ModelTemplate;
import dev.jollama.server.template.Node;
import dev.jollama.server.template.PromptTemplate;

import java.util.List;

/**
 * Where a model's tool calls begin in its output, read from its template as Ollama's tools.parseTag reads it: the
 * first non-blank text inside the first {@code if} on {@code .ToolCalls}, cut before any {@code {} and trimmed, such
 * as {@code <tool_call>} or {@code [TOOL_CALLS]}; {@code {} when there is no such text (every JSON object in the
 * output is then tried as a call). A GGUF's Jinja chat template is read as llama.cpp's chat-format detection reads
 * it: {@code <tool_call>} (Hermes, Qwen) or {@code [TOOL_CALLS]} (Mistral) when it writes one, else bare JSON objects
 * (Llama 3).
 */
public final class ToolCallTag {
    /** The tag of templates that write calls as bare JSON objects. */
    public static final String JSON_OBJECT = "{";
    /** Tags a Jinja chat template may write before its calls, in the order they are looked for. */
    private static final List<String> JINJA_TAGS = List.of("<tool_call>", "[TOOL_CALLS]");

    private ToolCallTag() {
    }

    public static String of(ModelTemplate template) {
        if (template instanceof PromptTemplate go) {
            return fromGoTemplate(go);
        }
        return JINJA_TAGS.stream().filter(template::contains).findFirst().orElse(JSON_OBJECT);
    }

    private static String fromGoTemplate(PromptTemplate template) {
        Node.If toolCalls = findToolCallsIf(template.root().nodes());
        if (toolCalls == null) {
            return JSON_OBJECT;
        }
        Node.Text text = firstText(toolCalls.list().nodes());
        if (text == null) {
            return JSON_OBJECT;
        }
        String tag = text.text().replace("\r\n", "\n");
        int brace = tag.indexOf('{');
        tag = (brace >= 0 ? tag.substring(0, brace) : tag).strip();
        return tag.isEmpty() ? JSON_OBJECT : tag;
    }

    /** The first {@code if} whose pipeline names a field {@code ToolCalls}, depth first (Ollama's findToolCallNode). */
    private static Node.If findToolCallsIf(List<Node> nodes) {
        for (Node node : nodes) {
            Node.If found = switch (node) {
                case Node.If n -> namesToolCalls(n.pipe()) ? n : inBranches(n.list(), n.elseList());
                case Node.Sequence n -> findToolCallsIf(n.nodes());
                case Node.Range n -> inBranches(n.list(), n.elseList());
                case Node.With n -> inBranches(n.list(), n.elseList());
                default -> null;
            };
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    private static Node.If inBranches(Node.Sequence list, Node.Sequence elseList) {
        Node.If found = findToolCallsIf(list.nodes());
        return found != null || elseList == null ? found : findToolCallsIf(elseList.nodes());
    }

    private static boolean namesToolCalls(Node.Pipeline pipe) {
        return pipe.cmds().stream().flatMap(c -> c.args().stream())
                .anyMatch(arg -> arg instanceof Node.Field f && f.ident().contains("ToolCalls"));
    }

    /**
     * The first non-blank text, depth first, giving up at the first action or after the first branching construct
     * that has none (Ollama's findTextNode), so text after the calls is never taken.
     */
    private static Node.Text firstText(List<Node> nodes) {
        for (Node node : nodes) {
            switch (node) {
                case Node.Text t -> {
                    if (!t.text().isBlank()) {
                        return t;
                    }
                }
                case Node.Sequence s -> {
                    Node.Text t = firstText(s.nodes());
                    if (t != null) {
                        return t;
                    }
                }
                case Node.If n -> {
                    return inBranchesText(n.list(), n.elseList());
                }
                case Node.Range n -> {
                    return inBranchesText(n.list(), n.elseList());
                }
                case Node.With n -> {
                    return inBranchesText(n.list(), n.elseList());
                }
                case Node.Action a -> {
                    return null;
                }
                default -> {
                }
            }
        }
        return null;
    }

    private static Node.Text inBranchesText(Node.Sequence list, Node.Sequence elseList) {
        Node.Text t = firstText(list.nodes());
        return t != null || elseList == null ? t : firstText(elseList.nodes());
    }
}
