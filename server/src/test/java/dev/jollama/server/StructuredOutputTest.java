package dev.jollama.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.util.List;

import static dev.jollama.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

/** format "json" and JSON Schemas through /api/generate and /api/chat, on a model that knows no JSON. */
class StructuredOutputTest {
    private static final String SCHEMA = "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\",\"maxLength\":12},"
            + "\"age\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":120},\"pets\":{\"type\":\"array\",\"items\":{\"enum\":[\"cat\",\"dog\"]},\"maxItems\":3}},"
            + "\"required\":[\"name\",\"age\",\"pets\"]}";
    @RegisterExtension
    static final TestServer server = TestServer.perClass();

    @BeforeAll
    static void start() throws Exception {
        server.addThinker();
    }

    @Test
    void formatJsonAlwaysGivesOneObject() throws Exception {
        for (int seed = 1; seed <= 10; seed++) {
            JsonNode reply = json(server.post("/api/generate", "{\"model\":\"stories\",\"prompt\":\"Once upon a time\",\"format\":\"json\","
                    + "\"stream\":false,\"options\":{\"temperature\":1,\"seed\":" + seed + ",\"num_predict\":400}}").body());
            if (reply.get("done_reason").asText().equals("length")) {
                continue; // cut by num_predict: returned as is
            }
            assertThat(json(reply.get("response").asText()).isObject()).as(reply.get("response").asText()).isTrue();
            assertThat(reply.get("done_reason").asText()).isEqualTo("stop");
        }
    }

    @Test
    void aSchemaIsFollowed() throws Exception {
        int complete = 0;
        for (int seed = 1; seed <= 10; seed++) {
            JsonNode reply = json(server.post("/api/chat", "{\"model\":\"stories\",\"messages\":[{\"role\":\"user\",\"content\":\"Tell me about Lily\"}],"
                    + "\"format\":" + SCHEMA + ",\"stream\":false,\"options\":{\"temperature\":1,\"seed\":" + seed + ",\"num_predict\":300}}").body());
            if (reply.get("done_reason").asText().equals("length")) {
                continue;
            }
            JsonNode answer = json(reply.get("message").get("content").asText());
            assertThat(answer.get("name").isTextual()).isTrue();
            assertThat(answer.get("name").asText().length()).isLessThanOrEqualTo(12);
            assertThat(answer.get("age").asInt()).isBetween(0, 120);
            assertThat(answer.get("pets").size()).isLessThanOrEqualTo(3);
            answer.get("pets").forEach(p -> assertThat(p.asText()).isIn("cat", "dog"));
            complete++;
        }
        assertThat(complete).isPositive();
    }

    /**
     * Keywords the grammar cannot express are ignored, as the reference's schema converter (llama.cpp's
     * json-schema-to-grammar, which Ollama's format goes through) skips them; the output still matches the rest.
     */
    @Test
    void keywordsTheGrammarCannotExpressAreIgnored() throws Exception {
        List<String> schemas = List.of(
                "{'type':'array','items':{'type':'integer'},'uniqueItems':true,'maxItems':2}",
                "{'type':'object','properties':{'n':{'type':'integer','multipleOf':3}},'required':['n'],'minProperties':1,'maxProperties':2}",
                "{'type':'object','patternProperties':{'^x':{'type':'string'}},'properties':{'a':{'type':'boolean'}},'required':['a']}",
                "{'type':'object','properties':{'a':{'type':'integer'}},'required':['a'],'if':{'properties':{'a':{'const':1}}},'then':{},'else':{}}",
                "{'type':'object','properties':{'a':{'type':'boolean'}},'required':['a'],'not':{'required':['b']}}",
                "{'type':'object','properties':{'s':{'type':'string','maxLength':5,'pattern':'^(?!x)','format':'hostname'}},'required':['s']}");
        for (String schema : schemas) {
            HttpResponse<String> r = server.post("/api/generate", "{\"model\":\"stories\",\"prompt\":\"Once upon a time\",\"stream\":false,"
                    + "\"format\":" + schema.replace('\'', '"') + ",\"options\":{\"temperature\":1,\"seed\":3,\"num_predict\":300}}");
            assertThat(r.statusCode()).as(schema + ": " + r.body()).isEqualTo(200);
            JsonNode reply = json(r.body());
            if (reply.get("done_reason").asText().equals("stop")) {
                assertThat(json(reply.get("response").asText()).isContainerNode()).as(reply.get("response").asText()).isTrue();
            }
        }
    }

    /** A schema that is not valid JSON Schema (a keyword of the wrong type) stays a 400 naming it, before loading. */
    @Test
    void anInvalidSchemaIsA400NamingTheKeyword() throws Exception {
        record Case(String schema, String error) {
        }
        for (Case c : List.of(new Case("{'type':'object','properties':{'a':{'type':'object','patternProperties':5}}}", "\"patternProperties\": must be an object at /properties/a"),
                new Case("{'type':'integer','multipleOf':'3'}", "\"multipleOf\": must be a number"),
                new Case("{'type':'array','uniqueItems':'yes'}", "\"uniqueItems\": must be a boolean"),
                new Case("{'type':'string','pattern':'(a'}", "unclosed group"),
                new Case("{'type':'strin'}", "unknown type"))) {
            HttpResponse<String> r = server.post("/api/generate", "{\"model\":\"stories\",\"prompt\":\"x\",\"format\":" + c.schema().replace('\'', '"') + "}");
            assertThat(r.statusCode()).as(c.schema()).isEqualTo(400);
            assertThat(json(r.body()).get("error").asText()).startsWith("invalid JSON schema in format: ").contains(c.error());
        }
    }

    @Test
    void thinkingIsFreeAndOnlyTheAnswerIsConstrained() throws Exception {
        JsonNode reply = json(server.post("/api/generate", "{\"model\":\"thinker\",\"prompt\":\"Once upon a time\",\"format\":\"json\","
                + "\"think\":true,\"stream\":false,\"options\":{\"temperature\":0,\"num_predict\":40}}").body());
        // stories260K never closes the think block, so all of it is (unconstrained) thinking
        assertThat(reply.get("thinking").asText()).contains(" ball").doesNotStartWith("{");
        assertThat(reply.get("response").asText()).isEmpty();
    }
}
