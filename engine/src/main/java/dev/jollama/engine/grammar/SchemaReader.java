package dev.jollama.engine.grammar;

import dev.jollama.engine.grammar.NumberRanges.Bound;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Reads a JSON schema (as parsed into Java maps, lists, strings, numbers, booleans and nulls) into
 * {@link SchemaNode}s, rejecting keywords the compiler cannot honour and malformed values, and resolves local
 * {@code $ref}s. Unknown keywords are ignored, as JSON Schema asks; annotations such as {@code title} too.
 */
final class SchemaReader {
    /** Keywords holding a schema that constrain values in ways the grammar cannot express. */
    private static final Set<String> UNSUPPORTED_SCHEMAS = Set.of("not", "if", "then", "else", "contains",
            "propertyNames", "unevaluatedProperties", "unevaluatedItems");
    /** Keywords holding an object that constrain values in ways the grammar cannot express. */
    private static final Set<String> UNSUPPORTED_OBJECTS = Set.of("patternProperties", "dependentRequired",
            "dependentSchemas", "dependencies");
    /** Keywords holding a count. */
    private static final Set<String> UNSUPPORTED_COUNTS = Set.of("minContains", "maxContains", "maxProperties");
    /** Deeper allOf merges than this are taken for recursion through references. */
    private static final int MAX_MERGE_DEPTH = 64;

    private final Object document;
    private final Consumer<SchemaException> ignored;
    private final Map<String, SchemaNode> byPointer = new HashMap<>();
    /** References being merged in since the last property or item boundary: meeting one again is a cycle. */
    private Set<String> flattening = new HashSet<>();
    private int mergeDepth;

    /** @param ignored told of every keyword that is read but cannot constrain the grammar */
    SchemaReader(Object document, Consumer<SchemaException> ignored) {
        this.document = document;
        this.ignored = ignored;
    }

    SchemaNode root() {
        return read(document, "");
    }

    /** The node a {@code $ref} (already resolved to a pointer) names. */
    SchemaNode target(String pointer) {
        SchemaNode node = byPointer.get(pointer);
        if (node == null) {
            node = read(navigate(pointer), pointer);
            byPointer.put(pointer, node);
        }
        return node;
    }

    /**
     * The node with its {@code $ref} and {@code allOf} merged in, so only plain keywords and anyOf remain.
     *
     * @throws SchemaException when a reference leads back to itself before any content
     */
    SchemaNode flattened(SchemaNode node) {
        if (node.ref == null && node.allOf == null) {
            return node;
        }
        SchemaNode result = node.without(true, true, false);
        if (node.ref != null) {
            if (!flattening.add(node.ref)) {
                throw SchemaException.invalid("$ref", node.pointer, "refers back to itself before any content");
            }
            try {
                result = both(result, target(node.ref));
            } finally {
                flattening.remove(node.ref);
            }
        }
        if (node.allOf != null) {
            for (SchemaNode part : node.allOf) {
                result = both(result, part);
            }
        }
        return result;
    }

    /** Both schemas at once (allOf of two), references resolved. */
    private SchemaNode both(SchemaNode a, SchemaNode b) {
        if (++mergeDepth > MAX_MERGE_DEPTH) {
            throw SchemaException.unsupported("allOf", a.pointer, "combining recursive schemas");
        }
        try {
            return flattened(a).and(flattened(b), this::bothInside);
        } finally {
            mergeDepth--;
        }
    }

    /** {@link #both} for the schemas of a property or of items, which sit behind content of their own. */
    private SchemaNode bothInside(SchemaNode a, SchemaNode b) {
        Set<String> outer = flattening;
        flattening = new HashSet<>();
        try {
            return both(a, b);
        } finally {
            flattening = outer;
        }
    }

    private SchemaNode read(Object schema, String pointer) {
        if (schema instanceof Boolean b) {
            return b ? SchemaNode.always(pointer) : SchemaNode.never(pointer);
        }
        if (!(schema instanceof Map<?, ?> map)) {
            throw SchemaException.invalid("schema", pointer, "a schema must be an object or a boolean");
        }
        SchemaNode node = new SchemaNode(pointer);
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            readKeyword(node, String.valueOf(entry.getKey()), entry.getValue(), map);
        }
        return node;
    }

    private void readKeyword(SchemaNode node, String keyword, Object value, Map<?, ?> schema) {
        String at = node.pointer;
        switch (keyword) {
            case "type" -> node.types = types(value, at);
            case "enum" -> node.values = new ArrayList<>(list(value, keyword, at)); // enum values may be null
            case "const" -> node.values = Collections.singletonList(value);
            case "$ref" -> node.ref = refPointer(string(value, keyword, at), at);
            case "anyOf", "oneOf" -> node.anyOf = subschemas(value, keyword, at);
            case "allOf" -> node.allOf = subschemas(value, keyword, at);
            case "properties" -> {
                for (Map.Entry<?, ?> property : map(value, keyword, at).entrySet()) {
                    String name = String.valueOf(property.getKey());
                    node.properties.put(name, read(property.getValue(), at + "/properties/" + escape(name)));
                }
            }
            case "required" -> {
                for (Object name : list(value, keyword, at)) {
                    if (!(name instanceof String s)) {
                        throw SchemaException.invalid(keyword, at, "must be an array of strings");
                    }
                    node.required.add(s);
                }
            }
            case "additionalProperties" -> node.additionalProperties = read(value, at + "/additionalProperties");
            case "prefixItems" -> node.prefixItems = subschemas(value, keyword, at);
            case "items" -> {
                if (value instanceof List<?>) { // the tuple form of drafts before 2020-12
                    node.prefixItems = subschemas(value, keyword, at);
                } else {
                    node.items = read(value, at + "/items");
                }
            }
            case "additionalItems" -> {
                if (schema.get("items") instanceof List<?>) {
                    node.items = read(value, at + "/additionalItems");
                }
            }
            case "minItems" -> node.minItems = count(value, keyword, at);
            case "maxItems" -> node.maxItems = count(value, keyword, at);
            case "minLength" -> node.minLength = count(value, keyword, at);
            case "maxLength" -> node.maxLength = count(value, keyword, at);
            case "pattern" -> node.patterns.add(string(value, keyword, at));
            case "format" -> {
                String format = string(value, keyword, at);
                if (StringFormats.of(format) != null) {
                    node.format = format;
                    node.formatPointer = at;
                } else {
                    ignored.accept(SchemaException.unsupported(keyword, at, "unknown format " + JsonText.string(format)));
                }
            }
            case "minimum" -> node.lower = SchemaNode.tighterLower(node.lower, bound(value, keyword, at, schema, "exclusiveMinimum"));
            case "maximum" -> node.upper = SchemaNode.tighterUpper(node.upper, bound(value, keyword, at, schema, "exclusiveMaximum"));
            case "exclusiveMinimum" -> {
                if (!(value instanceof Boolean)) { // the draft-04 boolean form modifies "minimum" instead
                    node.lower = SchemaNode.tighterLower(node.lower, new Bound(decimal(number(value, keyword, at)), false));
                }
            }
            case "exclusiveMaximum" -> {
                if (!(value instanceof Boolean)) {
                    node.upper = SchemaNode.tighterUpper(node.upper, new Bound(decimal(number(value, keyword, at)), false));
                }
            }
            case "uniqueItems" -> {
                if (!(value instanceof Boolean unique)) {
                    throw SchemaException.invalid(keyword, at, "must be a boolean");
                }
                if (unique) {
                    ignored.accept(SchemaException.unsupported(keyword, at));
                }
            }
            case "minProperties" -> {
                if (count(value, keyword, at) > 0) {
                    ignored.accept(SchemaException.unsupported(keyword, at));
                }
            }
            case "multipleOf" -> {
                if (decimal(number(value, keyword, at)).signum() <= 0) {
                    throw SchemaException.invalid(keyword, at, "must be greater than 0");
                }
                ignored.accept(SchemaException.unsupported(keyword, at));
            }
            case String k when UNSUPPORTED_SCHEMAS.contains(k) -> {
                read(value, at + "/" + escape(keyword)); // checked, so a malformed schema is still an error
                ignored.accept(SchemaException.unsupported(keyword, at));
            }
            case String k when UNSUPPORTED_OBJECTS.contains(k) -> {
                map(value, keyword, at);
                ignored.accept(SchemaException.unsupported(keyword, at));
            }
            case "$dynamicRef", "$recursiveRef" -> {
                string(value, keyword, at);
                ignored.accept(SchemaException.unsupported(keyword, at));
            }
            case String k when UNSUPPORTED_COUNTS.contains(k) -> {
                count(value, keyword, at);
                ignored.accept(SchemaException.unsupported(keyword, at));
            }
            default -> {
                // annotations ($schema, $id, title, description, default, examples, ...), $defs, and unknown keywords
            }
        }
    }

    private static EnumSet<JsonType> types(Object value, String at) {
        List<?> names = value instanceof List<?> list ? list : List.of(value);
        EnumSet<JsonType> types = EnumSet.noneOf(JsonType.class);
        for (Object name : names) {
            JsonType type = name instanceof String s ? JsonType.named(s) : null;
            if (type == null) {
                throw SchemaException.invalid("type", at, "unknown type " + JsonText.write(name));
            }
            types.add(type);
        }
        return types;
    }

    private List<SchemaNode> subschemas(Object value, String keyword, String at) {
        List<?> list = list(value, keyword, at);
        List<SchemaNode> nodes = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            nodes.add(read(list.get(i), at + "/" + keyword + "/" + i));
        }
        return nodes;
    }

    private static Bound bound(Object value, String keyword, String at, Map<?, ?> schema, String draft4Exclusive) {
        return new Bound(decimal(number(value, keyword, at)), !Boolean.TRUE.equals(schema.get(draft4Exclusive)));
    }

    /** Only references into this document: "#" and "#/json/pointer" (percent-encoded as URI fragments are). */
    private static String refPointer(String ref, String at) {
        if (!ref.equals("#") && !ref.startsWith("#/")) {
            throw SchemaException.unsupported("$ref", at, "only local references (#/...) are supported, got " + JsonText.string(ref));
        }
        return URLDecoder.decode(ref.substring(1).replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private Object navigate(String pointer) {
        Object at = document;
        if (pointer.isEmpty()) {
            return at;
        }
        for (String token : pointer.substring(1).split("/", -1)) {
            String key = token.replace("~1", "/").replace("~0", "~");
            if (at instanceof Map<?, ?> map && map.containsKey(key)) {
                at = map.get(key);
            } else if (at instanceof List<?> list && key.matches("\\d+") && Integer.parseInt(key) < list.size()) {
                at = list.get(Integer.parseInt(key));
            } else {
                throw SchemaException.invalid("$ref", pointer, "nothing at this pointer");
            }
        }
        return at;
    }

    static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }

    static BigDecimal decimal(Number n) {
        return switch (n) {
            case BigDecimal d -> d;
            case BigInteger i -> new BigDecimal(i);
            case Integer i -> BigDecimal.valueOf(i);
            case Long l -> BigDecimal.valueOf(l);
            default -> new BigDecimal(n.toString());
        };
    }

    private static List<?> list(Object value, String keyword, String at) {
        if (value instanceof List<?> list) {
            return list;
        }
        throw SchemaException.invalid(keyword, at, "must be an array");
    }

    private static Map<?, ?> map(Object value, String keyword, String at) {
        if (value instanceof Map<?, ?> map) {
            return map;
        }
        throw SchemaException.invalid(keyword, at, "must be an object");
    }

    private static String string(Object value, String keyword, String at) {
        if (value instanceof String s) {
            return s;
        }
        throw SchemaException.invalid(keyword, at, "must be a string");
    }

    private static Number number(Object value, String keyword, String at) {
        if (value instanceof Number n && !(n instanceof Double d && (d.isNaN() || d.isInfinite()))) {
            return n;
        }
        throw SchemaException.invalid(keyword, at, "must be a number");
    }

    private static int count(Object value, String keyword, String at) {
        if (value instanceof Number n) {
            BigDecimal d = decimal(number(n, keyword, at));
            if (d.signum() >= 0 && d.stripTrailingZeros().scale() <= 0) {
                return d.compareTo(BigDecimal.valueOf(Integer.MAX_VALUE)) > 0 ? Integer.MAX_VALUE : d.intValueExact();
            }
        }
        throw SchemaException.invalid(keyword, at, "must be a non-negative integer");
    }
}
