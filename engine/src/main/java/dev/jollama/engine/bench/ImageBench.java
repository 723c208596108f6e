package dev.jollama.engine.bench;

import dev.jollama.engine.image.RgbImage;
import dev.jollama.engine.model.ImageEncoder;

import java.io.PrintStream;
import java.nio.file.Path;

/** Times the encoding of one image by a projector: seconds per image, and the multiply-adds per second that is. */
public final class ImageBench {
    private ImageBench() {
    }

    /**
     * @param seconds min, median and max over the repeats (after one warm-up encode)
     * @param gflops  billions of floating-point operations (two per multiply-add) per second, at the median
     */
    public record Result(String projector, int imageSize, int imageTokens, double[] seconds, double gflops) {
        public String line() {
            return String.format("image %s (%dx%d into %d rows): %.3f / %.3f / %.3f s per image (min/med/max), %.1f GFLOP/s",
                    projector, imageSize, imageSize, imageTokens, seconds[0], seconds[1], seconds[2], gflops);
        }
    }

    public static Result measure(Path projector, int repeat, PrintStream progress) {
        try (ImageEncoder encoder = ImageEncoder.load(projector)) {
            int size = encoder.preprocessor().size();
            RgbImage image = gradient(size);
            encoder.encode(image); // warm-up: compiles the products for this shape
            double[] seconds = new double[repeat];
            for (int i = 0; i < repeat; i++) {
                long start = System.nanoTime();
                encoder.encode(image);
                seconds[i] = (System.nanoTime() - start) / 1e9;
                Bench.note(progress, "repeat %d: %.3f s per image", i + 1, seconds[i]);
            }
            double[] stats = Bench.stats(seconds);
            return new Result(projector.getFileName().toString(), size, encoder.imageTokens(), stats,
                    2.0 * encoder.multiplyAddsPerImage() / stats[1] / 1e9);
        }
    }

    /** An image of the encoder's size (used as it is, no resizing): a colour gradient. */
    private static RgbImage gradient(int size) {
        byte[] rgb = new byte[3 * size * size];
        for (int y = 0, i = 0; y < size; y++) {
            for (int x = 0; x < size; x++, i += 3) {
                rgb[i] = (byte) (255 * x / size);
                rgb[i + 1] = (byte) (255 * y / size);
                rgb[i + 2] = (byte) (255 * (x + y) / (2 * size));
            }
        }
        return new RgbImage(size, size, rgb);
    }
}
