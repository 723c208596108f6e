package dev.jollama.engine.sampling;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class StopSequencesTest {

    record Case(String name, List<String> stops, List<String> pushes, List<String> emitted, boolean stopped, String flushed) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("no stop strings pass everything through", List.of(),
                        List.of("Hello", " world"), List.of("Hello", " world"), false, ""),
                new Case("a whole stop string in one piece", List.of("END"),
                        List.of("abc", "END", "more"), List.of("abc", "", ""), true, ""),
                new Case("text before the match in the same piece is kept", List.of("STOP"),
                        List.of("a STOP b"), List.of("a "), true, ""),
                new Case("a stop string at the very start", List.of("STOP"),
                        List.of("STOP"), List.of(""), true, ""),
                new Case("a stop string spread over several pieces", List.of("</s>"),
                        List.of("Hi<", "/", "s", ">more"), List.of("Hi", "", "", ""), true, ""),
                new Case("a held prefix is released when it turns out not to be a stop", List.of("</s>"),
                        List.of("a<", "b"), List.of("a", "<b"), false, ""),
                new Case("a prefix held at the end comes out of flush", List.of("###"),
                        List.of("x##"), List.of("x"), false, "##"),
                new Case("overlapping prefix: only the tail that can still match is held", List.of("abc"),
                        List.of("ab", "ab", "c"), List.of("", "ab", ""), true, ""),
                new Case("self-overlapping stop string", List.of("aab"),
                        List.of("a", "a", "a", "b"), List.of("", "", "a", ""), true, ""),
                new Case("the earliest of several matches wins", List.of("STOP", "END"),
                        List.of("x END y STOP"), List.of("x "), true, ""),
                new Case("a chat end marker split across tokens", List.of("<|im_end|>", "\n\n"),
                        List.of("Hi<|im", "_end|>"), List.of("Hi", ""), true, ""),
                new Case("the longest tail that may start any stop string is held", List.of("xyz", "yz!"),
                        List.of("ayz", "!"), List.of("a", ""), true, ""),
                new Case("a tail of one stop string may complete another", List.of("abcd", "bc"),
                        List.of("ab", "c"), List.of("", "a"), true, ""),
                new Case("empty stop strings are ignored", List.of("", "Z"),
                        List.of("abc"), List.of("abc"), false, ""),
                new Case("non-ASCII text", List.of("。"),
                        List.of("你好", "。再见"), List.of("你好", ""), true, ""),
                new Case("empty pieces are harmless", List.of("END"),
                        List.of("", "E", "", "ND"), List.of("", "", "", ""), true, ""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void stopSequences(Case c) {
        StopSequences stops = new StopSequences(c.stops());
        List<String> emitted = new ArrayList<>();

        for (String piece : c.pushes()) {
            emitted.add(stops.push(piece));
        }

        assertThat(emitted).containsExactlyElementsOf(c.emitted());
        assertThat(stops.stopped()).isEqualTo(c.stopped());
        assertThat(stops.flush()).isEqualTo(c.flushed());
        assertThat(stops.flush()).isEmpty();
    }
}
