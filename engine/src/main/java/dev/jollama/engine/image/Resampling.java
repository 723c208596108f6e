package dev.jollama.engine.image;

/**
 * The reference's two resizing filters, to the sample, float32 arithmetic included: an image resized here equals
 * the one its encoder received.
 */
public enum Resampling {
    /** Corner-aligned bilinear, truncated to a byte (Gemma 3). */
    BILINEAR {
        @Override
        RgbImage resize(RgbImage src, int width, int height) {
            int w = src.width(), h = src.height();
            float ratioX = width == 1 ? 0 : (float) (w - 1) / (width - 1);
            float ratioY = height == 1 ? 0 : (float) (h - 1) / (height - 1);
            byte[] out = new byte[3 * width * height];
            for (int y = 0; y < height; y++) {
                float py = y * ratioY;
                int y0 = Math.min((int) Math.floor(py), h - 1), y1 = Math.min(y0 + 1, h - 1);
                float fy = py - y0;
                for (int x = 0; x < width; x++) {
                    float px = x * ratioX;
                    int x0 = Math.min((int) Math.floor(px), w - 1), x1 = Math.min(x0 + 1, w - 1);
                    float fx = px - x0;
                    for (int c = 0; c < 3; c++) {
                        float top = lerp(src.sample(x0, y0, c), src.sample(x1, y0, c), fx);
                        float bottom = lerp(src.sample(x0, y1, c), src.sample(x1, y1, c), fx);
                        out[(y * width + x) * 3 + c] = (byte) (int) lerp(top, bottom, fy);
                    }
                }
            }
            return new RgbImage(width, height, out);
        }

        private static float lerp(float a, float b, float t) {
            return a + (b - a) * t;
        }
    },
    /** The reference's own bicubic: no half-pixel shift, coefficients rounded to float32, rounded to a byte (LLaVA). */
    BICUBIC {
        @Override
        RgbImage resize(RgbImage src, int width, int height) {
            int w = src.width(), h = src.height();
            float tx = (float) w / width, ty = (float) h / height;
            byte[] out = new byte[3 * width * height];
            float[] rows = new float[4];
            for (int i = 0; i < height; i++) {
                float fy = ty * i;
                int y = (int) fy;
                float dy = fy - y;
                for (int j = 0; j < width; j++) {
                    float fx = tx * j;
                    int x = (int) fx;
                    float dx = fx - x;
                    for (int c = 0; c < 3; c++) {
                        for (int k = 0; k < 4; k++) {
                            int row = Math.clamp(y - 1 + k, 0, h - 1);
                            rows[k] = cubic(src.sample(clampX(x - 1, w), row, c), src.sample(clampX(x, w), row, c),
                                    src.sample(clampX(x + 1, w), row, c), src.sample(clampX(x + 2, w), row, c), dx);
                        }
                        float v = cubic(rows[0], rows[1], rows[2], rows[3], dy);
                        out[(i * width + j) * 3 + c] = (byte) Math.clamp(Math.round(v), 0, 255);
                    }
                }
            }
            return new RgbImage(width, height, out);
        }

        private static int clampX(int x, int w) {
            return Math.clamp(x, 0, w - 1);
        }

        /** The cubic through four samples around s1, at d past it. */
        private static float cubic(float s0, float s1, float s2, float s3, float d) {
            float d0 = s0 - s1, d2 = s2 - s1, d3 = s3 - s1;
            float a1 = (float) (-1.0 / 3 * d0 + d2 - 1.0 / 6 * d3);
            float a2 = (float) (0.5 * d0 + 0.5 * d2);
            float a3 = (float) (-1.0 / 6 * d0 - 0.5 * d2 + 1.0 / 6 * d3);
            return s1 + a1 * d + a2 * d * d + a3 * d * d * d;
        }
    };

    abstract RgbImage resize(RgbImage src, int width, int height);
}
