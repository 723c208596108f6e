package dev.jollama.server.template;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Executes a parsed template against data with Go's text/template semantics and Ollama's option
 * {@code missingkey=zero}: a missing map key or a field of nil reads as nil and prints {@code <no value>}. One
 * executor runs one execution; variables live on a stack that each control structure (and each range iteration)
 * unwinds at its end, so {@code $x = ...} inside a range updates the variable declared outside it.
 */
final class TemplateExecutor {

    /** How a walk ended: normally, or by {{break}}/{{continue}} on its way to the enclosing range. */
    private enum Signal { NONE, BREAK, CONTINUE }

    private static final class Variable {
        final String name;
        Object value;

        Variable(String name, Object value) {
            this.name = name;
            this.value = value;
        }
    }

    /** Stands for "no value piped in from the previous command", which differs from a piped nil. */
    private static final Object NO_FINAL = new Object();

    /** Nested {{template}} calls allowed before giving up, to turn runaway recursion into an error. */
    private static final int MAX_TEMPLATE_DEPTH = 1000;

    private final SourceText source;
    private final Map<String, Node.Sequence> templates;
    private final TemplateFunctions functions;
    private final StringBuilder out = new StringBuilder();
    private List<Variable> vars = new ArrayList<>();
    private String templateName;
    private Node current;
    private int depth;

    TemplateExecutor(SourceText source, Map<String, Node.Sequence> templates, TemplateFunctions functions) {
        this.source = source;
        this.templates = templates;
        this.functions = functions;
        this.templateName = source.name();
    }

    String execute(Node.Sequence root, Object data) {
        vars.add(new Variable("$", data));
        walk(data, root);
        return out.toString();
    }

    // ---- walking the tree

    private Signal walk(Object dot, Node node) {
        current = node;
        switch (node) {
            case Node.Sequence sequence -> {
                for (Node child : sequence.nodes()) {
                    Signal signal = walk(dot, child);
                    if (signal != Signal.NONE) {
                        return signal;
                    }
                }
                return Signal.NONE;
            }
            case Node.Text text -> {
                out.append(text.text());
                TemplateException.checkOutput(out.length());
                return Signal.NONE;
            }
            case Node.Action action -> {
                Object value = evalPipeline(dot, action.pipe());
                if (action.pipe().decl().isEmpty()) {
                    current = action;
                    if (value instanceof TemplateFunction) {
                        throw error("can't print " + action.pipe() + " of type " + GoValues.typeName(value));
                    }
                    out.append(GoFmt.formatForAction(value));
                    TemplateException.checkOutput(out.length());
                }
                return Signal.NONE;
            }
            case Node.If n -> {
                return walkIfOrWith(dot, n.pipe(), n.list(), n.elseList(), false);
            }
            case Node.With n -> {
                return walkIfOrWith(dot, n.pipe(), n.list(), n.elseList(), true);
            }
            case Node.Range range -> {
                return walkRange(dot, range);
            }
            case Node.Invoke invoke -> {
                walkTemplate(dot, invoke);
                return Signal.NONE;
            }
            case Node.Break b -> {
                return Signal.BREAK;
            }
            case Node.Continue c -> {
                return Signal.CONTINUE;
            }
            default -> throw error("unknown node: " + node);
        }
    }

    private Signal walkIfOrWith(Object dot, Node.Pipeline pipe, Node.Sequence list, Node.Sequence elseList,
                                boolean with) {
        int mark = vars.size();
        try {
            Object value = evalPipeline(dot, pipe);
            if (GoValues.isTrue(value)) {
                return walk(with ? value : dot, list);
            }
            return elseList != null ? walk(dot, elseList) : Signal.NONE;
        } finally {
            pop(mark);
        }
    }

    private Signal walkRange(Object dot, Node.Range range) {
        current = range;
        int outerMark = vars.size();
        try {
            Object value = evalPipeline(dot, range.pipe());
            int mark = vars.size();
            if (GoValues.isSlice(value)) {
                List<Object> elements = GoValues.sliceElements(value);
                if (!elements.isEmpty()) {
                    for (int i = 0; i < elements.size(); i++) {
                        if (iterate(range, mark, (long) i, elements.get(i)) == Signal.BREAK) {
                            break;
                        }
                    }
                    return Signal.NONE;
                }
            } else if (value instanceof Map<?, ?> map) {
                if (!map.isEmpty()) {
                    for (Map.Entry<Object, Object> e : GoValues.sortedEntries(map)) {
                        if (iterate(range, mark, e.getKey(), e.getValue()) == Signal.BREAK) {
                            break;
                        }
                    }
                    return Signal.NONE;
                }
            } else if (GoValues.isInt(value)) {
                if (range.pipe().decl().size() > 1) {
                    throw error("can't use " + GoFmt.formatValue(value) + " to iterate over more than one variable");
                }
                long n = ((Number) value).longValue();
                if (n > 0) {
                    for (long i = 0; i < n; i++) {
                        if (iterate(range, mark, null, i) == Signal.BREAK) {
                            break;
                        }
                    }
                    return Signal.NONE;
                }
            } else if (value != null && value != GoNil.MAP) {
                throw error("range can't iterate over " + GoFmt.formatValue(value));
            }
            return range.elseList() != null ? walk(dot, range.elseList()) : Signal.NONE;
        } finally {
            pop(outerMark);
        }
    }

    /** One pass of a range body: binds the declared variables, walks, and drops what the body declared. */
    private Signal iterate(Node.Range range, int mark, Object index, Object element) {
        Node.Pipeline pipe = range.pipe();
        List<Node.Variable> decl = pipe.decl();
        if (!decl.isEmpty()) {
            if (pipe.isAssign()) {
                setVar(decl.getFirst().name(), decl.size() > 1 ? index : element);
            } else {
                vars.get(vars.size() - 1).value = element;
            }
        }
        if (decl.size() > 1) {
            if (pipe.isAssign()) {
                setVar(decl.get(1).name(), element);
            } else {
                vars.get(vars.size() - 2).value = index;
            }
        }
        Signal signal = walk(element, range.list());
        pop(mark);
        return signal;
    }

    private void walkTemplate(Object dot, Node.Invoke invoke) {
        current = invoke;
        Node.Sequence body = templates.get(invoke.name());
        if (body == null) {
            throw error("template " + GoStrings.quote(invoke.name()) + " not defined");
        }
        if (depth == MAX_TEMPLATE_DEPTH) {
            throw error("exceeded maximum template depth (" + MAX_TEMPLATE_DEPTH + ")");
        }
        Object newDot = invoke.pipe() == null ? null : evalPipeline(dot, invoke.pipe());
        // No dynamic scoping: the invoked template sees only $, set to its argument.
        List<Variable> callerVars = vars;
        String callerName = templateName;
        vars = new ArrayList<>(List.of(new Variable("$", newDot)));
        templateName = invoke.name();
        depth++;
        try {
            walk(newDot, body);
        } finally {
            depth--;
            vars = callerVars;
            templateName = callerName;
        }
    }

    // ---- evaluating pipelines and commands

    private Object evalPipeline(Object dot, Node.Pipeline pipe) {
        current = pipe;
        Object value = NO_FINAL;
        for (Node.Command cmd : pipe.cmds()) {
            value = evalCommand(dot, cmd, value);
        }
        for (Node.Variable variable : pipe.decl()) {
            if (pipe.isAssign()) {
                setVar(variable.name(), value);
            } else {
                vars.add(new Variable(variable.name(), value));
            }
        }
        return value;
    }

    private Object evalCommand(Object dot, Node.Command cmd, Object fin) {
        Node first = cmd.args().getFirst();
        switch (first) {
            case Node.Field field -> {
                current = field;
                return evalFieldChain(dot, dot, field, field.ident(), cmd.args(), fin);
            }
            case Node.Chain chain -> {
                return evalChain(dot, chain, cmd.args(), fin);
            }
            case Node.Identifier identifier -> {
                return evalFunction(dot, identifier, cmd, cmd.args(), fin);
            }
            case Node.Pipeline pipe -> {
                notAFunction(cmd.args(), fin);
                return evalPipeline(dot, pipe);
            }
            case Node.Variable variable -> {
                return evalVariable(dot, variable, cmd.args(), fin);
            }
            default -> {
                // literals and dot
            }
        }
        current = first;
        notAFunction(cmd.args(), fin);
        return switch (first) {
            case Node.Bool b -> b.value();
            case Node.Dot d -> dot;
            case Node.Nil n -> throw error("nil is not a command");
            case Node.Number n -> n.value();
            case Node.StringLiteral s -> s.text();
            default -> throw error("can't evaluate command " + GoStrings.quote(first.toString()));
        };
    }

    private void notAFunction(List<Node> args, Object fin) {
        if (args.size() > 1 || fin != NO_FINAL) {
            throw error("can't give argument to non-function " + args.getFirst());
        }
    }

    private Object evalChain(Object dot, Node.Chain chain, List<Node> args, Object fin) {
        current = chain;
        if (chain.node() instanceof Node.Nil) {
            throw error("indirection through explicit nil in " + chain);
        }
        Object receiver = evalArg(dot, chain.node());
        current = chain;
        return evalFieldChain(dot, receiver, chain, chain.fields(), args, fin);
    }

    private Object evalVariable(Object dot, Node.Variable variable, List<Node> args, Object fin) {
        current = variable;
        Object value = varValue(variable.name());
        if (variable.ident().size() == 1) {
            if (args != null) {
                notAFunction(args, fin);
            }
            return value;
        }
        return evalFieldChain(dot, value, variable, variable.ident().subList(1, variable.ident().size()), args, fin);
    }

    /** .X.Y.Z: each name is looked up on the previous result; only the last may receive arguments. */
    private Object evalFieldChain(Object dot, Object receiver, Node node, List<String> ident, List<Node> args,
                                  Object fin) {
        int n = ident.size();
        for (int i = 0; i < n - 1; i++) {
            receiver = evalField(ident.get(i), null, NO_FINAL, receiver);
        }
        return evalField(ident.get(n - 1), args, fin, receiver);
    }

    private Object evalField(String name, List<Node> args, Object fin, Object receiver) {
        if (receiver == null) {
            return null; // missingkey=zero: a field of nothing is nothing
        }
        boolean hasArgs = (args != null && args.size() > 1) || fin != NO_FINAL;
        if (receiver == GoNil.POINTER) {
            throw error("nil pointer evaluating " + GoValues.typeName(receiver) + "." + name);
        }
        if (receiver instanceof Map<?, ?> || receiver == GoNil.MAP) {
            if (hasArgs) {
                throw error(name + " is not a method but has arguments");
            }
            return receiver instanceof Map<?, ?> map ? map.get(name) : null;
        }
        if (receiver instanceof Record record && GoValues.hasField(record, name)) {
            if (hasArgs) {
                throw error(name + " has arguments but cannot be invoked as function");
            }
            return GoValues.field(record, name);
        }
        throw error("can't evaluate field " + name + " in type " + GoValues.typeName(receiver));
    }

    private Object evalFunction(Object dot, Node.Identifier identifier, Node cmd, List<Node> args, Object fin) {
        current = identifier;
        String name = identifier.name();
        TemplateFunctions.Definition function = functions.get(name);
        if (function == null) {
            throw error(GoStrings.quote(name) + " is not a defined function");
        }
        List<Node> argNodes = args == null ? List.of() : args.subList(1, args.size());
        int numIn = argNodes.size() + (fin != NO_FINAL ? 1 : 0);
        if (function.variadic()) {
            if (numIn < function.minArgs()) {
                throw error("wrong number of args for " + name + ": want at least " + function.minArgs()
                        + " got " + argNodes.size());
            }
        } else if (numIn < function.minArgs() || numIn > function.maxArgs()) {
            throw error("wrong number of args for " + name + ": want " + function.minArgs() + " got " + numIn);
        }
        if (function.isShortCircuit()) {
            // and/or: the first argument that decides the result is the result; later ones are not evaluated
            boolean stopWhenTrue = name.equals("or");
            Object value = null;
            for (Node arg : argNodes) {
                value = evalArg(dot, arg);
                if (GoValues.isTrue(value) == stopWhenTrue) {
                    return value;
                }
            }
            return fin != NO_FINAL ? fin : value;
        }
        List<Object> values = new ArrayList<>(numIn);
        for (Node arg : argNodes) {
            values.add(evalArg(dot, arg));
        }
        if (fin != NO_FINAL) {
            values.add(fin);
        }
        try {
            return function.body().call(values);
        } catch (IllegalArgumentException e) {
            current = cmd;
            throw error("error calling " + name + ": " + e.getMessage());
        }
    }

    private Object evalArg(Object dot, Node node) {
        current = node;
        return switch (node) {
            case Node.Dot d -> dot;
            case Node.Nil n -> null;
            case Node.Field f -> evalFieldChain(dot, dot, f, f.ident(), List.of(f), NO_FINAL);
            case Node.Variable v -> evalVariable(dot, v, null, NO_FINAL);
            case Node.Pipeline p -> evalPipeline(dot, p);
            case Node.Identifier id -> evalFunction(dot, id, id, null, NO_FINAL);
            case Node.Chain c -> evalChain(dot, c, null, NO_FINAL);
            case Node.Bool b -> b.value();
            case Node.Number n -> n.value();
            case Node.StringLiteral s -> s.text();
            default -> throw error("can't handle " + node + " for arg");
        };
    }

    // ---- variables

    private void pop(int mark) {
        vars.subList(mark, vars.size()).clear();
    }

    private void setVar(String name, Object value) {
        for (int i = vars.size() - 1; i >= 0; i--) {
            if (vars.get(i).name.equals(name)) {
                vars.get(i).value = value;
                return;
            }
        }
        throw error("undefined variable: " + name);
    }

    private Object varValue(String name) {
        for (int i = vars.size() - 1; i >= 0; i--) {
            if (vars.get(i).name.equals(name)) {
                return vars.get(i).value;
            }
        }
        throw error("undefined variable: " + name);
    }

    // ---- errors

    private TemplateException error(String message) {
        if (current == null) {
            return new TemplateException("template: " + templateName + ": " + message);
        }
        String context = current.toString();
        if (GoStrings.utf8Length(context) > 20) {
            context = GoStrings.firstRunes(context, 20) + "...";
        }
        return new TemplateException("template: " + source.location(current.pos()) + ": executing "
                + GoStrings.quote(templateName) + " at <" + context + ">: " + message);
    }
}
