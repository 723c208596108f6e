package dev.jollama.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import com.openai.models.responses.FunctionTool;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseFunctionToolCall;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.output.FinishReason;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static dev.jollama.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tool calling through /v1 with the official OpenAI SDK and LangChain4j's OpenAI model, on a {@link ScriptedModel}
 * that calls get_weather when asked {@code <|weather|>} and answers once the tool result comes back (see
 * {@link ToolCallsApiTest}).
 */
class OpenAiToolsTest {
    @RegisterExtension
    static final TestServer server = TestServer.perClass();
    private static OpenAIClient client;

    @BeforeAll
    static void start() throws Exception {
        ToolCallsApiTest.addScriptedModels(server,
                Map.of("tooler", ToolCallsApiTest.TOOLS_TEMPLATE, "historian", ToolCallsApiTest.HISTORY_TEMPLATE));
        client = OpenAiSdkTest.client(server);
    }

    private static ChatCompletionCreateParams.Builder weather() {
        return ChatCompletionCreateParams.builder().model("tooler").addUserMessage("<|weather|>")
                .addFunctionTool(FunctionDefinition.builder().name("get_weather").description("Weather in a city")
                        .parameters(FunctionParameters.builder().putAdditionalProperty("type", JsonValue.from("object"))
                                .putAdditionalProperty("properties", JsonValue.from(Map.of("city", Map.of("type", "string"))))
                                .putAdditionalProperty("required", JsonValue.from(List.of("city"))).build()).build());
    }

    @Test
    void aToolCallIsParsedAndItsResultRoundTrips() throws Exception {
        ChatCompletion c = client.chat().completions().create(weather().build()).validate();
        assertThat(c.choices().getFirst().finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
        ChatCompletionMessageFunctionToolCall call = c.choices().getFirst().message().toolCalls().orElseThrow().getFirst().asFunction();
        assertThat(call.function().name()).isEqualTo("get_weather");
        assertThat(json(call.function().arguments())).isEqualTo(json("{\"city\":\"Paris\"}"));
        assertThat(call.id()).startsWith("call_");
        ChatCompletion answer = client.chat().completions().create(weather().addMessage(c.choices().getFirst().message())
                .addMessage(ChatCompletionToolMessageParam.builder().toolCallId(call.id()).content("sunny").build()).build());
        assertThat(answer.choices().getFirst().message().content()).hasValue("The weather is sunny.");
        assertThat(answer.choices().getFirst().finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
    }

    /** The history template writes what it saw as the trigger the scripted model answers. */
    @Test
    void callsAndToolResultsInTheHistoryReachTheTemplate() throws Exception {
        String tools = ",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"parameters\":{\"type\":\"object\"}}}]}";
        String call = "{\"role\":\"user\",\"content\":\"weather?\"},{\"role\":\"assistant\",\"content\":null,\"tool_calls\":"
                + "[{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}}]}";
        JsonNode afterCall = json(server.post("/v1/chat/completions", "{\"model\":\"historian\",\"messages\":[" + call + "]" + tools).body());
        assertThat(afterCall.at("/choices/0/message/content").asText()).as(afterCall.toString()).isEqualTo("The call reached the template.");
        JsonNode afterResult = json(server.post("/v1/chat/completions", "{\"model\":\"historian\",\"messages\":[" + call
                + ",{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":\"sunny\"}]" + tools).body());
        assertThat(afterResult.at("/choices/0/message/content").asText()).as("the tool's name found by its call id")
                .isEqualTo("The tool name reached the template.");
        JsonNode responses = json(server.post("/v1/responses", "{\"model\":\"historian\",\"input\":[{\"role\":\"user\",\"content\":\"weather?\"},"
                + "{\"type\":\"function_call\",\"call_id\":\"call_1\",\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"},"
                + "{\"type\":\"function_call_output\",\"call_id\":\"call_1\",\"output\":\"sunny\"}],"
                + "\"tools\":[{\"type\":\"function\",\"name\":\"get_weather\",\"parameters\":{\"type\":\"object\"}}]}").body());
        assertThat(responses.at("/output/0/content/0/text").asText()).as(responses.toString()).isEqualTo("The tool name reached the template.");
    }

    @Test
    void aStreamedToolCallAccumulates() throws Exception {
        ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(weather().build())) {
            stream.stream().forEach(accumulator::accumulate);
        }
        ChatCompletion c = accumulator.chatCompletion();
        assertThat(c.choices().getFirst().finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
        ChatCompletionMessageFunctionToolCall call = c.choices().getFirst().message().toolCalls().orElseThrow().getFirst().asFunction();
        assertThat(call.function().name()).isEqualTo("get_weather");
        assertThat(json(call.function().arguments())).isEqualTo(json("{\"city\":\"Paris\"}"));
    }

    @Test
    void responsesReturnFunctionCallsAndTakeTheirOutputs() throws Exception {
        Response response = client.responses().create(ResponseCreateParams.builder().model("tooler").input("<|weather|>")
                .addTool(FunctionTool.builder().name("get_weather").strict(false).parameters(FunctionTool.Parameters.builder()
                        .putAdditionalProperty("type", JsonValue.from("object")).build()).build()).build()).validate();
        ResponseFunctionToolCall call = response.output().getFirst().asFunctionCall();
        assertThat(call.name()).isEqualTo("get_weather");
        assertThat(json(call.arguments())).isEqualTo(json("{\"city\":\"Paris\"}"));
        String followUp = "{\"model\":\"tooler\",\"tools\":[{\"type\":\"function\",\"name\":\"get_weather\",\"parameters\":{\"type\":\"object\"}}],"
                + "\"input\":[{\"role\":\"user\",\"content\":\"<|weather|>\"},{\"type\":\"function_call\",\"call_id\":\"" + call.callId()
                + "\",\"name\":\"get_weather\",\"arguments\":" + JsonValue.from(call.arguments()).toString()
                + "},{\"type\":\"function_call_output\",\"call_id\":\"" + call.callId() + "\",\"output\":\"sunny\"}]}";
        JsonNode answer = json(server.post("/v1/responses", followUp).body());
        assertThat(answer.at("/output/0/content/0/text").asText()).as(answer.toString()).isEqualTo("The weather is sunny.");
    }

    @Test
    void langchain4jToolCalling() {
        OpenAiChatModel model = OpenAiChatModel.builder().baseUrl(server.base() + "/v1").apiKey("ignored").modelName("tooler")
                .timeout(Duration.ofSeconds(30)).build();
        ToolSpecification weather = ToolSpecification.builder().name("get_weather").description("Weather in a city")
                .parameters(JsonObjectSchema.builder().addStringProperty("city").required("city").build()).build();
        UserMessage question = UserMessage.from("<|weather|>");
        ChatResponse first = model.chat(ChatRequest.builder().messages(question).toolSpecifications(weather).build());
        assertThat(first.finishReason()).isEqualTo(FinishReason.TOOL_EXECUTION);
        ToolExecutionRequest request = first.aiMessage().toolExecutionRequests().getFirst();
        assertThat(request.name()).isEqualTo("get_weather");
        assertThat(request.arguments()).isEqualTo("{\"city\":\"Paris\"}");
        AiMessage call = first.aiMessage();
        ChatResponse second = model.chat(ChatRequest.builder().messages(question, call, ToolExecutionResultMessage.from(request, "sunny"))
                .toolSpecifications(weather).build());
        assertThat(second.aiMessage().text()).isEqualTo("The weather is sunny.");
    }
}
