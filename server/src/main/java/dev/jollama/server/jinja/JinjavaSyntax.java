package dev.jollama.server.jinja;

import java.util.regex.Pattern;

/**
 * Rewrites the constructs of chat templates that jinjava reads otherwise than Jinja does into forms it reads the
 * same way, so that a template renders as Hugging Face renders it:
 * <ul>
 * <li>the reversing slice {@code [::-1]} (jinjava's slices take no step) becomes the {@code reverse} filter;</li>
 * <li>{@code not x is defined} and {@code not 'k' in x} are {@code not (x is defined)} and {@code not ('k' in x)} in
 * Jinja, where jinjava would apply {@code not} first;</li>
 * <li>keyword arguments of {@code namespace(...)} are parenthesised (jinjava binds them tighter than operators);</li>
 * <li>{@code tools is defined} is always true, as Hugging Face always passes {@code tools}.</li>
 * </ul>
 */
final class JinjavaSyntax {
    /** A variable with attributes and subscripts: {@code message.tool_calls}, {@code messages[0]['role']}. */
    private static final String VARIABLE = "[A-Za-z_]\\w*(?:\\.[A-Za-z_]\\w*|\\[[^\\[\\]]*\\])*";
    /** {@code not OPERAND is [not] TEST} for the tests chat templates use without an argument. */
    private static final Pattern NOT_IS = Pattern.compile("\\bnot\\s+(" + VARIABLE + ")\\s+is\\s+((?:not\\s+)?"
            + "(?:defined|undefined|none|string|mapping|iterable|sequence|number|integer|float|boolean|true|false))\\b");
    /** {@code not OPERAND in VARIABLE}, an operand being a variable or a quoted string. */
    private static final Pattern NOT_IN = Pattern.compile(
            "\\bnot\\s+(" + VARIABLE + "|'[^']*'|\"[^\"]*\")\\s+in\\s+(" + VARIABLE + ")");

    /**
     * Whether {@code tools} or {@code documents} is defined: Hugging Face always passes both (None when the request
     * has none), where jinjava counts a null value as undefined.
     */
    private static final Pattern ALWAYS_DEFINED = Pattern.compile("\\b(?:tools|documents)\\s+is\\s+(not\\s+defined|undefined|defined)\\b");

    /** A {@code {{ ... }}} or {@code {% ... %}} tag: rewrites stay inside them, the template's text is left alone. */
    private static final Pattern TAG = Pattern.compile("\\{\\{.*?}}|\\{%.*?%}", Pattern.DOTALL);

    private JinjavaSyntax() {
    }

    static String of(String template) {
        return TAG.matcher(template).replaceAll(tag -> java.util.regex.Matcher.quoteReplacement(rewrite(tag.group())));
    }

    private static String rewrite(String tag) {
        String text = tag.replace("[::-1]", "|reverse");
        text = NOT_IS.matcher(text).replaceAll("not ($1 is $2)");
        text = ALWAYS_DEFINED.matcher(text).replaceAll(m -> m.group(1).equals("defined") ? "true" : "false");
        text = NOT_IN.matcher(text).replaceAll(m -> java.util.regex.Matcher.quoteReplacement("not (" + m.group(1) + " in " + m.group(2) + ")"));
        return parenthesiseNamespaceArguments(text);
    }

    /**
     * Wraps each value of a {@code namespace(name=value, ...)} call in parentheses: jinjava binds a keyword argument
     * tighter than a following operator, so Qwen's {@code last_query_index=messages|length - 1} would subtract from
     * the argument rather than from the length.
     */
    static String parenthesiseNamespaceArguments(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        int from = 0;
        for (int at = text.indexOf("namespace(", from); at >= 0; at = text.indexOf("namespace(", from)) {
            int open = at + "namespace(".length();
            out.append(text, from, open);
            int depth = 0;
            char quote = 0;
            boolean inValue = false;
            int i = open;
            for (; i < text.length(); i++) {
                char c = text.charAt(i);
                if (quote != 0) {
                    quote = c == quote && text.charAt(i - 1) != '\\' ? 0 : quote;
                } else if (c == '\'' || c == '"') {
                    quote = c;
                } else if (c == '(' || c == '[' || c == '{') {
                    depth++;
                } else if (depth > 0 && (c == ')' || c == ']' || c == '}')) {
                    depth--;
                } else if (depth == 0 && (c == ',' || c == ')')) {
                    if (inValue) {
                        out.append(')');
                        inValue = false;
                    }
                    if (c == ')') {
                        break;
                    }
                } else if (depth == 0 && c == '=' && !inValue && text.charAt(i + 1) != '=') {
                    out.append("=(");
                    inValue = true;
                    continue;
                }
                out.append(c);
            }
            from = i;
        }
        return out.append(text, from, text.length()).toString();
    }

}
