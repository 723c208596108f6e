package dev.jollama.server;

import dev.langchain4j.agent.tool.P;
import dev.langchain4j.service.AiServices;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.ollama.OllamaChatModel;
import org.springframework.ai.ollama.api.OllamaApi;
import org.springframework.ai.ollama.api.OllamaChatOptions;
import org.springframework.ai.tool.annotation.Tool;
import org.springframework.ai.tool.annotation.ToolParam;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Unmodified real clients call Java methods as tools: the scripted model answers "Weather in Paris?" with a
 * get_weather call, the client runs its method and sends the result back, and the model's final answer comes back
 * as the reply (the template ends a tool result with the trigger of the answer script).
 */
class ToolClientsTest {
    private static final String QUESTION = "What is the weather in Paris?<|weather|>";
    @RegisterExtension
    static final TestServer server = TestServer.perClass();

    @BeforeAll
    static void start() throws Exception {
        ToolCallsApiTest.addScriptedModels(server, Map.of("tooler", ToolCallsApiTest.TOOLS_TEMPLATE));
    }

    /** LangChain4j's tool methods: annotated, found by AiServices, called with the parsed arguments. */
    static final class LangChain4jWeather {
        final List<String> cities = new CopyOnWriteArrayList<>();

        @dev.langchain4j.agent.tool.Tool("The current weather in a city")
        String get_weather(@P("the city") String city) {
            cities.add(city);
            return "sunny, 21 degrees";
        }
    }

    interface Assistant {
        String chat(String message);
    }

    @Test
    void langchain4jAiServicesCallTheToolThenAnswer() {
        LangChain4jWeather weather = new LangChain4jWeather();
        var model = dev.langchain4j.model.ollama.OllamaChatModel.builder().baseUrl(server.base().toString()).modelName("tooler")
                .timeout(Duration.ofSeconds(30)).build();
        Assistant assistant = AiServices.builder(Assistant.class).chatModel(model).tools(weather).build();
        assertThat(assistant.chat(QUESTION)).isEqualTo("The weather is sunny.");
        assertThat(weather.cities).containsExactly("Paris");
    }

    /** Spring AI's tool callbacks: methods annotated with @Tool, run by the ChatClient's tool calling loop. */
    static final class SpringWeather {
        final List<String> cities = new CopyOnWriteArrayList<>();

        @Tool(description = "The current weather in a city")
        String get_weather(@ToolParam(description = "the city") String city) {
            cities.add(city);
            return "sunny, 21 degrees";
        }
    }

    @Test
    void springAiToolCallbacksCallTheToolThenAnswer() {
        SpringWeather weather = new SpringWeather();
        OllamaChatModel model = OllamaChatModel.builder()
                .ollamaApi(OllamaApi.builder().baseUrl(server.base().toString()).build())
                .options(OllamaChatOptions.builder().model("tooler").build()).build();
        String answer = ChatClient.create(model).prompt().user(QUESTION).tools(weather).call().content();
        assertThat(answer).isEqualTo("The weather is sunny.");
        assertThat(weather.cities).containsExactly("Paris");
    }
}
