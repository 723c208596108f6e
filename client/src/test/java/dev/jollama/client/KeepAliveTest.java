package dev.jollama.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class KeepAliveTest {

    @ParameterizedTest(name = "\"{0}\" is sent as {1}")
    @CsvSource(delimiter = '|', textBlock = """
            5m      | 300
            1h30m   | 5400
            2h      | 7200
            500ms   | 0.5
            1.5s    | 1.5
            1us     | 0.000001
            1µs     | 0.000001
            1ns     | 0.000000001
            +10s    | 10
            0       | 0
            0s      | 0
            300     | 300
            2.5     | 2.5
            -1      | -1
            -5m     | -1
            """)
    void parsesGoDurationsAndSeconds(String text, String wire) throws JsonProcessingException {
        assertThat(Json.MAPPER.writeValueAsString(KeepAlive.parse(text))).isEqualTo(wire);
    }

    @ParameterizedTest(name = "\"{0}\": {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            abc     | time: invalid duration "abc"
            1d      | time: invalid duration "1d"
            5 m     | time: invalid duration "5 m"
            ``      | time: invalid duration ""
            -       | time: invalid duration "-"
            1h30    | time: missing unit in duration "1h30"
            """)
    void rejectsWhatTheServerWouldRejectWithGosWording(String text, String message) {
        assertThatIllegalArgumentException().isThrownBy(() -> KeepAlive.parse(text)).withMessage(message);
    }

    static Stream<Arguments> durations() {
        return Stream.of(
                Arguments.of(Duration.ofMinutes(10), "600"),
                Arguments.of(Duration.ofMillis(1500), "1.5"),
                Arguments.of(Duration.ZERO, "0"),
                Arguments.of(Duration.ofSeconds(-3), "-1"));
    }

    @ParameterizedTest(name = "{0} is sent as {1}")
    @MethodSource("durations")
    void sendsDurationsAsSeconds(Duration duration, String wire) throws JsonProcessingException {
        assertThat(Json.MAPPER.writeValueAsString(KeepAlive.of(duration))).isEqualTo(wire);
    }

    @Test
    void negativeMeansForever() {
        assertThat(KeepAlive.FOREVER.isForever()).isTrue();
        assertThat(KeepAlive.parse("-1m").isForever()).isTrue();
        assertThat(KeepAlive.UNLOAD.isForever()).isFalse();
    }
}
