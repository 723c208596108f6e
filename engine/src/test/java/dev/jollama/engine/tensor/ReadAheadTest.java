package dev.jollama.engine.tensor;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReadAheadTest {
    @Test
    void intelProcessorsReadAheadAndOthersDoNot() {
        assertThat(FloatTensor.readAheadBytes(null, true)).isEqualTo(8192);
        assertThat(FloatTensor.readAheadBytes(null, false)).isZero();
    }

    @Test
    void thePropertyWinsAndBelowZeroMeansNone() {
        assertThat(FloatTensor.readAheadBytes("4096", false)).isEqualTo(4096);
        assertThat(FloatTensor.readAheadBytes(" 0 ", true)).isZero();
        assertThat(FloatTensor.readAheadBytes("-1", true)).isZero();
    }

    @Test
    void aValueThatIsNotANumberIsRefusedByName() {
        assertThatThrownBy(() -> FloatTensor.readAheadBytes("8k", true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("jollama.readAhead must be a whole number of bytes (0: no read-ahead), not '8k'");
    }
}
