package dev.jollama.server.template;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The parse tree of a Go text/template, shaped like Go's {@code text/template/parse} nodes so that Ollama's tree
 * walks (its variable scan, the legacy "cut at .Response" and the thinking-tag inference) can be reproduced node for
 * node. {@code pos} is the offset of the node in the template text; {@link #toString()} gives Go's source form,
 * which execution errors quote as their context.
 */
public sealed interface Node {

    int pos();

    /** Go's ListNode: a sequence of nodes. */
    record Sequence(int pos, List<Node> nodes) implements Node {
        public Sequence {
            nodes = List.copyOf(nodes);
        }

        @Override
        public String toString() {
            return nodes.stream().map(Node::toString).collect(Collectors.joining());
        }
    }

    /** Plain text between actions, already trimmed by any adjacent trim markers. */
    record Text(int pos, String text) implements Node {
        @Override
        public String toString() {
            return text;
        }
    }

    /** {@code {{pipeline}}}: prints the value unless the pipeline declares or assigns variables. */
    record Action(int pos, Pipeline pipe) implements Node {
        @Override
        public String toString() {
            return "{{" + pipe + "}}";
        }
    }

    /** {@code {{if}}}; an {@code {{else if}}} chain is an If nested alone in the else list, as in Go. */
    record If(int pos, Pipeline pipe, Sequence list, Sequence elseList) implements Node {
        @Override
        public String toString() {
            return branchString("if", pipe, list, elseList);
        }
    }

    /** {@code {{range}}}; the else list runs when there is nothing to iterate. */
    record Range(int pos, Pipeline pipe, Sequence list, Sequence elseList) implements Node {
        @Override
        public String toString() {
            return branchString("range", pipe, list, elseList);
        }
    }

    /** {@code {{with}}}; an {@code {{else with}}} chain is a With nested alone in the else list. */
    record With(int pos, Pipeline pipe, Sequence list, Sequence elseList) implements Node {
        @Override
        public String toString() {
            return branchString("with", pipe, list, elseList);
        }
    }

    record Break(int pos) implements Node {
        @Override
        public String toString() {
            return "{{break}}";
        }
    }

    record Continue(int pos) implements Node {
        @Override
        public String toString() {
            return "{{continue}}";
        }
    }

    /** {@code {{template "name" pipeline}}}; {@code pipe} is null when no argument is given. */
    record Invoke(int pos, String name, Pipeline pipe) implements Node {
        @Override
        public String toString() {
            String quoted = GoStrings.quote(name);
            return pipe == null ? "{{template " + quoted + "}}" : "{{template " + quoted + " " + pipe + "}}";
        }
    }

    /**
     * Commands separated by {@code |}, optionally declaring ({@code :=}) or assigning ({@code =}) variables; the
     * value of each command is passed as the last argument of the next.
     */
    record Pipeline(int pos, boolean isAssign, List<Variable> decl, List<Command> cmds) implements Node {
        public Pipeline {
            decl = List.copyOf(decl);
            cmds = List.copyOf(cmds);
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder();
            if (!decl.isEmpty()) {
                sb.append(decl.stream().map(Variable::toString).collect(Collectors.joining(", ")));
                sb.append(isAssign ? " = " : " := ");
            }
            sb.append(cmds.stream().map(Command::toString).collect(Collectors.joining(" | ")));
            return sb.toString();
        }
    }

    /** One command: a function or field with its arguments, or a single operand. */
    record Command(int pos, List<Node> args) implements Node {
        public Command {
            args = List.copyOf(args);
        }

        @Override
        public String toString() {
            return args.stream()
                    .map(arg -> arg instanceof Pipeline ? "(" + arg + ")" : arg.toString())
                    .collect(Collectors.joining(" "));
        }
    }

    /** {@code .A.B}: fields looked up from dot. */
    record Field(int pos, List<String> ident) implements Node {
        public Field {
            ident = List.copyOf(ident);
        }

        @Override
        public String toString() {
            return ident.stream().map(name -> "." + name).collect(Collectors.joining());
        }
    }

    /** {@code $}, {@code $x} or {@code $x.A.B}: the first ident is the variable name including the dollar. */
    record Variable(int pos, List<String> ident) implements Node {
        public Variable {
            ident = List.copyOf(ident);
        }

        public String name() {
            return ident.getFirst();
        }

        @Override
        public String toString() {
            return String.join(".", ident);
        }
    }

    /** {@code (pipeline).A.B}: fields looked up on the value of a parenthesised term. */
    record Chain(int pos, Node node, List<String> fields) implements Node {
        public Chain {
            fields = List.copyOf(fields);
        }

        @Override
        public String toString() {
            String head = node instanceof Pipeline ? "(" + node + ")" : node.toString();
            return head + fields.stream().map(name -> "." + name).collect(Collectors.joining());
        }
    }

    /** A function name. */
    record Identifier(int pos, String name) implements Node {
        @Override
        public String toString() {
            return name;
        }
    }

    record Dot(int pos) implements Node {
        @Override
        public String toString() {
            return ".";
        }
    }

    record Nil(int pos) implements Node {
        @Override
        public String toString() {
            return "nil";
        }
    }

    record Bool(int pos, boolean value) implements Node {
        @Override
        public String toString() {
            return Boolean.toString(value);
        }
    }

    /** A numeric or character constant; {@code value} is a {@link Long} or a {@link Double}, as Go would type it. */
    record Number(int pos, String text, Object value) implements Node {
        @Override
        public String toString() {
            return text;
        }
    }

    /** A string constant; {@code quoted} is the source form, {@code text} the unquoted value. */
    record StringLiteral(int pos, String quoted, String text) implements Node {
        @Override
        public String toString() {
            return quoted;
        }
    }

    private static String branchString(String keyword, Pipeline pipe, Sequence list, Sequence elseList) {
        String head = "{{" + keyword + " " + pipe + "}}" + list;
        return elseList == null ? head + "{{end}}" : head + "{{else}}" + elseList + "{{end}}";
    }
}
