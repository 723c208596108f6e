package dev.jollama.engine.tensor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jollama.engine.SharedTestData;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The tables generated into {@link IqGrids} (tools/iq-grids.mjs) hold the numbers of
 * {@code ../shared/reference/iq-grids.json}, and the parity rule of the IQ2 signs gives its sign table.
 */
class IqGridsTest {

    @Test
    void gridsHoldTheReferenceNumbers() throws IOException {
        JsonNode json = new ObjectMapper().readTree(SharedTestData.root().resolve("reference").resolve("iq-grids.json").toFile());
        Map<String, long[]> wide = Map.of("iq2xxs_grid", IqGrids.IQ2XXS, "iq2xs_grid", IqGrids.IQ2XS, "iq2s_grid", IqGrids.IQ2S,
                "iq1s_grid", IqGrids.IQ1S);
        wide.forEach((key, grid) -> {
            JsonNode entries = json.get(key).get("grid");
            assertThat(grid).as(key).hasSize(entries.size());
            for (int e = 0; e < grid.length; e++) {
                for (int j = 0; j < 8; j++) {
                    assertThat((int) (byte) (grid[e] >>> 8 * j)).as("%s entry %d value %d", key, e, j).isEqualTo(entries.get(e).get(j).asInt());
                }
            }
        });
        Map<String, int[]> narrow = Map.of("iq3xxs_grid", IqGrids.IQ3XXS, "iq3s_grid", IqGrids.IQ3S);
        narrow.forEach((key, grid) -> {
            JsonNode entries = json.get(key).get("grid");
            assertThat(grid).as(key).hasSize(entries.size());
            for (int e = 0; e < grid.length; e++) {
                for (int j = 0; j < 4; j++) {
                    assertThat((int) (byte) (grid[e] >>> 8 * j)).as("%s entry %d value %d", key, e, j).isEqualTo(entries.get(e).get(j).asInt());
                }
            }
        });
        JsonNode signs = json.get("iq2_sign_bytes");
        assertThat(signs.size()).isEqualTo(128);
        for (int i = 0; i < 128; i++) {
            assertThat(IQ2XXSTensor.signByte(i)).as("sign byte %d", i).isEqualTo(signs.get(i).asInt());
        }
    }
}
