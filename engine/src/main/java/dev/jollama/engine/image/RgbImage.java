package dev.jollama.engine.image;

/** An image as 8-bit RGB triples, row by row from the top left. */
public record RgbImage(int width, int height, byte[] rgb) {

    public RgbImage {
        if (rgb.length != 3L * width * height) {
            throw new IllegalArgumentException(width + "x" + height + " RGB needs " + 3L * width * height + " bytes, not " + rgb.length);
        }
    }

    /** Channel c (0 red, 1 green, 2 blue) of the pixel at (x, y), 0..255. */
    public int sample(int x, int y, int c) {
        return rgb[(y * width + x) * 3 + c] & 0xFF;
    }
}
