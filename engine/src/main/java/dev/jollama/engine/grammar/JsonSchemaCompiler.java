package dev.jollama.engine.grammar;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Supplier;

import static dev.jollama.engine.grammar.Expression.chars;
import static dev.jollama.engine.grammar.Expression.choice;
import static dev.jollama.engine.grammar.Expression.empty;
import static dev.jollama.engine.grammar.Expression.literal;
import static dev.jollama.engine.grammar.Expression.nothing;
import static dev.jollama.engine.grammar.Expression.optional;
import static dev.jollama.engine.grammar.Expression.ref;
import static dev.jollama.engine.grammar.Expression.repeat;
import static dev.jollama.engine.grammar.Expression.sequence;
import static dev.jollama.engine.grammar.Expression.zeroOrMore;
import static dev.jollama.engine.grammar.JsonSyntax.WHITESPACE;

/**
 * Compiles a JSON schema to a grammar whose every complete match validates against it.
 *
 * <p>Where the schema leaves a choice, the grammar picks a subset of the valid values: properties come in
 * declaration order; an absent {@code additionalProperties} means none when {@code properties} is given (as
 * llama.cpp), extra keys are written without escapes; items after {@code prefixItems} only when {@code items}
 * allows them; numbers have at most 16 integral and 16 fraction digits (no exponent when bounded); dates are of
 * years 1000 to 9999; strings and arrays with a maxLength or maxItems above 1000 are generated up to 1000 (a
 * minLength or minItems above 1000 is refused); without {@code type}, the type follows from the keywords present
 * (any value when none).
 * Approximations that may fail validation: {@code oneOf} is generated as {@code anyOf}, so a value matching
 * several alternatives fails it; {@code enum}/{@code const} values of object or array type are checked against
 * the rest of the schema by type only. Formats other than date, time, date-time and uuid are not enforced.
 *
 * <p>Objects, arrays and {@code $ref} targets become rules (references compile once, so recursion works); the rest
 * is inlined.
 */
public final class JsonSchemaCompiler {
    /** Nested schemas compiled without content in between beyond this are taken for a reference cycle. */
    private static final int MAX_DEPTH_WITHOUT_CONTENT = 100;
    /** The largest length or item count generated (see {@link #countLimit}). */
    private static final int MAX_COUNT = 1000;

    private final SchemaReader reader;
    private final Consumer<SchemaException> ignored;
    private final Map<String, Expression> rules = new LinkedHashMap<>(JsonSyntax.valueRules());
    private final Map<String, String> refRules = new HashMap<>();
    /** References entered since the last content (an opening brace or bracket). */
    private Set<String> openRefs = new HashSet<>();
    private int depthWithoutContent;

    private JsonSchemaCompiler(Object schema, Consumer<SchemaException> ignored) {
        this.reader = new SchemaReader(schema, ignored);
        this.ignored = ignored;
    }

    /**
     * The grammar of JSON text valid against the schema (a little leading whitespace allowed, nothing after).
     *
     * @param schema  the schema as parsed JSON: maps, lists, strings, numbers, booleans and nulls
     * @param ignored told of each keyword the grammar cannot express (see {@link SchemaException#isUnsupported}),
     *                which then does not constrain the output, as the reference's converter ignores them
     * @throws SchemaException when the schema is malformed or cannot be satisfied
     */
    public static Grammar compile(Object schema, Consumer<SchemaException> ignored) {
        JsonSchemaCompiler compiler = new JsonSchemaCompiler(schema, ignored);
        Expression root = compiler.compile(compiler.reader.root());
        Grammar grammar = Grammar.of(sequence(WHITESPACE, root), compiler.rules);
        if (!grammar.matchesSomething()) {
            throw SchemaException.unsatisfiable("", "");
        }
        return grammar;
    }

    private Expression compile(SchemaNode node) {
        if (++depthWithoutContent > MAX_DEPTH_WITHOUT_CONTENT) {
            throw SchemaException.invalid("$ref", node.pointer, "refers back to itself before any content");
        }
        try {
            return compileNode(node);
        } finally {
            depthWithoutContent--;
        }
    }

    private Expression compileNode(SchemaNode node) {
        if (node.never) {
            return nothing();
        }
        if (node.isPlainRef()) {
            return refRule(node.ref, node.pointer);
        }
        if (node.ref != null || node.allOf != null) {
            return compile(reader.flattened(node));
        }
        if (node.anyOf != null) {
            SchemaNode rest = node.without(false, false, true);
            List<Expression> alternatives = new ArrayList<>();
            for (SchemaNode alternative : node.anyOf) {
                alternatives.add(compile(rest.hasTypeConstraints() || rest.values != null ? SchemaNode.allOf(rest, alternative) : alternative));
            }
            return choice(alternatives);
        }
        if (node.values != null) {
            return values(node);
        }
        return typed(node);
    }

    /** The rule of a reference's target, compiled on first use. */
    private Expression refRule(String target, String pointer) {
        if (openRefs.contains(target)) {
            throw SchemaException.invalid("$ref", pointer, "refers back to itself before any content");
        }
        String name = refRules.get(target);
        if (name == null) {
            name = ruleName("#" + target);
            refRules.put(target, name);
            rules.put(name, nothing()); // reserved; recursive references see the name
            openRefs.add(target);
            Expression body = compile(reader.target(target));
            openRefs.remove(target);
            rules.put(name, body);
        }
        return ref(name);
    }

    /** The listed values, each checked against the rest of the schema where that rest is a plain expression. */
    private Expression values(SchemaNode node) {
        SchemaNode rest = node.withoutValues();
        EnumSet<JsonType> types = rest.types != null ? rest.types : inferredTypes(rest);
        List<Expression> literals = new ArrayList<>();
        for (Object value : node.values) {
            if (types == null || types.stream().anyMatch(type -> type.holds(value))) {
                literals.add(literal(JsonText.write(value)));
            }
        }
        if (literals.isEmpty()) {
            throw SchemaException.unsatisfiable(node.values.size() == 1 ? "const" : "enum", node.pointer);
        }
        Expression listed = choice(literals);
        if (!rest.hasTypeConstraints()) {
            return listed;
        }
        Expression restExpression = typed(rest);
        return refersToRules(restExpression) ? listed : Expression.intersection(listed, restExpression);
    }

    private Expression typed(SchemaNode node) {
        EnumSet<JsonType> types = node.types != null ? node.types : inferredTypes(node);
        if (types == null) {
            return JsonSyntax.anyValue();
        }
        List<Expression> alternatives = new ArrayList<>();
        for (JsonType type : types) {
            switch (type) {
                case NULL -> alternatives.add(literal("null"));
                case BOOLEAN -> alternatives.add(choice(literal("true"), literal("false")));
                case INTEGER -> {
                    if (!types.contains(JsonType.NUMBER)) {
                        alternatives.add(node.hasNumberKeywords() ? NumberRanges.integers(node.lower, node.upper) : JsonSyntax.INTEGER);
                    }
                }
                case NUMBER -> alternatives.add(node.hasNumberKeywords() ? NumberRanges.decimals(node.lower, node.upper) : JsonSyntax.NUMBER);
                case STRING -> alternatives.add(string(node));
                case ARRAY -> alternatives.add(rule(node, afterContent(() -> array(node))));
                case OBJECT -> alternatives.add(rule(node, afterContent(() -> object(node))));
            }
        }
        return choice(alternatives);
    }

    /** Without {@code type}: the types whose keywords appear, or null (any value) when none do. */
    private static EnumSet<JsonType> inferredTypes(SchemaNode node) {
        EnumSet<JsonType> types = EnumSet.noneOf(JsonType.class);
        if (node.hasObjectKeywords()) {
            types.add(JsonType.OBJECT);
        }
        if (node.hasArrayKeywords()) {
            types.add(JsonType.ARRAY);
        }
        if (node.hasStringKeywords()) {
            types.add(JsonType.STRING);
        }
        if (node.hasNumberKeywords()) {
            types.add(JsonType.NUMBER);
        }
        return types.isEmpty() ? null : types;
    }

    private Expression string(SchemaNode node) {
        List<Expression> constraints = new ArrayList<>();
        if (node.format != null) {
            constraints.add(StringFormats.of(node.format));
        }
        for (String pattern : node.patterns) {
            try {
                constraints.add(RegexPattern.compile(pattern, node.pointer));
            } catch (SchemaException e) {
                if (!e.isUnsupported()) {
                    throw e;
                }
                ignored.accept(e);
            }
        }
        if (node.maxLength >= 0 && node.maxLength < node.minLength) {
            throw SchemaException.unsatisfiable("maxLength", node.pointer);
        }
        Expression anyLength = repeat(JsonSyntax.STRING_CHAR, node.minLength,
                countLimit(node.minLength, node.maxLength, "minLength", node.pointer));
        if (constraints.isEmpty() || node.minLength > 0 || node.maxLength >= 0) {
            constraints.add(anyLength);
        }
        Expression content = constraints.getFirst();
        for (Expression constraint : constraints.subList(1, constraints.size())) {
            content = Expression.intersection(content, constraint);
        }
        return JsonSyntax.quoted(content);
    }

    /**
     * Properties in declaration order, each optional one skippable; commas only between written members, which the
     * "comma needed" variants of each tail take care of (shared, so the size stays linear).
     */
    private Expression object(SchemaNode node) {
        SchemaNode additional = node.additionalProperties;
        if (additional == null) {
            additional = node.properties.isEmpty() ? SchemaNode.always(node.pointer) : SchemaNode.never(node.pointer);
        }
        Map<String, SchemaNode> properties = new LinkedHashMap<>(node.properties);
        for (String name : node.required) {
            if (!properties.containsKey(name)) {
                if (additional.never) {
                    throw SchemaException.unsatisfiable("required", node.pointer);
                }
                properties.put(name, additional);
            }
        }
        Expression[] withComma = new Expression[properties.size() + 1];
        Expression[] first = new Expression[properties.size() + 1];
        Expression extra = additional.never ? null : additionalMember(properties.keySet(), compile(additional));
        withComma[properties.size()] = extra == null ? empty() : zeroOrMore(sequence(literal(","), WHITESPACE, extra, WHITESPACE));
        first[properties.size()] = extra == null ? empty() : optional(sequence(extra, WHITESPACE, withComma[properties.size()]));
        List<Map.Entry<String, SchemaNode>> members = new ArrayList<>(properties.entrySet());
        for (int i = members.size() - 1; i >= 0; i--) {
            String name = members.get(i).getKey();
            boolean required = node.required.contains(name);
            if (required && members.get(i).getValue().never) {
                throw SchemaException.unsatisfiable("required", node.pointer);
            }
            Expression value = compile(members.get(i).getValue());
            Expression member = sequence(literal(JsonText.string(name)), WHITESPACE, literal(":"), WHITESPACE, value,
                    WHITESPACE, withComma[i + 1]);
            Expression afterComma = sequence(literal(","), WHITESPACE, member);
            withComma[i] = required ? afterComma : choice(afterComma, withComma[i + 1]);
            first[i] = required ? member : choice(member, first[i + 1]);
        }
        return sequence(literal("{"), WHITESPACE, first[0], literal("}"));
    }

    /** A member with a key other than the declared ones; such keys are written without escapes. */
    private static Expression additionalMember(Set<String> declared, Expression value) {
        return sequence(JsonSyntax.quoted(keyOtherThan(declared)), WHITESPACE, literal(":"), WHITESPACE, value);
    }

    /** Unescaped string content that differs from every given string: walk the strings' trie, leave it somewhere. */
    private static Expression keyOtherThan(Set<String> excluded) {
        return keyOtherThan(excluded, "");
    }

    private static Expression keyOtherThan(Set<String> excluded, String prefix) {
        TreeMap<Integer, Boolean> nextChars = new TreeMap<>();
        for (String s : excluded) {
            if (s.startsWith(prefix) && s.length() > prefix.length()) {
                nextChars.put(s.codePointAt(prefix.length()), true);
            }
        }
        Expression anyRest = zeroOrMore(chars(JsonSyntax.UNESCAPED));
        List<Expression> alternatives = new ArrayList<>();
        if (!excluded.contains(prefix)) {
            alternatives.add(empty());
        }
        CharClass others = JsonSyntax.UNESCAPED.minus(CharClass.NONE.union(nextChars.keySet().stream().map(CharClass::of).toArray(CharClass[]::new)));
        alternatives.add(sequence(chars(others), anyRest));
        for (int c : nextChars.keySet()) {
            if (JsonSyntax.UNESCAPED.contains(c)) {
                alternatives.add(sequence(literal(Character.toString(c)), keyOtherThan(excluded, prefix + Character.toString(c))));
            }
        }
        return choice(alternatives);
    }

    /**
     * The prefix items, each present only if all before it are (an array may end after any of them once minItems
     * is met), then the remaining items within the count bounds.
     */
    private Expression array(SchemaNode node) {
        List<SchemaNode> prefix = node.prefixItems;
        boolean moreAllowed = node.items != null ? !node.items.never : prefix.isEmpty();
        int max = countLimit(node.minItems, node.maxItems, "minItems", node.pointer);
        if (!moreAllowed) {
            max = max < 0 ? prefix.size() : Math.min(max, prefix.size());
        }
        if (max >= 0 && max < node.minItems) {
            throw SchemaException.unsatisfiable(node.maxItems >= 0 ? "maxItems" : "minItems", node.pointer);
        }
        int k = prefix.size();
        Expression rest = empty();
        if (max < 0 || max > k) {
            Expression item = compile(node.items != null ? node.items : SchemaNode.always(node.pointer));
            int restMin = Math.max(0, node.minItems - k);
            int restMax = max < 0 ? Expression.Repeat.UNBOUNDED : max - k;
            rest = k == 0 ? JsonSyntax.items(item, restMin, restMax)
                    : repeat(sequence(literal(","), WHITESPACE, item, WHITESPACE), restMin, restMax);
        }
        Expression tail = rest;
        for (int i = Math.min(k, max < 0 ? k : max) - 1; i >= 0; i--) {
            Expression element = sequence(i == 0 ? empty() : sequence(literal(","), WHITESPACE), compile(prefix.get(i)), WHITESPACE, tail);
            tail = i >= node.minItems ? optional(element) : element;
        }
        return sequence(literal("["), WHITESPACE, tail, literal("]"));
    }

    /**
     * The upper count of a bounded repetition as generated: at most {@value #MAX_COUNT}, since every count is a copy
     * in the automaton (longer strings and arrays are valid but not generated); {@link Expression.Repeat#UNBOUNDED}
     * when {@code max} is absent (negative).
     */
    private static int countLimit(int min, int max, String minKeyword, String pointer) {
        if (min > MAX_COUNT) {
            throw SchemaException.unsupported(minKeyword, pointer, "counts above " + MAX_COUNT + " are not supported");
        }
        return max < 0 ? Expression.Repeat.UNBOUNDED : Math.min(max, MAX_COUNT);
    }

    /** Compiles an object's or array's content, which follows an opening brace or bracket. */
    private Expression afterContent(Supplier<Expression> content) {
        Set<String> outerRefs = openRefs;
        int outerDepth = depthWithoutContent;
        openRefs = new HashSet<>();
        depthWithoutContent = 0;
        try {
            return content.get();
        } finally {
            openRefs = outerRefs;
            depthWithoutContent = outerDepth;
        }
    }

    /** Objects and arrays become rules, so repeating them repeats a call rather than their whole automaton. */
    private Expression rule(SchemaNode node, Expression body) {
        String name = ruleName("#" + node.pointer);
        rules.put(name, body);
        return ref(name);
    }

    private String ruleName(String base) {
        String name = base;
        for (int n = 2; rules.containsKey(name); n++) {
            name = base + "~" + n;
        }
        return name;
    }

    private static boolean refersToRules(Expression expression) {
        return switch (expression) {
            case Expression.RuleRef ref -> true;
            case Expression.ByteRange range -> false;
            case Expression.Sequence sequence -> sequence.items().stream().anyMatch(JsonSchemaCompiler::refersToRules);
            case Expression.Choice choice -> choice.alternatives().stream().anyMatch(JsonSchemaCompiler::refersToRules);
            case Expression.Repeat repeat -> refersToRules(repeat.body());
            case Expression.Intersection both -> refersToRules(both.left()) || refersToRules(both.right());
        };
    }
}
