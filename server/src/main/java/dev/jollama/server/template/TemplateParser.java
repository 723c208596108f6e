package dev.jollama.server.template;

import dev.jollama.server.template.TemplateLexer.Kind;
import dev.jollama.server.template.TemplateLexer.Token;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Builds the {@link Node} tree from tokens with Go's grammar and Go's parse-time checks: functions must exist,
 * variables must be declared in an enclosing scope, {@code break}/{@code continue} only inside {@code range}.
 * {@code define} (top level only) and {@code block} add named templates beside the main one.
 */
final class TemplateParser {

    /** The main template and the templates it defines, by name. */
    record Parsed(Node.Sequence root, Map<String, Node.Sequence> definitions) {
    }

    private final SourceText source;
    private final TemplateLexer lexer;
    private final Predicate<String> isFunction;
    private final Map<String, Node.Sequence> definitions = new LinkedHashMap<>();

    // Up to three tokens of look-ahead, as Go's parser needs to tell "$x := ..." from "$x arg".
    private final Token[] tokens = new Token[3];
    private int peekCount;

    private List<String> vars = new ArrayList<>(List.of("$"));
    private int rangeDepth;
    private int nesting;
    private int actionStart = -1;

    private TemplateParser(SourceText source, Predicate<String> isFunction) {
        this.source = source;
        this.lexer = new TemplateLexer(source.text());
        this.isFunction = isFunction;
    }

    static Parsed parse(SourceText source, Predicate<String> isFunction) {
        TemplateParser parser = new TemplateParser(source, isFunction);
        Node.Sequence root = parser.parseRoot();
        return new Parsed(root, Map.copyOf(parser.definitions));
    }

    private Node.Sequence parseRoot() {
        List<Node> nodes = new ArrayList<>();
        int start = peek().pos();
        while (peek().kind() != Kind.EOF) {
            if (peek().kind() == Kind.LEFT_DELIM) {
                Token delim = next();
                if (nextNonSpace().kind() == Kind.DEFINE) {
                    actionStart = delim.pos();
                    parseDefinition();
                    continue;
                }
                backup2(delim);
            }
            nodes.add(textOrAction());
        }
        return new Node.Sequence(start, nodes);
    }

    // ---- markers that end a list; never part of the finished tree

    private record EndMarker(int pos) implements MarkerNode {
        @Override
        public String toString() {
            return "{{end}}";
        }
    }

    private record ElseMarker(int pos) implements MarkerNode {
        @Override
        public String toString() {
            return "{{else}}";
        }
    }

    /** The list terminators returned by {@link #textOrAction()} alongside real nodes. */
    private sealed interface MarkerNode permits EndMarker, ElseMarker {
        int pos();
    }

    /** A parsed list item: a real node or a marker ending the list. */
    private record Item(Node node, MarkerNode marker) {
    }

    // ---- definitions

    private void parseDefinition() {
        String context = "define clause";
        String name = templateName(nextNonSpace(), context);
        expect(Kind.RIGHT_DELIM, context);
        parseNamedBody(name, context);
    }

    /** Parses the body of a define or block with its own variable scope, and records it. */
    private void parseNamedBody(String name, String context) {
        List<String> outerVars = vars;
        int outerRangeDepth = rangeDepth;
        vars = new ArrayList<>(List.of("$"));
        rangeDepth = 0;
        ListResult body = itemList();
        if (!(body.end() instanceof EndMarker)) {
            throw error(body.end().pos(), "unexpected " + body.end() + " in " + context);
        }
        vars = outerVars;
        rangeDepth = outerRangeDepth;
        Node.Sequence existing = definitions.get(name);
        if (existing == null || isEmptyTree(existing)) {
            definitions.put(name, body.list());
        } else if (!isEmptyTree(body.list())) {
            throw error(body.list().pos(), "template: multiple definition of template " + GoStrings.quote(name));
        }
    }

    private static boolean isEmptyTree(Node node) {
        return switch (node) {
            case Node.Sequence s -> s.nodes().stream().allMatch(TemplateParser::isEmptyTree);
            case Node.Text t -> t.text().isBlank();
            default -> false;
        };
    }

    private String templateName(Token token, String context) {
        if (token.kind() != Kind.STRING && token.kind() != Kind.RAW_STRING) {
            throw unexpected(token, context);
        }
        return unquote(token);
    }

    // ---- lists, text and actions

    private record ListResult(Node.Sequence list, MarkerNode end) {
    }

    private ListResult itemList() {
        List<Node> nodes = new ArrayList<>();
        int start = peekNonSpace().pos();
        while (peekNonSpace().kind() != Kind.EOF) {
            Item item = textOrActionItem();
            if (item.marker() != null) {
                return new ListResult(new Node.Sequence(start, nodes), item.marker());
            }
            nodes.add(item.node());
        }
        throw error(peek().pos(), "unexpected EOF");
    }

    private Node textOrAction() {
        Item item = textOrActionItem();
        if (item.marker() != null) {
            throw error(item.marker().pos(), "unexpected " + item.marker());
        }
        return item.node();
    }

    private Item textOrActionItem() {
        Token token = nextNonSpace();
        return switch (token.kind()) {
            case TEXT -> new Item(new Node.Text(token.pos(), token.value()), null);
            case LEFT_DELIM -> {
                int outerActionStart = actionStart;
                actionStart = token.pos();
                Item item = action();
                actionStart = outerActionStart;
                yield item;
            }
            default -> throw unexpected(token, "input");
        };
    }

    private Item action() {
        Token token = nextNonSpace();
        switch (token.kind()) {
            case BLOCK:
                return new Item(blockControl(), null);
            case BREAK:
                return new Item(loopControl(token, "{{break}}", new Node.Break(token.pos())), null);
            case CONTINUE:
                return new Item(loopControl(token, "{{continue}}", new Node.Continue(token.pos())), null);
            case ELSE:
                return new Item(null, elseControl());
            case END:
                return new Item(null, new EndMarker(expect(Kind.RIGHT_DELIM, "end").pos()));
            case IF:
            case RANGE:
            case WITH:
                return new Item(control(token), null);
            case TEMPLATE:
                return new Item(templateControl(), null);
            default:
                backup();
                int pos = peek().pos();
                return new Item(new Node.Action(pos, pipeline("command", Kind.RIGHT_DELIM)), null);
        }
    }

    private Node loopControl(Token keyword, String context, Node node) {
        Token token = nextNonSpace();
        if (token.kind() != Kind.RIGHT_DELIM) {
            throw unexpected(token, context);
        }
        if (rangeDepth == 0) {
            throw error(keyword.pos(), context + " outside {{range}}");
        }
        return node;
    }

    private MarkerNode elseControl() {
        Token peek = peekNonSpace();
        // "{{else if ...}}" and "{{else with ...}}" leave the keyword pending for the enclosing control
        if (peek.kind() == Kind.IF || peek.kind() == Kind.WITH) {
            return new ElseMarker(peek.pos());
        }
        return new ElseMarker(expect(Kind.RIGHT_DELIM, "else").pos());
    }

    /** if, range and with: pipeline, list, optional else list (or else-if/else-with chain), end. */
    private Node control(Token keyword) {
        nest(keyword.pos());
        try {
            return controlBody(keyword);
        } finally {
            nesting--;
        }
    }

    /** One level deeper; the parser recurses per level, so a bound keeps a hostile template off the stack's end. */
    private void nest(int pos) {
        if (++nesting > TemplateException.MAX_NESTING) {
            nesting--;
            throw source.overLimit(pos, "actions nested more than " + TemplateException.MAX_NESTING + " deep");
        }
    }

    private Node controlBody(Token keyword) {
        String context = keyword.value();
        int varsMark = vars.size();
        Node.Pipeline pipe = pipeline(context, Kind.RIGHT_DELIM);
        if (keyword.kind() == Kind.RANGE) {
            rangeDepth++;
        }
        ListResult body = itemList();
        if (keyword.kind() == Kind.RANGE) {
            rangeDepth--;
        }
        Node.Sequence elseList = null;
        if (body.end() instanceof ElseMarker marker) {
            Kind chained = peek().kind();
            if ((keyword.kind() == Kind.IF && chained == Kind.IF) || (keyword.kind() == Kind.WITH && chained == Kind.WITH)) {
                // {{if a}}x{{else if b}}y{{end}} is {{if a}}x{{else}}{{if b}}y{{end}}{{end}}
                Token nested = next();
                elseList = new Node.Sequence(marker.pos(), List.of(control(nested)));
            } else {
                ListResult rest = itemList();
                if (!(rest.end() instanceof EndMarker)) {
                    throw error(rest.end().pos(), "expected end; found " + rest.end());
                }
                elseList = rest.list();
            }
        }
        vars.subList(varsMark, vars.size()).clear();
        return switch (keyword.kind()) {
            case IF -> new Node.If(pipe.pos(), pipe, body.list(), elseList);
            case RANGE -> new Node.Range(pipe.pos(), pipe, body.list(), elseList);
            default -> new Node.With(pipe.pos(), pipe, body.list(), elseList);
        };
    }

    private Node templateControl() {
        String context = "template clause";
        Token token = nextNonSpace();
        String name = templateName(token, context);
        Node.Pipeline pipe = null;
        if (nextNonSpace().kind() != Kind.RIGHT_DELIM) {
            backup();
            pipe = pipeline(context, Kind.RIGHT_DELIM);
        }
        return new Node.Invoke(token.pos(), name, pipe);
    }

    /** {{block "name" pipeline}}body{{end}} defines "name" and invokes it in place. */
    private Node blockControl() {
        String context = "block clause";
        Token token = nextNonSpace();
        String name = templateName(token, context);
        Node.Pipeline pipe = pipeline(context, Kind.RIGHT_DELIM);
        parseNamedBody(name, context);
        return new Node.Invoke(token.pos(), name, pipe);
    }

    // ---- pipelines and commands

    private Node.Pipeline pipeline(String context, Kind end) {
        int pos = peekNonSpace().pos();
        List<Node.Variable> decl = new ArrayList<>();
        boolean isAssign = false;
        while (peekNonSpace().kind() == Kind.VARIABLE) {
            Token variable = next();
            Token afterVariable = peek();
            Token following = peekNonSpace();
            if (following.kind() == Kind.ASSIGN || following.kind() == Kind.DECLARE) {
                isAssign = following.kind() == Kind.ASSIGN;
                nextNonSpace();
                decl.add(declare(variable));
                break;
            } else if (following.kind() == Kind.CHAR && following.value().equals(",")) {
                nextNonSpace();
                decl.add(declare(variable));
                if (context.equals("range") && decl.size() < 2) {
                    Kind k = peekNonSpace().kind();
                    if (k == Kind.VARIABLE || k == Kind.RIGHT_DELIM || k == Kind.RIGHT_PAREN) {
                        continue; // the second variable of "range $i, $v := ..."
                    }
                    throw error(following.pos(), "range can only initialize variables");
                }
                throw error(following.pos(), "too many declarations in " + context);
            } else if (afterVariable.kind() == Kind.SPACE) {
                backup3(variable, afterVariable);
            } else {
                backup2(variable);
            }
            break;
        }
        List<Node.Command> cmds = new ArrayList<>();
        while (true) {
            Token token = nextNonSpace();
            if (token.kind() == end) {
                checkPipeline(token, cmds, context);
                return new Node.Pipeline(pos, isAssign, decl, cmds);
            }
            switch (token.kind()) {
                case BOOL, CHAR_CONSTANT, COMPLEX, DOT, FIELD, IDENTIFIER, NUMBER, NIL, RAW_STRING, STRING,
                     VARIABLE, LEFT_PAREN -> {
                    backup();
                    cmds.add(command());
                }
                default -> throw unexpected(token, context);
            }
        }
    }

    private Node.Variable declare(Token variable) {
        vars.add(variable.value());
        return new Node.Variable(variable.pos(), List.of(variable.value()));
    }

    private void checkPipeline(Token end, List<Node.Command> cmds, String context) {
        if (cmds.isEmpty()) {
            throw error(end.pos(), "missing value for " + context);
        }
        for (int i = 1; i < cmds.size(); i++) {
            Node first = cmds.get(i).args().getFirst();
            if (first instanceof Node.Bool || first instanceof Node.Dot || first instanceof Node.Nil
                    || first instanceof Node.Number || first instanceof Node.StringLiteral) {
                throw error(first.pos(), "non executable command in pipeline stage " + (i + 1));
            }
        }
    }

    private Node.Command command() {
        int pos = peekNonSpace().pos();
        List<Node> args = new ArrayList<>();
        while (true) {
            peekNonSpace();
            Node operand = operand();
            if (operand != null) {
                args.add(operand);
            }
            Token token = next();
            if (token.kind() == Kind.SPACE) {
                continue;
            }
            if (token.kind() == Kind.RIGHT_DELIM || token.kind() == Kind.RIGHT_PAREN) {
                backup();
            } else if (token.kind() != Kind.PIPE) {
                throw unexpected(token, "operand");
            }
            break;
        }
        if (args.isEmpty()) {
            throw error(pos, "empty command");
        }
        return new Node.Command(pos, args);
    }

    /** A term followed by any number of .Field accesses. */
    private Node operand() {
        Node term = term();
        if (term == null || peek().kind() != Kind.FIELD) {
            return term;
        }
        List<String> fields = new ArrayList<>();
        while (peek().kind() == Kind.FIELD) {
            fields.add(next().value().substring(1));
        }
        return switch (term) {
            case Node.Field f -> new Node.Field(f.pos(), concat(f.ident(), fields));
            case Node.Variable v -> new Node.Variable(v.pos(), concat(v.ident(), fields));
            case Node.Bool b -> throw error(b.pos(), "unexpected . after term " + GoStrings.quote(b.toString()));
            case Node.StringLiteral s -> throw error(s.pos(), "unexpected . after term " + GoStrings.quote(s.toString()));
            case Node.Number n -> throw error(n.pos(), "unexpected . after term " + GoStrings.quote(n.toString()));
            case Node.Nil n -> throw error(n.pos(), "unexpected . after term " + GoStrings.quote(n.toString()));
            case Node.Dot d -> throw error(d.pos(), "unexpected . after term " + GoStrings.quote(d.toString()));
            default -> new Node.Chain(term.pos(), term, fields);
        };
    }

    private static List<String> concat(List<String> head, List<String> tail) {
        List<String> all = new ArrayList<>(head);
        all.addAll(tail);
        return all;
    }

    private Node term() {
        Token token = nextNonSpace();
        return switch (token.kind()) {
            case IDENTIFIER -> {
                if (!isFunction.test(token.value())) {
                    throw error(token.pos(), "function " + GoStrings.quote(token.value()) + " not defined");
                }
                yield new Node.Identifier(token.pos(), token.value());
            }
            case DOT -> new Node.Dot(token.pos());
            case NIL -> new Node.Nil(token.pos());
            case VARIABLE -> useVariable(token);
            case FIELD -> new Node.Field(token.pos(), Arrays.asList(token.value().substring(1).split("\\.")));
            case BOOL -> new Node.Bool(token.pos(), token.value().equals("true"));
            case CHAR_CONSTANT, NUMBER -> new Node.Number(token.pos(), token.value(), numberValue(token));
            case COMPLEX -> throw error(token.pos(), "complex constants are not supported: " + token.value());
            case LEFT_PAREN -> {
                nest(token.pos());
                try {
                    yield pipeline("parenthesized pipeline", Kind.RIGHT_PAREN);
                } finally {
                    nesting--;
                }
            }
            case STRING, RAW_STRING -> new Node.StringLiteral(token.pos(), token.value(), unquote(token));
            default -> {
                backup();
                yield null;
            }
        };
    }

    private Node.Variable useVariable(Token token) {
        List<String> ident = Arrays.asList(token.value().split("\\."));
        if (!vars.contains(ident.getFirst())) {
            throw error(token.pos(), "undefined variable " + GoStrings.quote(ident.getFirst()));
        }
        return new Node.Variable(token.pos(), ident);
    }

    private String unquote(Token token) {
        try {
            return GoStrings.unquote(token.value());
        } catch (IllegalArgumentException e) {
            throw error(token.pos(), e.getMessage());
        }
    }

    /**
     * The value Go gives a constant where no type is known: characters and integers are int (here {@link Long}),
     * anything written with a fraction or exponent is float64 (here {@link Double}).
     */
    private Object numberValue(Token token) {
        String text = token.value();
        if (token.kind() == Kind.CHAR_CONSTANT) {
            try {
                return (long) GoStrings.unquote(text).codePointAt(0);
            } catch (IllegalArgumentException e) {
                throw error(token.pos(), "malformed character constant: " + text);
            }
        }
        String digits = text.replace("_", "");
        if (digits.endsWith("i")) {
            throw error(token.pos(), "complex constants are not supported: " + text);
        }
        boolean hex = digits.matches("[+-]?0[xX].*");
        boolean hasFractionOrExponent = hex ? digits.matches(".*[pP].*") : digits.matches(".*[.eE].*");
        try {
            if (hasFractionOrExponent) {
                return Double.parseDouble(digits);
            }
            try {
                return parseInteger(digits);
            } catch (NumberFormatException notInteger) {
                // Go falls back to the float reading, which accepts e.g. "089" as 89
                double value = Double.parseDouble(digits);
                if (value != Math.rint(value) || Math.abs(value) > Long.MAX_VALUE) {
                    throw notInteger;
                }
                return (long) value;
            }
        } catch (NumberFormatException e) {
            throw error(token.pos(), "illegal number syntax: " + GoStrings.quote(text));
        } catch (ArithmeticException e) {
            throw error(token.pos(), text + " overflows int");
        }
    }

    /** Go's integer literal with base prefix (0x, 0o, 0b, or a leading 0 for octal). */
    private static long parseInteger(String text) {
        boolean negative = text.startsWith("-");
        String unsigned = text.startsWith("-") || text.startsWith("+") ? text.substring(1) : text;
        int radix = 10;
        String digits = unsigned;
        if (unsigned.length() > 1 && unsigned.charAt(0) == '0') {
            char prefix = Character.toLowerCase(unsigned.charAt(1));
            switch (prefix) {
                case 'x' -> { radix = 16; digits = unsigned.substring(2); }
                case 'o' -> { radix = 8; digits = unsigned.substring(2); }
                case 'b' -> { radix = 2; digits = unsigned.substring(2); }
                default -> { radix = 8; digits = unsigned.substring(1); }
            }
        }
        if (digits.isEmpty()) {
            throw new NumberFormatException(text);
        }
        BigInteger value = new BigInteger(digits, radix);
        if (negative) {
            value = value.negate();
        }
        return value.longValueExact();
    }

    // ---- token look-ahead

    private Token next() {
        if (peekCount > 0) {
            peekCount--;
        } else {
            tokens[0] = lexer.next();
        }
        return tokens[peekCount];
    }

    private void backup() {
        peekCount++;
    }

    private void backup2(Token t1) {
        tokens[1] = t1;
        peekCount = 2;
    }

    private void backup3(Token t2, Token t1) {
        tokens[1] = t1;
        tokens[2] = t2;
        peekCount = 3;
    }

    private Token peek() {
        if (peekCount > 0) {
            return tokens[peekCount - 1];
        }
        peekCount = 1;
        tokens[0] = lexer.next();
        return tokens[0];
    }

    private Token nextNonSpace() {
        Token token;
        do {
            token = next();
        } while (token.kind() == Kind.SPACE);
        return token;
    }

    private Token peekNonSpace() {
        Token token = nextNonSpace();
        backup();
        return token;
    }

    private Token expect(Kind expected, String context) {
        Token token = nextNonSpace();
        if (token.kind() != expected) {
            throw unexpected(token, context);
        }
        return token;
    }

    // ---- errors

    private TemplateException unexpected(Token token, String context) {
        if (token.kind() == Kind.ERROR) {
            String extra = "";
            if (actionStart >= 0 && source.line(actionStart) != source.line(token.pos())) {
                String startedAt = " started at " + source.name() + ":" + source.line(actionStart);
                extra = token.value().endsWith(" action") ? startedAt : " in action" + startedAt;
            }
            return error(token.pos(), token.value() + extra);
        }
        return error(token.pos(), "unexpected " + token + " in " + context);
    }

    private TemplateException error(int pos, String message) {
        return source.error(pos, message);
    }
}
