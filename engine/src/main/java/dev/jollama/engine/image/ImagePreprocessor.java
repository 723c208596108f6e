package dev.jollama.engine.image;

/**
 * Turns a decoded image into an encoder's input as the reference does for single-square encoders: the aspect ratio
 * kept (sizes computed in float32), the rest padded with a fixed colour around the centred image, then each channel
 * normalised with the projector file's mean and standard deviation.
 *
 * @param size      the side of the encoder's square input
 * @param resampling the family's resizing filter
 * @param pad       the padding colour, red, green and blue
 * @param mean      per channel, subtracted after scaling to 0..1
 * @param std       per channel, divided by after that
 */
public record ImagePreprocessor(int size, Resampling resampling, int[] pad, float[] mean, float[] std) {

    /** The padded square, as 8-bit RGB (before normalisation). */
    public RgbImage square(RgbImage image) {
        int w = image.width(), h = image.height();
        if (w == size && h == size) {
            return image;
        }
        float scale = Math.min((float) size / w, (float) size / h);
        int width = Math.min((int) Math.ceil(w * scale), size), height = Math.min((int) Math.ceil(h * scale), size);
        RgbImage resized = resampling.resize(image, width, height);
        byte[] out = new byte[3 * size * size];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) pad[i % 3];
        }
        int left = (size - width) / 2, top = (size - height) / 2;
        for (int y = 0; y < height; y++) {
            System.arraycopy(resized.rgb(), y * width * 3, out, ((top + y) * size + left) * 3, width * 3);
        }
        return new RgbImage(size, size, out);
    }

    /** The encoder's input: three planes (red, green, blue) of size × size normalised values. */
    public float[] pixels(RgbImage image) {
        RgbImage square = square(image);
        int plane = size * size;
        float[] out = new float[3 * plane];
        for (int i = 0; i < plane; i++) {
            for (int c = 0; c < 3; c++) {
                float v = (square.rgb()[i * 3 + c] & 0xFF) / 255f;
                out[c * plane + i] = (v - mean[c]) / std[c];
            }
        }
        return out;
    }
}
