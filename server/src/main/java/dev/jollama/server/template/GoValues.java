package dev.jollama.server.template;

import java.lang.reflect.Array;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.math.BigInteger;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How Java values stand for Go values in templates, and Go's rules on them: truth, equality and ordering, the
 * fields of a struct, the order of a map.
 *
 * <p>The data model: {@code null} is Go's untyped nil (a missing map key, printed {@code <no value>}); a
 * {@link String} is a string; {@link Long}, {@link Integer}, {@link Short}, {@link Byte} and {@link BigInteger} are
 * ints; {@link Double} and {@link Float} are float64/float32; {@link Boolean} is a bool; a {@link List} (or a Java
 * array) is a slice; a {@link Map} is a {@code map[string]any}, whose missing keys read as nil; a record is a
 * struct (or, marked {@link GoPointer}, a pointer to one) whose fields are the record components, named exactly as
 * in Go (so {@code Role}, not {@code role}). A null record component becomes the zero value of its declared type: "" for a string, a nil slice,
 * map or pointer ({@link GoNil}) for a list, map or record, and untyped nil for {@code Object}.
 */
final class GoValues {

    private GoValues() {
    }

    /** The basic kinds Go's comparison functions distinguish. */
    enum BasicKind { BOOL, INT, FLOAT, STRING, OTHER }

    static BasicKind basicKind(Object v) {
        return switch (v) {
            case Boolean b -> BasicKind.BOOL;
            case Long l -> BasicKind.INT;
            case Integer i -> BasicKind.INT;
            case Short s -> BasicKind.INT;
            case Byte b -> BasicKind.INT;
            case BigInteger b -> BasicKind.INT;
            case Double d -> BasicKind.FLOAT;
            case Float f -> BasicKind.FLOAT;
            case String s -> BasicKind.STRING;
            case null, default -> BasicKind.OTHER;
        };
    }

    static boolean isInt(Object v) {
        return basicKind(v) == BasicKind.INT;
    }

    /** Go's truth: false, 0, nil, and empty strings, slices and maps are false; structs are always true. */
    static boolean isTrue(Object v) {
        return switch (v) {
            case null -> false;
            case GoNil n -> false;
            case Boolean b -> b;
            case Double d -> d != 0;
            case Float f -> f != 0;
            case BigInteger b -> b.signum() != 0;
            case Number n -> n.longValue() != 0;
            case CharSequence s -> !s.isEmpty();
            case Collection<?> c -> !c.isEmpty();
            case Map<?, ?> m -> !m.isEmpty();
            default -> !v.getClass().isArray() || Array.getLength(v) > 0;
        };
    }

    static boolean isSlice(Object v) {
        return v instanceof List<?> || v == GoNil.SLICE || (v != null && v.getClass().isArray());
    }

    /** The elements of a slice value (a list, an array or a nil slice). */
    static List<Object> sliceElements(Object v) {
        if (v == GoNil.SLICE) {
            return List.of();
        }
        if (v instanceof List<?> list) {
            return new ArrayList<>(list);
        }
        int n = Array.getLength(v);
        List<Object> elements = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            elements.add(Array.get(v, i));
        }
        return elements;
    }

    /** A map's entries in Go's printing and ranging order: sorted by key. */
    static List<Map.Entry<Object, Object>> sortedEntries(Map<?, ?> map) {
        List<Map.Entry<Object, Object>> entries = new ArrayList<>(map.size());
        for (Map.Entry<?, ?> e : map.entrySet()) {
            entries.add(new AbstractMap.SimpleImmutableEntry<>(e.getKey(), e.getValue()));
        }
        entries.sort(Comparator.comparing(Map.Entry::getKey, GoValues::compareKeys));
        return entries;
    }

    private static int compareKeys(Object a, Object b) {
        if (a instanceof String s && b instanceof String t) {
            return compareStrings(s, t);
        }
        BasicKind ka = basicKind(a);
        BasicKind kb = basicKind(b);
        if (ka == kb && ka == BasicKind.INT) {
            return toBigInteger(a).compareTo(toBigInteger(b));
        }
        if (ka == kb && ka == BasicKind.FLOAT) {
            return Double.compare(((Number) a).doubleValue(), ((Number) b).doubleValue());
        }
        if (ka == kb && ka == BasicKind.BOOL) {
            return Boolean.compare((Boolean) a, (Boolean) b);
        }
        return compareStrings(String.valueOf(a), String.valueOf(b));
    }

    /** Go orders strings by their UTF-8 bytes, which is code point order (not Java's UTF-16 order). */
    static int compareStrings(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Boolean.compare(i < a.length(), j < b.length());
    }

    static BigInteger toBigInteger(Object intValue) {
        return intValue instanceof BigInteger b ? b : BigInteger.valueOf(((Number) intValue).longValue());
    }

    // ---- comparison (Go's eq, ne, lt, le, gt, ge)

    /** Go's {@code eq arg1 arg2}: basic values compare by value; otherwise only nil-ness or identity. */
    static boolean equal(Object a, Object b) {
        BasicKind ka = basicKind(a);
        BasicKind kb = basicKind(b);
        if (ka != kb) {
            if (a != null && b != null) {
                throw new IllegalArgumentException("incompatible types for comparison");
            }
            return false;
        }
        switch (ka) {
            case BOOL, STRING:
                return a.equals(b);
            case INT:
                return toBigInteger(a).equals(toBigInteger(b));
            case FLOAT:
                return ((Number) a).doubleValue() == ((Number) b).doubleValue();
            default:
                break;
        }
        String kindA = referenceKind(a);
        String kindB = referenceKind(b);
        if (!kindA.equals(kindB) && a != null && b != null) {
            throw new IllegalArgumentException("non-comparable types " + GoFmt.formatValue(a) + ": " + typeName(a)
                    + ", " + typeName(b) + ": " + GoFmt.formatValue(b));
        }
        if (isNil(a) || isNil(b)) {
            return isNil(a) == isNil(b);
        }
        if (kindA.equals("slice") || kindA.equals("map")) {
            throw new IllegalArgumentException("non-comparable type " + GoFmt.formatValue(b) + ": " + typeName(b));
        }
        return a == b || a.equals(b);
    }

    private static String referenceKind(Object v) {
        if (v == null) {
            return "invalid";
        }
        if (isSlice(v)) {
            return "slice";
        }
        if (v instanceof Map<?, ?> || v == GoNil.MAP) {
            return "map";
        }
        if (v.getClass().isRecord() || v == GoNil.POINTER) {
            return "ptr";
        }
        return "struct";
    }

    static boolean isNil(Object v) {
        return v == null || v instanceof GoNil;
    }

    /** Go's {@code lt}: both values must be of the same basic kind, and not bool. */
    static boolean less(Object a, Object b) {
        BasicKind ka = basicKind(a);
        BasicKind kb = basicKind(b);
        if (ka == BasicKind.OTHER || kb == BasicKind.OTHER) {
            throw new IllegalArgumentException("invalid type for comparison");
        }
        if (ka != kb) {
            throw new IllegalArgumentException("incompatible types for comparison");
        }
        return switch (ka) {
            case INT -> toBigInteger(a).compareTo(toBigInteger(b)) < 0;
            case FLOAT -> ((Number) a).doubleValue() < ((Number) b).doubleValue();
            case STRING -> compareStrings((String) a, (String) b) < 0;
            default -> throw new IllegalArgumentException("invalid type for comparison");
        };
    }

    // ---- struct fields

    /** The fields of a record in declaration order, each converted to its Go value. */
    static Map<String, Object> recordFields(Record record) {
        Map<String, Object> fields = new LinkedHashMap<>();
        for (RecordComponent component : COMPONENTS.get(record.getClass()).values()) {
            fields.put(component.getName(), readComponent(record, component));
        }
        return fields;
    }

    /** Whether the record has a component with this exact name. */
    static boolean hasField(Record record, String name) {
        return COMPONENTS.get(record.getClass()).containsKey(name);
    }

    /** The Go value of a record component; the caller checked it exists. */
    static Object field(Record record, String name) {
        return readComponent(record, COMPONENTS.get(record.getClass()).get(name));
    }

    /** Each record class's components by name, made readable once (records of tests may not be public). */
    private static final ClassValue<Map<String, RecordComponent>> COMPONENTS = new ClassValue<>() {
        @Override
        protected Map<String, RecordComponent> computeValue(Class<?> type) {
            Map<String, RecordComponent> components = new LinkedHashMap<>();
            for (RecordComponent component : type.getRecordComponents()) {
                component.getAccessor().setAccessible(true);
                components.put(component.getName(), component);
            }
            return components;
        }
    };

    private static Object readComponent(Record record, RecordComponent component) {
        try {
            Object value = component.getAccessor().invoke(record);
            return value != null ? value : zeroValue(component.getType());
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read " + component.getName() + " of " + record.getClass(), e);
        }
    }

    /** The Go zero value that a null of this declared Java type stands for. */
    private static Object zeroValue(Class<?> type) {
        if (type == String.class) {
            return "";
        }
        if (type == Object.class) {
            return null;
        }
        if (Collection.class.isAssignableFrom(type) || type.isArray()) {
            return GoNil.SLICE;
        }
        if (Map.class.isAssignableFrom(type)) {
            return GoNil.MAP;
        }
        if (type == Boolean.class) {
            return false;
        }
        if (Number.class.isAssignableFrom(type)) {
            return type == Double.class || type == Float.class ? (Object) 0.0 : (Object) 0L;
        }
        return GoNil.POINTER;
    }

    // ---- type names, for error messages and %T

    /** Go's name for the type a Java value stands for. */
    static String typeName(Object v) {
        return switch (v) {
            case null -> "<nil>";
            case String s -> "string";
            case Boolean b -> "bool";
            case Double d -> "float64";
            case Float f -> "float32";
            case Long l -> "int";
            case Integer i -> "int";
            case Short s -> "int";
            case Byte b -> "int";
            case BigInteger b -> "int";
            case byte[] bytes -> "[]uint8";
            case GoNil n -> switch (n) {
                case SLICE -> "[]interface {}";
                case MAP -> "map[string]interface {}";
                case POINTER -> "*struct {}";
            };
            case List<?> l -> "[]interface {}";
            case Map<?, ?> m -> "map[string]interface {}";
            case Record r -> (r instanceof GoPointer ? "*template." : "template.") + r.getClass().getSimpleName();
            default -> v.getClass().isArray() ? "[]interface {}" : v.getClass().getSimpleName();
        };
    }
}
