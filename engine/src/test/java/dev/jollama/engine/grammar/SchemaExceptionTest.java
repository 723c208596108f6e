package dev.jollama.engine.grammar;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Schemas the compiler refuses, and keywords it reads but cannot express (ignored, as the reference's converter
 * ignores them, and reported): the keyword at fault, the pointer of its schema object, the message.
 */
class SchemaExceptionTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Case(String schema, String keyword, String pointer, String message) {}

    private static final List<Case> IGNORED = List.of(
            new Case("{'type':'object','properties':{'a':{'patternProperties':{'x':{}}}}}", "patternProperties", "/properties/a",
                    "unsupported keyword \"patternProperties\" at /properties/a"),
            new Case("{'not':{'type':'null'}}", "not", "", "unsupported keyword \"not\" at the schema root"),
            new Case("{'type':'array','items':{'type':'integer'},'uniqueItems':true}", "uniqueItems", "", "unsupported keyword \"uniqueItems\""),
            new Case("{'anyOf':[{'type':'string'},{'if':{},'then':{}}]}", "if", "/anyOf/1", "unsupported keyword \"if\" at /anyOf/1"),
            new Case("{'properties':{'a/b':{'multipleOf':2}}}", "multipleOf", "/properties/a~1b", "at /properties/a~1b"),
            new Case("{'type':'object','minProperties':1,'maxProperties':3}", "minProperties", "", "unsupported keyword \"minProperties\""),
            new Case("{'type':'string','format':'email'}", "format", "", "unknown format \"email\""),
            new Case("{'type':'string','pattern':'(a)\\\\1'}", "pattern", "", "backreferences"),
            new Case("{'type':'string','pattern':'a^b'}", "pattern", "", "\"^\" is supported only at the start"),
            new Case("{'type':'string','pattern':'(?i)a'}", "pattern", "", "group modifiers are not supported"),
            new Case("{'type':'string','pattern':'(?<!a)b'}", "pattern", "", "lookaround"),
            new Case("{'properties':{'a':{'type':'string','pattern':'^(?=x)'}}}", "pattern", "/properties/a", "lookaround"),
            new Case("{'type':'string','pattern':'\\\\bword'}", "pattern", "", "word boundaries"));

    private static final List<Case> REFUSED = List.of(
            new Case("{'not':5}", "schema", "/not", "a schema must be an object or a boolean"),
            new Case("{'multipleOf':'2'}", "multipleOf", "", "must be a number"),
            new Case("{'multipleOf':0}", "multipleOf", "", "must be greater than 0"),
            new Case("{'uniqueItems':'yes'}", "uniqueItems", "", "must be a boolean"),
            new Case("{'patternProperties':[]}", "patternProperties", "", "must be an object"),
            new Case("{'maxProperties':-1}", "maxProperties", "", "must be a non-negative integer"),
            new Case("{'$ref':'https://example.com/schema.json'}", "$ref", "", "only local references"),
            new Case("{'$ref':'#/$defs/missing'}", "$ref", "/$defs/missing", "nothing at this pointer"),
            new Case("{'$defs':{'a':{'anyOf':[{'$ref':'#/$defs/b'},{'type':'null'}]},'b':{'$ref':'#/$defs/a'}},'$ref':'#/$defs/a'}",
                    "$ref", "/$defs/b", "refers back to itself before any content"),
            new Case("{'allOf':[{'$ref':'#'}]}", "$ref", "/allOf/0", "refers back to itself before any content"),
            new Case("{'type':'strin'}", "type", "", "unknown type \"strin\""),
            new Case("{'type':'string','minLength':-1}", "minLength", "", "must be a non-negative integer"),
            new Case("{'type':'string','maxLength':'3'}", "maxLength", "", "must be a non-negative integer"),
            new Case("{'type':'string','pattern':'(a'}", "pattern", "", "unclosed group"),
            new Case("{'properties':{'a':5}}", "schema", "/properties/a", "a schema must be an object or a boolean"),
            new Case("{'required':['a'],'properties':{'b':{}},'additionalProperties':false}", "required", "", "no JSON value satisfies \"required\""),
            new Case("{'type':'string','minLength':3,'maxLength':2}", "maxLength", "", "no JSON value satisfies"),
            new Case("{'type':'integer','enum':['a','b']}", "enum", "", "no JSON value satisfies \"enum\""),
            new Case("{'type':'integer','minimum':5,'maximum':4}", "", "", "no JSON value satisfies the schema"),
            new Case("false", "", "", "no JSON value satisfies the schema"),
            new Case("{'type':'array','minItems':5000}", "minItems", "", "counts above 1000 are not supported"));

    @Test
    void refusedSchemasNameTheKeywordAndItsPointer() throws Exception {
        for (Case c : REFUSED) {
            Object schema = JSON.readValue(c.schema().replace('\'', '"'), Object.class);
            SchemaException e = catchThrowableOfType(SchemaException.class, () -> JsonSchemaCompiler.compile(schema, ignored -> { }));
            assertThat(e).as("%s is refused", c.schema()).isNotNull();
            check(c, e);
        }
    }

    @Test
    void keywordsTheGrammarCannotExpressAreIgnoredAndReported() throws Exception {
        for (Case c : IGNORED) {
            Object schema = JSON.readValue(c.schema().replace('\'', '"'), Object.class);
            List<SchemaException> ignored = new ArrayList<>();
            assertThat(JsonSchemaCompiler.compile(schema, ignored::add)).as("%s compiles", c.schema()).isNotNull();
            assertThat(ignored).as("ignored in %s", c.schema()).isNotEmpty();
            assertThat(ignored.getFirst().isUnsupported()).isTrue();
            check(c, ignored.getFirst());
        }
    }

    private static void check(Case c, SchemaException e) {
        assertThat(e.keyword()).as("keyword for %s", c.schema()).isEqualTo(c.keyword());
        assertThat(e.pointer()).as("pointer for %s", c.schema()).isEqualTo(c.pointer());
        assertThat(e.getMessage()).as("message for %s", c.schema()).contains(c.message());
    }
}
