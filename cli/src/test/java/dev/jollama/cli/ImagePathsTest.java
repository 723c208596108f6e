package dev.jollama.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Image paths in a prompt for a vision model, as ollama run finds them. */
class ImagePathsTest {

    @Test
    void attachesExistingImagesAndTakesThemOutOfThePrompt(@TempDir Path dir) throws IOException {
        Path photo = Files.write(dir.resolve("my photo.PNG"), new byte[] {1, 2, 3});
        Path other = Files.write(dir.resolve("b.jpg"), new byte[] {4});
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String escaped = photo.toString().replace(" ", "\\ ");
        ImagePaths found = ImagePaths.extract("describe " + escaped + " and '" + other + "' but not /no/such.png",
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(found.images()).hasSize(2);
        assertThat(found.images().get(0)).containsExactly(1, 2, 3);
        assertThat(found.prompt()).isEqualTo("describe  and  but not /no/such.png");
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("Added image '" + photo + "'", "Added image '" + other + "'");
    }

    @Test
    void aPromptWithoutPathsIsLeftAsItIs() {
        ImagePaths found = ImagePaths.extract("why is the sky blue?", System.err);
        assertThat(found.images()).isEmpty();
        assertThat(found.prompt()).isEqualTo("why is the sky blue?");
    }
}
