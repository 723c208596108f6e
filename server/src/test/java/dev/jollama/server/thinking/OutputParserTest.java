package dev.jollama.server.thinking;

import dev.jollama.server.api.ToolCall;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/** The thinking-tag and harmony parsers give the same split however the output is cut into pieces. */
class OutputParserTest {

    /** Feeds text in every way of cutting it into up to three pieces and checks each gives the expected split. */
    private static void everySplit(Supplier<OutputParser> parsers, String text, String thinking, String content) {
        for (int i = 0; i <= text.length(); i++) {
            for (int j = i; j <= text.length(); j++) {
                OutputParser parser = parsers.get();
                StringBuilder t = new StringBuilder(), c = new StringBuilder();
                for (String piece : new String[]{text.substring(0, i), text.substring(i, j), text.substring(j)}) {
                    ResponseSplit split = parser.add(piece);
                    t.append(split.thinking());
                    c.append(split.content());
                }
                ResponseSplit rest = parser.flush();
                t.append(rest.thinking());
                c.append(rest.content());
                assertThat(t.toString()).as("thinking of %s cut at %d, %d", text, i, j).isEqualTo(thinking);
                assertThat(c.toString()).as("content of %s cut at %d, %d", text, i, j).isEqualTo(content);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "`<think>abc</think>answer`              | abc        | answer",
            "`  <think>\n abc def </think>\n\n answer` | `abc def ` | answer",
            "`no thinking here`                      | ``         | no thinking here",
            "`  leading space kept`                  | ``         | `  leading space kept`",
            "`<think>unfinished`                     | unfinished | ``",
            "`<thi`                                  | ``         | <thi",
            "`<think></think>`                       | ``         | ``",
            "`<think>a</thin</think>b`               | a</thin    | b",
    })
    void thinkingTags(String text, String thinking, String content) {
        everySplit(() -> new ThinkingTagParser("<think>", "</think>", false), text, thinking, content);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "`plan it</think>the answer` | plan it | the answer",
            "`\nplan</think>\nx`          | plan    | x",
    })
    void aPrefilledThinkBlockStartsInThinking(String text, String thinking, String content) {
        everySplit(() -> new ThinkingTagParser("<think>", "</think>", true), text, thinking, content);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "`<|channel|>analysis<|message|>think hard<|end|><|start|>assistant<|channel|>final<|message|>42<|return|>` | think hard | 42",
            "`<|channel|>final<|message|>just the answer`                                                          | ``         | just the answer",
            "`<|channel|>commentary to=functions.get<|constrain|>json<|message|>{}<|call|>`                         | ``         | ``",
            "`<|channel|>analysis<|message|>a<|end|><|start|>assistant<|channel|>commentary<|message|>b<|end|>`    | a          | b",
    })
    void harmonyChannels(String text, String thinking, String content) {
        everySplit(HarmonyParser::new, text, thinking, content);
    }

    /** Ollama's HarmonyMessageHandler.Add: a message to a function is one call at the end, named without "functions.". */
    @Test
    void harmonyToolChannelBecomesAToolCall() {
        String text = "<|channel|>analysis<|message|>need weather<|end|><|start|>assistant<|channel|>commentary "
                + "to=functions.get_weather <|constrain|>json<|message|>{\"city\":\"Paris\",\"days\":2}<|call|>";
        for (int i = 0; i <= text.length(); i++) {
            HarmonyParser parser = new HarmonyParser();
            List<ResponseSplit> splits = List.of(parser.add(text.substring(0, i)), parser.add(text.substring(i)), parser.flush());
            List<ToolCall> calls = splits.stream().flatMap(s -> s.toolCalls().stream()).toList();
            assertThat(splits.stream().map(ResponseSplit::thinking).reduce("", String::concat)).isEqualTo("need weather");
            assertThat(splits.stream().map(ResponseSplit::content).reduce("", String::concat)).isEmpty();
            assertThat(calls).hasSize(1);
            assertThat(calls.getFirst().name()).isEqualTo("get_weather");
            assertThat(calls.getFirst().arguments().toString()).isEqualTo("{\"city\":\"Paris\",\"days\":2}");
            assertThat(calls.getFirst().id()).startsWith("call_");
        }
    }
}
