package dev.jollama.server.store;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/** Names as pulls use them: defaults, registries with ports and schemes, Hugging Face repositories. */
class ModelNameTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "llama3                                      | https | registry.ollama.ai | library   | llama3                     | latest",
            "user/m:q4                                   | https | registry.ollama.ai | user      | m                          | q4",
            "http://127.0.0.1:5000/library/stories       | http  | 127.0.0.1:5000     | library   | stories                    | latest",
            "http://127.0.0.1:5000/library/stories:v2    | http  | 127.0.0.1:5000     | library   | stories                    | v2",
            "localhost:5000/team/model:1.0               | https | localhost:5000     | team      | model                      | 1.0",
            "hf.co/bartowski/Llama-3.2-1B-Instruct-GGUF:Q4_K_M | https | hf.co  | bartowski | Llama-3.2-1B-Instruct-GGUF | Q4_K_M",
            "hf.co/unsloth/gemma-3-270m-it-GGUF          | https | hf.co              | unsloth   | gemma-3-270m-it-GGUF       | latest",
    })
    void parsesFromTheRightWithDefaults(String raw, String scheme, String host, String namespace, String model, String tag) {
        assertThat(ModelName.parse(raw)).isEqualTo(new ModelName(scheme, host, namespace, model, tag));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"a/b/c/d", "ns.with.dot/m", "ftp://host/library/m", "http://127.0.0.1:5000/library/bad name",
            "host/ns/:tag", "m:", "-m", "m:t/x"})
    void refusesInvalidNames(String raw) {
        assertThat(ModelName.parse(raw)).isNull();
    }
}
