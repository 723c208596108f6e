package dev.jollama.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The human forms of sizes, counts, durations and times, checked against what the ollama command prints. */
class HumanUnitsTest {
    private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");

    @ParameterizedTest(name = "{0} bytes = {1}")
    @CsvSource(delimiter = '|', textBlock = """
            0             | 0 B
            999           | 999 B
            1000          | 1 KB
            1536          | 1.5 KB
            1124480       | 1.1 MB
            10000000      | 10 MB
            266240000     | 266 MB
            2019393189    | 2.0 GB
            4920753152    | 4.9 GB
            1500000000000 | 1.5 TB
            """)
    void bytes(long bytes, String text) {
        assertThat(HumanUnits.bytes(bytes)).isEqualTo(text);
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '|', textBlock = """
            999           | 999
            292352        | 292K
            1240000       | 1.24M
            7000000       | 7M
            8030261248    | 8.0B
            3000000000    | 3B
            """)
    void numbers(long n, String text) {
        assertThat(HumanUnits.number(n)).isEqualTo(text);
    }

    @ParameterizedTest(name = "{0} ns = {1}")
    @CsvSource(delimiter = '|', textBlock = """
            0                | 0s
            850              | 850ns
            1500             | 1.5µs
            12345678         | 12.345678ms
            1000000000       | 1s
            1234567891       | 1.234567891s
            61000000000      | 1m1s
            3723500000000    | 1h2m3.5s
            3600000000000    | 1h0m0s
            -2000000         | -2ms
            """)
    void goDurations(long nanos, String text) {
        assertThat(HumanUnits.goDuration(Duration.ofNanos(nanos))).isEqualTo(text);
    }

    @ParameterizedTest(name = "{0} s left = {1}")
    @CsvSource(delimiter = '|', textBlock = """
            0       | 0s
            44.6    | 45s
            185     | 3m5s
            7800    | 2h10m
            400000  | 99h+
            """)
    void remaining(double seconds, String text) {
        assertThat(HumanUnits.remaining(Duration.ofMillis((long) (seconds * 1000)))).isEqualTo(text);
    }

    @ParameterizedTest(name = "{0} s from now = {1}")
    @CsvSource(delimiter = '|', textBlock = """
            0           | Less than a second ago
            -1          | 1 second ago
            -45         | 45 seconds ago
            -90         | About a minute ago
            -120        | 2 minutes ago
            -3600       | About an hour ago
            -36000      | 10 hours ago
            -259200     | 3 days ago
            -1814400    | 3 weeks ago
            -7776000    | 3 months ago
            -94608000   | 3 years ago
            240         | 4 minutes from now
            299         | 4 minutes from now
            """)
    void relativeTimes(long secondsFromNow, String text) {
        assertThat(HumanUnits.relativeTime(NOW.plusSeconds(secondsFromNow), NOW, "Never")).isEqualTo(text);
    }

    @Test
    void farFutureIsForeverAndAbsentIsNever() {
        assertThat(HumanUnits.relativeTime(Instant.parse("2318-02-23T00:00:00Z"), NOW, "Never")).isEqualTo("Forever");
        assertThat(HumanUnits.relativeTime(null, NOW, "Never")).isEqualTo("Never");
        assertThat(HumanUnits.relativeTime(Instant.parse("0001-01-01T00:00:00Z"), NOW, "Never")).isEqualTo("Never");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            sha256:0123456789abcdef0123 | 0123456789ab
            sha256-0123456789abcdef0123 | 0123456789ab
            0123456789abcdef0123        | 0123456789ab
            abc                         | abc
            """)
    void shortDigests(String digest, String id) {
        assertThat(HumanUnits.shortDigest(digest)).isEqualTo(id);
    }

    @Test
    void tablesAlignLeftFourSpacesApart() {
        String table = TableFormat.render(List.of("NAME", "ID", "SIZE"), List.of(
                List.of("stories:latest", "0123456789ab", "1.1 MB"),
                List.of("x:latest", "ba9876543210", "")));
        assertThat(table).isEqualTo("""
                NAME              ID              SIZE
                stories:latest    0123456789ab    1.1 MB
                x:latest          ba9876543210
                """);
        assertThat(TableFormat.render(List.of(), List.of(List.of("", "architecture", "llama"),
                List.of("", "context length", "128")))).isEqualTo("""
                    architecture      llama
                    context length    128
                """);
    }
}
