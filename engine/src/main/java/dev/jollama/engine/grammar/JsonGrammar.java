package dev.jollama.engine.grammar;

import static dev.jollama.engine.grammar.Expression.ref;

/**
 * The grammar of {@code format: "json"}: one JSON object, as the reference's root rule (so the output starts with
 * its brace). Nothing may follow the closing brace, so generation ends when the object closes.
 */
public final class JsonGrammar {
    private static final Grammar OBJECT = Grammar.of(ref(JsonSyntax.OBJECT_RULE),
            JsonSyntax.valueRules());

    private JsonGrammar() {
    }

    public static Grammar object() {
        return OBJECT;
    }
}
