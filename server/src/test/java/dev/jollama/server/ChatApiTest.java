package dev.jollama.server;

import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.http.HttpResponse;

import static dev.jollama.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

/** /api/chat refusals: binding comes first, as in Ollama, so a malformed field is a 400 even for an unknown model. */
class ChatApiTest {
    @RegisterExtension
    static final TestServer server = TestServer.perClass();

    /** status | body (' for ") | error. */
    @ParameterizedTest(name = "{1} -> {0} {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "400 | ``                                       | missing request body",
            "400 | {'model':'nope','logprobs':'yes'}        | json: cannot unmarshal string into Go struct field ChatRequest.logprobs of type bool",
            "400 | {'model':'nope','messages':'x'}          | json: cannot unmarshal string into Go struct field ChatRequest.messages of type []api.Message",
            "400 | {'model':'nope','top_logprobs':21}       | top_logprobs must be between 0 and 20",
            "404 | {'model':'nope','messages':[]}           | model 'nope' not found",
            "400 | {'model':'test','think':true,'messages':[]} | \"test\" does not support thinking",
    })
    void errorsHaveTheReferenceStatusAndMessage(int status, String body, String message) throws Exception {
        HttpResponse<String> r = server.post("/api/chat", body == null ? "" : body.replace('\'', '"'));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(json(r.body()).get("error").asText()).isEqualTo(message);
    }
}
