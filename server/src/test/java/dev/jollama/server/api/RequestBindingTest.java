package dev.jollama.server.api;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Generate and chat bodies bound into their records with Go's rules and texts. */
class RequestBindingTest {

    private static byte[] body(String json) {
        return json.replace('\'', '"').getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void generateFieldsAndDefaults() {
        GenerateRequest r = GenerateRequest.parse(body("{'Model':' stories ','prompt':'Hi','context':[1,2],'images':['AAAA'],"
                + "'keep_alive':'5m','think':'low','top_logprobs':3,'_debug_render_only':true}"));
        assertThat(r.model()).isEqualTo("stories");
        assertThat(r.prompt()).isEqualTo("Hi");
        assertThat(r.context()).containsExactly(1, 2);
        assertThat(r.images()).singleElement().satisfies(i -> assertThat(i).containsExactly(0, 0, 0));
        assertThat(r.keepAlive()).hasValueSatisfying(k -> assertThat(k.duration()).hasMinutes(5));
        assertThat(r.think()).isEqualTo(new ThinkValue(true, "low", true));
        assertThat(r.topLogprobs()).isEqualTo(3);
        assertThat(r.debugRenderOnly()).isTrue();
        assertThat(r.stream()).isTrue();
        assertThat(r.truncate()).isTrue();
        assertThat(r.shift()).isTrue();
        assertThat(r.raw()).isFalse();
        assertThat(r.format()).isNull();
        assertThat(r.options()).isNull();
    }

    @Test
    void chatMessagesCarryImagesToolCallsAndToolNames() {
        ChatRequest r = ChatRequest.parse(body("{'model':'m','messages':["
                + "{'role':'assistant','content':'','tool_calls':[{'function':{'name':'weather','arguments':{'city':'Paris','days':2}}}]},"
                + "{'role':'tool','content':'sunny','tool_name':'weather','tool_call_id':'c1'},"
                + "{'role':'user','content':'and this?','images':['AAAA']}],"
                + "'logprobs':true,'format':'json','options':{'num_ctx':64}}"));
        assertThat(r.messages()).hasSize(3);
        ChatMessage call = r.messages().getFirst();
        assertThat(call.toolCalls()).singleElement().satisfies(c -> {
            assertThat(c.name()).isEqualTo("weather");
            assertThat(GoJson.bytes(c.arguments())).asString(StandardCharsets.UTF_8).isEqualTo("{\"city\":\"Paris\",\"days\":2}");
        });
        ChatMessage tool = r.messages().get(1);
        assertThat(tool.toolName()).isEqualTo("weather");
        assertThat(tool.toolCallId()).isEqualTo("c1");
        assertThat(tool.images()).isEmpty();
        assertThat(r.messages().get(2).images()).hasSize(1);
        assertThat(r.logprobs()).isTrue();
        assertThat(r.format().asText()).isEqualTo("json");
        assertThat(r.options().get("num_ctx").asInt()).isEqualTo(64);
        assertThat(r.tools()).isNull();
    }

    /** Message fields have always been read leniently; malformed tool calls were ignored, and still are. */
    @Test
    void messageFieldsAreLenient() {
        ChatRequest r = ChatRequest.parse(body("{'model':'m','messages':[{'role':'user','content':5,'thinking':null,"
                + "'tool_calls':[1,{'function':'f'},{'function':{'name':'g','arguments':'x'}}]},{'content':'x','tool_calls':'bad'}]}"));
        ChatMessage first = r.messages().getFirst();
        assertThat(first.content()).isEqualTo("5");
        assertThat(first.thinking()).isEmpty();
        assertThat(first.toolCalls()).singleElement().satisfies(c -> {
            assertThat(c.name()).isEqualTo("g");
            assertThat(c.arguments().isEmpty()).isTrue();
        });
        assertThat(r.messages().get(1).role()).isEmpty();
        assertThat(r.messages().get(1).toolCalls()).isEmpty();
    }

    /** body (' for ") | error. */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "{'messages':'x'}                  | json: cannot unmarshal string into Go struct field ChatRequest.messages of type []api.Message",
            "{'messages':[1]}                  | json: cannot unmarshal array into Go struct field ChatRequest.messages of type api.Message",
            "{'stream':1}                      | json: cannot unmarshal number into Go struct field ChatRequest.stream of type bool",
            "{'logprobs':'yes'}                | json: cannot unmarshal string into Go struct field ChatRequest.logprobs of type bool",
            "{'think':'foo'}                   | invalid think value: \"foo\" (must be \"high\", \"medium\", \"low\", \"max\", true, or false)",
            "{'messages':[{'images':['data:x']}]} | illegal base64 data at input byte 4",
    })
    void chatBindingErrors(String json, String error) {
        assertThatThrownBy(() -> ChatRequest.parse(body(json)))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(400))
                .hasMessage(error);
    }
}
