package dev.jollama.cli;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ServeCommandTest {

    @Test
    void warmUpIsOnUnlessTurnedOff() {
        assertThat(ServeCommand.warmUpWanted(null)).isTrue();
        assertThat(ServeCommand.warmUpWanted("1")).isTrue();
        assertThat(ServeCommand.warmUpWanted("0")).isFalse();
        assertThat(ServeCommand.warmUpWanted("false")).isFalse();
        assertThat(ServeCommand.warmUpWanted(" FALSE ")).isFalse();
    }
}
