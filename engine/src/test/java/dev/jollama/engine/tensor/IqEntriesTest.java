package dev.jollama.engine.tensor;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The vector writing of IQ grid entries against its scalar twin, bit for bit, for every sign byte in either entry. */
class IqEntriesTest {

    @Test
    void vectorEntriesMatchTheScalarTwinBitForBit() {
        Random random = new Random(8);
        float[] fast = new float[16], scalar = new float[16];
        for (int signs = 0; signs < 256; signs++) {
            for (int trial = 0; trial < 8; trial++) {
                long first = IqGrids.IQ2S[random.nextInt(IqGrids.IQ2S.length)], second = IqGrids.IQ2S[random.nextInt(IqGrids.IQ2S.length)];
                int bothSigns = trial % 2 == 0 ? signs | random.nextInt(256) << 8 : random.nextInt(256) | signs << 8;
                float scale = (float) (random.nextGaussian() * Math.pow(2, random.nextInt(40) - 30));
                IqEntries.magnitudes(first, second, bothSigns, scale, fast, 0);
                IqEntries.magnitudesScalar(first, second, bothSigns, scale, scalar, 0);
                assertBitsEqual(fast, scalar, "magnitudes %016x %016x signs %04x scale %s".formatted(first, second, bothSigns, scale));
                long firstLevels = IqGrids.IQ1S[random.nextInt(IqGrids.IQ1S.length)], secondLevels = IqGrids.IQ1S[random.nextInt(IqGrids.IQ1S.length)];
                float firstDelta = random.nextBoolean() ? IQ1STensor.DELTA : -IQ1STensor.DELTA;
                float secondDelta = random.nextBoolean() ? IQ1STensor.DELTA : -IQ1STensor.DELTA;
                IqEntries.levels(firstLevels, secondLevels, firstDelta, secondDelta, scale, fast, 0);
                IqEntries.levelsScalar(firstLevels, secondLevels, firstDelta, secondDelta, scale, scalar, 0);
                assertBitsEqual(fast, scalar, "levels %016x %016x deltas %s %s scale %s".formatted(firstLevels, secondLevels, firstDelta, secondDelta, scale));
            }
        }
    }

    private static void assertBitsEqual(float[] actual, float[] expected, String what) {
        for (int j = 0; j < 16; j++) {
            assertThat(Float.floatToRawIntBits(actual[j])).as("%s value %d: %s, scalar %s", what, j, actual[j], expected[j])
                    .isEqualTo(Float.floatToRawIntBits(expected[j]));
        }
    }
}
