package dev.jollama.engine.grammar;

import dev.jollama.engine.grammar.NumberRanges.Bound;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One schema object, read and checked: the keywords the compiler supports, in typed form. Filled in once by
 * {@link SchemaReader} or by {@link #and}, then only read. Absent keywords are null (or their neutral value).
 */
final class SchemaNode {
    /** Where the schema object is, for error messages and rule names. */
    final String pointer;
    /** The schema {@code false}, or a combination no value satisfies. */
    boolean never;
    EnumSet<JsonType> types;
    /** {@code enum}, or {@code const} as a one-value list: JSON values as parsed. */
    List<Object> values;
    /** The JSON pointer a {@code $ref} resolves to. */
    String ref;
    /** {@code anyOf} or {@code oneOf} (generated alike: see {@link JsonSchemaCompiler}). */
    List<SchemaNode> anyOf;
    List<SchemaNode> allOf;

    Map<String, SchemaNode> properties = new LinkedHashMap<>();
    LinkedHashSet<String> required = new LinkedHashSet<>();
    /** null when absent; otherwise a schema ({@code true} and {@code false} are nodes too). */
    SchemaNode additionalProperties;

    List<SchemaNode> prefixItems = new ArrayList<>();
    /** The schema of items after the prefix; null when absent. */
    SchemaNode items;
    int minItems;
    int maxItems = -1;

    int minLength;
    int maxLength = -1;
    List<String> patterns = new ArrayList<>();
    String format;
    /** From the pointer of {@code format}, for errors. */
    String formatPointer;

    Bound lower;
    Bound upper;

    SchemaNode(String pointer) {
        this.pointer = pointer;
    }

    static SchemaNode always(String pointer) {
        return new SchemaNode(pointer);
    }

    static SchemaNode never(String pointer) {
        SchemaNode node = new SchemaNode(pointer);
        node.never = true;
        return node;
    }

    /** A node for both schemas, merged when compiled; it takes the pointer of the second. */
    static SchemaNode allOf(SchemaNode a, SchemaNode b) {
        SchemaNode node = new SchemaNode(b.pointer);
        node.allOf = List.of(a, b);
        return node;
    }

    /** Whether the node constrains anything beyond {@code enum}/{@code const} and the combinators. */
    boolean hasTypeConstraints() {
        return types != null || hasObjectKeywords() || hasArrayKeywords() || hasStringKeywords() || hasNumberKeywords();
    }

    boolean hasObjectKeywords() {
        return !properties.isEmpty() || !required.isEmpty() || additionalProperties != null;
    }

    boolean hasArrayKeywords() {
        return !prefixItems.isEmpty() || items != null || minItems > 0 || maxItems >= 0;
    }

    boolean hasStringKeywords() {
        return minLength > 0 || maxLength >= 0 || !patterns.isEmpty() || format != null;
    }

    boolean hasNumberKeywords() {
        return lower != null || upper != null;
    }

    /** Whether the node is nothing but a reference, which compiles to a rule (so recursion works). */
    boolean isPlainRef() {
        return ref != null && !never && values == null && anyOf == null && allOf == null && !hasTypeConstraints();
    }

    /** A copy without the given combinator parts, for distributing and merging. */
    SchemaNode without(boolean ref, boolean allOf, boolean anyOf) {
        SchemaNode copy = copy();
        copy.ref = ref ? null : this.ref;
        copy.allOf = allOf ? null : this.allOf;
        copy.anyOf = anyOf ? null : this.anyOf;
        return copy;
    }

    SchemaNode withoutValues() {
        SchemaNode copy = copy();
        copy.values = null;
        return copy;
    }

    private SchemaNode copy() {
        SchemaNode copy = new SchemaNode(pointer);
        copy.never = never;
        copy.types = types == null ? null : EnumSet.copyOf(types);
        copy.values = values;
        copy.ref = ref;
        copy.anyOf = anyOf;
        copy.allOf = allOf;
        copy.properties = new LinkedHashMap<>(properties);
        copy.required = new LinkedHashSet<>(required);
        copy.additionalProperties = additionalProperties;
        copy.prefixItems = new ArrayList<>(prefixItems);
        copy.items = items;
        copy.minItems = minItems;
        copy.maxItems = maxItems;
        copy.minLength = minLength;
        copy.maxLength = maxLength;
        copy.patterns = new ArrayList<>(patterns);
        copy.format = format;
        copy.formatPointer = formatPointer;
        copy.lower = lower;
        copy.upper = upper;
        return copy;
    }

    /**
     * The schema both nodes describe (allOf), for nodes without {@code $ref} and {@code allOf} (see
     * {@link SchemaReader#flattened}). {@code merge} combines the sub-schemas of properties and items.
     */
    SchemaNode and(SchemaNode other, Merge merge) {
        SchemaNode out = copy();
        out.never = never || other.never;
        out.types = types == null ? other.types : other.types == null ? types : intersectTypes(types, other.types);
        out.values = values == null ? other.values : other.values == null ? values : commonValues(values, other.values);
        out.anyOf = anyOf == null ? other.anyOf : other.anyOf == null ? anyOf : crossProduct(anyOf, other.anyOf);
        mergeObject(other, out, merge);
        mergeArray(other, out, merge);
        out.minLength = Math.max(minLength, other.minLength);
        out.maxLength = minLimit(maxLength, other.maxLength);
        out.patterns.addAll(other.patterns);
        if (format != null && other.format != null && !format.equals(other.format)) {
            throw SchemaException.unsupported("format", other.formatPointer, "two different formats apply to one value");
        }
        out.format = format != null ? format : other.format;
        out.formatPointer = format != null ? formatPointer : other.formatPointer;
        out.lower = tighterLower(lower, other.lower);
        out.upper = tighterUpper(upper, other.upper);
        return out;
    }

    /** Combines two sub-schemas; supplied by the caller, which resolves references in them. */
    interface Merge {
        SchemaNode both(SchemaNode a, SchemaNode b);
    }

    private void mergeObject(SchemaNode other, SchemaNode out, Merge merge) {
        out.properties = new LinkedHashMap<>(properties);
        other.properties.forEach((name, schema) -> out.properties.merge(name, schema, merge::both));
        out.required.addAll(other.required);
        // A side's additionalProperties applies to every property the other side adds.
        restrictByAdditional(this, out, merge);
        restrictByAdditional(other, out, merge);
        if (additionalProperties == null || other.additionalProperties == null) {
            out.additionalProperties = additionalProperties != null ? additionalProperties : other.additionalProperties;
        } else {
            out.additionalProperties = merge.both(additionalProperties, other.additionalProperties);
        }
    }

    private static void restrictByAdditional(SchemaNode side, SchemaNode out, Merge merge) {
        if (side.additionalProperties == null) {
            return;
        }
        for (String name : List.copyOf(out.properties.keySet())) {
            if (!side.properties.containsKey(name)) {
                out.properties.put(name, merge.both(out.properties.get(name), side.additionalProperties));
            }
        }
    }

    private void mergeArray(SchemaNode other, SchemaNode out, Merge merge) {
        if (!prefixItems.isEmpty() && !other.prefixItems.isEmpty()) {
            throw SchemaException.unsupported("prefixItems", other.pointer, "combined with another prefixItems by allOf");
        }
        out.prefixItems = new ArrayList<>(prefixItems.isEmpty() ? other.prefixItems : prefixItems);
        out.items = items == null ? other.items : other.items == null ? items : merge.both(items, other.items);
        out.minItems = Math.max(minItems, other.minItems);
        out.maxItems = minLimit(maxItems, other.maxItems);
    }

    /** Every pair of alternatives, each pair as an allOf left for the compiler to merge. */
    private static List<SchemaNode> crossProduct(List<SchemaNode> a, List<SchemaNode> b) {
        List<SchemaNode> out = new ArrayList<>();
        for (SchemaNode x : a) {
            for (SchemaNode y : b) {
                out.add(allOf(x, y));
            }
        }
        return out;
    }

    private static EnumSet<JsonType> intersectTypes(EnumSet<JsonType> a, EnumSet<JsonType> b) {
        EnumSet<JsonType> out = EnumSet.noneOf(JsonType.class);
        for (JsonType type : a) {
            if (b.contains(type) || (type == JsonType.INTEGER && b.contains(JsonType.NUMBER))) {
                out.add(type);
            } else if (type == JsonType.NUMBER && b.contains(JsonType.INTEGER)) {
                out.add(JsonType.INTEGER);
            }
        }
        return out;
    }

    private static List<Object> commonValues(List<Object> a, List<Object> b) {
        List<Object> out = new ArrayList<>();
        for (Object value : a) {
            String text = JsonText.write(value);
            if (b.stream().anyMatch(v -> Objects.equals(JsonText.write(v), text))) {
                out.add(value);
            }
        }
        return out;
    }

    private static int minLimit(int a, int b) {
        return a < 0 ? b : b < 0 ? a : Math.min(a, b);
    }

    static Bound tighterLower(Bound a, Bound b) {
        if (a == null || b == null) {
            return a == null ? b : a;
        }
        int order = a.value().compareTo(b.value());
        return order > 0 || (order == 0 && !a.inclusive()) ? a : b;
    }

    static Bound tighterUpper(Bound a, Bound b) {
        if (a == null || b == null) {
            return a == null ? b : a;
        }
        int order = a.value().compareTo(b.value());
        return order < 0 || (order == 0 && !a.inclusive()) ? a : b;
    }
}
