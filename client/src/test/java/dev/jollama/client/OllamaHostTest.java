package dev.jollama.client;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OllamaHostTest {

    @ParameterizedTest(name = "[{0}] -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', nullValues = "NULL", textBlock = """
            NULL                            | http://127.0.0.1:11434
            ``                              | http://127.0.0.1:11434
            `   `                           | http://127.0.0.1:11434
            example.com                     | http://example.com:11434
            example.com:8080                | http://example.com:8080
            :8080                           | http://127.0.0.1:8080
            0.0.0.0                         | http://127.0.0.1:11434
            0.0.0.0:11435                   | http://127.0.0.1:11435
            10.1.2.3                        | http://10.1.2.3:11434
            http://example.com              | http://example.com:80
            https://example.com             | https://example.com:443
            http://example.com/             | http://example.com:80
            https://example.com:8443/ollama | https://example.com:8443/ollama
            [::1]:9000                      | http://[::1]:9000
            ::1                             | http://[::1]:11434
            [::]:9000                       | http://[::1]:9000
            example.com:99999               | http://example.com:11434
            example.com:abc                 | http://example.com:11434
            "example.com:1234"              | http://example.com:1234
            ` 'example.com' `               | http://example.com:11434
            ollama.com                      | https://ollama.com:443
            """)
    void parsesLikeTheOllamaCommand(String value, String expected) {
        assertThat(OllamaHost.parse(value)).hasToString(expected);
    }
}
