package dev.jollama.engine.image;

import dev.jollama.engine.SharedTestData;
import dev.jollama.engine.model.ImageEncoder;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Arrays;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Decoding and preprocessing against the reference's pixels (vision goldens), and the decoder's refusals. */
class ImagePipelineTest {

    @Test
    void pngPixelsAreTheReferences() throws IOException {
        for (String name : VisionTestData.IMAGES) {
            RgbImage ours = ImageDecoder.decode(Files.readAllBytes(VisionTestData.image(name)));
            RgbImage reference = VisionTestData.decoded(name);
            assertThat(ours.width()).as(name).isEqualTo(reference.width());
            assertThat(ours.height()).as(name).isEqualTo(reference.height());
            int differing = 0, largest = 0;
            for (int i = 0; i < ours.rgb().length; i++) {
                int d = Math.abs((ours.rgb()[i] & 0xFF) - (reference.rgb()[i] & 0xFF));
                differing += d == 0 ? 0 : 1;
                largest = Math.max(largest, d);
            }
            System.out.printf("decoded %-16s %d of %d samples differ from the reference, by at most %d%n", name, differing, ours.rgb().length, largest);
            if (name.endsWith(".png")) {
                assertThat(differing).as(name).isZero();
            }
        }
    }

    @Test
    void preprocessedImagesAreTheReferences() throws IOException {
        for (String family : new String[] {"llava", "gemma3"}) {
            ImagePreprocessor preprocessor;
            try (ImageEncoder encoder = ImageEncoder.load(SharedTestData.model("vision/syn-" + (family.equals("llava") ? "llava" : "gemma3v") + "-mmproj-f32.gguf"))) {
                preprocessor = encoder.preprocessor();
            }
            for (String name : VisionTestData.IMAGES) {
                RgbImage ours = preprocessor.square(VisionTestData.decoded(name));
                RgbImage reference = VisionTestData.preprocessed(family, name);
                assertThat(ours.width()).isEqualTo(reference.width());
                assertThat(Arrays.equals(ours.rgb(), reference.rgb())).as(family + " " + name).isTrue();
            }
        }
    }

    @Test
    void float32SizeRuleAndPadding() {
        ImagePreprocessor p = new ImagePreprocessor(64, Resampling.BILINEAR, new int[] {1, 2, 3}, new float[3], new float[] {1, 1, 1});
        RgbImage square = p.square(new RgbImage(60, 45, new byte[3 * 60 * 45]));
        // 60x45 at 64: 49 rows in float32 (48 exactly): 7 rows of padding above, 8 below
        assertThat(square.sample(0, 6, 2)).isEqualTo(3);
        assertThat(square.sample(0, 7, 2)).isZero();
        assertThat(square.sample(0, 55, 2)).isZero();
        assertThat(square.sample(0, 56, 2)).isEqualTo(3);
    }

    @Test
    void paletteGreyAndSixteenBitAsTheReference() throws IOException {
        BufferedImage grey16 = new BufferedImage(2, 1, BufferedImage.TYPE_USHORT_GRAY);
        grey16.getRaster().setSample(0, 0, 0, 0x1234);
        grey16.getRaster().setSample(1, 0, 0, 0xFFFF);
        RgbImage decoded = ImageDecoder.decode(png(grey16));
        assertThat(decoded.rgb()).containsExactly(0x12, 0x12, 0x12, 0xFF, 0xFF, 0xFF);

        BufferedImage palette = new BufferedImage(1, 1, BufferedImage.TYPE_BYTE_INDEXED);
        palette.setRGB(0, 0, 0xFF0000);
        assertThat(ImageDecoder.decode(png(palette)).rgb()).containsExactly((byte) 0xFF, 0, 0);
    }

    @Test
    void refusesWhatIsNotAnImage() throws IOException {
        assertThatThrownBy(() -> ImageDecoder.decode("just some text".getBytes()))
                .isInstanceOf(InvalidImageException.class).hasMessageContaining("not a PNG, JPEG, GIF, BMP or WebP image");
        byte[] png = Files.readAllBytes(VisionTestData.image("rgb-80x48.png"));
        assertThatThrownBy(() -> ImageDecoder.decode(Arrays.copyOf(png, png.length / 2)))
                .isInstanceOf(InvalidImageException.class).hasMessageContaining("could not be decoded");
        // A PNG header declaring 20000 x 20000 pixels: refused before any pixel is read.
        byte[] huge = png.clone();
        java.nio.ByteBuffer.wrap(huge).putInt(16, 20_000).putInt(20, 20_000);
        assertThatThrownBy(() -> ImageDecoder.decode(huge))
                .isInstanceOf(InvalidImageException.class).hasMessageContaining("20000x20000 pixels, more than the limit of 10000x10000");
    }

    /** The 1x1 lossless and lossy WebP files browsers' feature tests use. */
    @Test
    void readsWebP() {
        for (String webp : new String[] {"UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==",
                "UklGRiIAAABXRUJQVlA4IBYAAAAwAQCdASoBAAEADsD+JaQAA3AAAAAA"}) {
            RgbImage image = ImageDecoder.decode(java.util.Base64.getDecoder().decode(webp));
            assertThat(image.width()).isEqualTo(1);
            assertThat(image.height()).isEqualTo(1);
        }
    }

    private static byte[] png(BufferedImage image) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }
}
