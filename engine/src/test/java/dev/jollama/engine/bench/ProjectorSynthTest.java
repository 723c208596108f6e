package dev.jollama.engine.bench;

import dev.jollama.engine.image.RgbImage;
import dev.jollama.engine.model.ImageEncoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Random-weight image projectors load and encode as a Gemma 3 projector of their shape. */
class ProjectorSynthTest {

    @Test
    void aSyntheticProjectorEncodesImages(@TempDir Path directory) throws IOException {
        ProjectorShape small = new ProjectorShape("small", 64, 8, 64, 128, 2, 4, 96);
        Path file = directory.resolve("small-mmproj.gguf");
        ProjectorSynth.write(small, file);
        try (ImageEncoder encoder = ImageEncoder.load(file)) {
            assertThat(encoder.kind()).isEqualTo(ImageEncoder.Kind.GEMMA3);
            assertThat(encoder.imageTokens()).isEqualTo(4); // 8 x 8 patches pooled 4 x 4
            assertThat(encoder.textWidth()).isEqualTo(96);
            float[] rows = encoder.encode(new RgbImage(30, 20, new byte[3 * 30 * 20]));
            assertThat(rows).hasSize(4 * 96);
            for (float v : rows) {
                assertThat(v).isFinite();
            }
            // patches, 2 blocks of products and attention over 64 positions, the projection
            long blocks = 2 * (64L * (4 * 64 * 64 + 2 * 64 * 128) + 2L * 64 * 64 * 64);
            assertThat(encoder.multiplyAddsPerImage()).isEqualTo(64L * 3 * 8 * 8 * 64 + blocks + 4L * 64 * 96);
        }
    }

    @Test
    void namedShapes() {
        assertThat(ProjectorShape.named("gemma3-4b-vision").blocks()).isEqualTo(27);
        assertThat(ProjectorShape.named("gemma3-4b-vision@2").blocks()).isEqualTo(2);
        assertThatThrownBy(() -> ProjectorShape.named("gemma3-4b-vision@28")).hasMessageContaining("from 1 to 27 blocks");
        assertThatThrownBy(() -> ProjectorShape.named("siglip")).hasMessageContaining("known: gemma3-4b-vision");
    }
}
