package dev.jollama.engine.image;

import dev.jollama.engine.SharedTestData;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The shared vision test data: images, the reference's decoded and preprocessed pixels (PPM), embeddings (.npy). */
public final class VisionTestData {
    public static final List<String> IMAGES = List.of("rgb-80x48.png", "gray-40x72.png", "rgba-50x50.png", "photo-60x45.jpg");

    private VisionTestData() {
    }

    public static Path image(String name) {
        return SharedTestData.root().resolve("images").resolve(name);
    }

    public static String stem(String name) {
        return name.substring(0, name.lastIndexOf('.'));
    }

    /** The pixels the reference decoded from an image. */
    public static RgbImage decoded(String name) throws IOException {
        return ppm(SharedTestData.root().resolve("images/decoded").resolve(stem(name) + ".ppm"));
    }

    /** The square the reference's encoder of a family ("llava", "gemma3") received. */
    public static RgbImage preprocessed(String family, String name) throws IOException {
        return ppm(SharedTestData.root().resolve("golden/vision/preprocessed").resolve(family).resolve(stem(name) + ".ppm"));
    }

    /** A binary PPM (P6, maxval 255). */
    public static RgbImage ppm(Path path) throws IOException {
        byte[] bytes = Files.readAllBytes(path);
        int[] at = {0};
        String magic = field(bytes, at);
        int width = Integer.parseInt(field(bytes, at)), height = Integer.parseInt(field(bytes, at));
        int max = Integer.parseInt(field(bytes, at));
        if (!magic.equals("P6") || max != 255) {
            throw new IOException(path + " is not an 8-bit binary PPM");
        }
        byte[] rgb = new byte[3 * width * height];
        System.arraycopy(bytes, at[0] + 1, rgb, 0, rgb.length);
        return new RgbImage(width, height, rgb);
    }

    private static String field(byte[] bytes, int[] at) {
        while (Character.isWhitespace(bytes[at[0]])) {
            at[0]++;
        }
        int start = at[0];
        while (!Character.isWhitespace(bytes[at[0]])) {
            at[0]++;
        }
        return new String(bytes, start, at[0] - start, StandardCharsets.US_ASCII);
    }

    /** A little-endian float32 .npy array, flattened. */
    public static float[] npy(Path path) throws IOException {
        byte[] bytes = Files.readAllBytes(path);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int major = bytes[6];
        int headerLength = major == 1 ? b.getShort(8) & 0xFFFF : b.getInt(8);
        int dataStart = (major == 1 ? 10 : 12) + headerLength;
        String header = new String(bytes, major == 1 ? 10 : 12, headerLength, StandardCharsets.US_ASCII);
        if (!header.contains("'<f4'")) {
            throw new IOException(path + " is not little-endian float32: " + header);
        }
        float[] values = new float[(bytes.length - dataStart) / 4];
        b.position(dataStart);
        b.asFloatBuffer().get(values);
        return values;
    }
}
