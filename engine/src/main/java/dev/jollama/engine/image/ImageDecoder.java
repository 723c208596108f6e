package dev.jollama.engine.image;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;

/**
 * Decodes PNG, JPEG, GIF, BMP and WebP bytes into 8-bit RGB as the reference's decoder does: grey replicated to
 * three channels, palettes expanded, samples wider than 8 bits cut to their high byte, and alpha dropped without
 * compositing (a transparent pixel keeps the colour stored under it). The size is read before the pixels, so an
 * image over the limits is refused without decoding it.
 */
public final class ImageDecoder {
    /** The most pixels along either side, and the most bytes of an encoded image, that are accepted. */
    public static final int MAX_SIDE = 10_000;
    public static final int MAX_BYTES = 50 * 1024 * 1024;

    static {
        ImageIO.setUseCache(false); // decode in memory, never through temporary files
    }

    private ImageDecoder() {
    }

    public static RgbImage decode(byte[] bytes) {
        if (bytes.length > MAX_BYTES) {
            throw new InvalidImageException("the image is " + bytes.length + " bytes, more than the limit of " + MAX_BYTES);
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new InvalidImageException("the data is not a PNG, JPEG, GIF, BMP or WebP image");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                int width = reader.getWidth(0), height = reader.getHeight(0);
                if (width > MAX_SIDE || height > MAX_SIDE) {
                    throw new InvalidImageException("the image is " + width + "x" + height + " pixels, more than the limit of "
                            + MAX_SIDE + "x" + MAX_SIDE);
                }
                return toRgb(reader.read(0));
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof InvalidImageException invalid) {
                throw invalid;
            }
            throw new InvalidImageException("the image could not be decoded: " + describe(e), e);
        }
    }

    private static String describe(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** The raster's own samples: BufferedImage.getRGB would convert grey from linear to sRGB. */
    static RgbImage toRgb(BufferedImage image) {
        int width = image.getWidth(), height = image.getHeight();
        Raster raster = image.getRaster();
        ColorModel model = image.getColorModel();
        byte[] rgb = new byte[3 * width * height];
        int[] pixel = new int[raster.getNumBands()];
        boolean palette = model instanceof IndexColorModel;
        boolean grey = !palette && model.getNumColorComponents() == 1;
        int[] bits = new int[3];
        for (int c = 0; c < 3; c++) {
            bits[c] = palette ? 8 : model.getComponentSize(grey ? 0 : c);
        }
        for (int y = 0, i = 0; y < height; y++) {
            for (int x = 0; x < width; x++, i += 3) {
                raster.getPixel(x, y, pixel);
                if (palette) {
                    IndexColorModel p = (IndexColorModel) model;
                    rgb[i] = (byte) p.getRed(pixel[0]);
                    rgb[i + 1] = (byte) p.getGreen(pixel[0]);
                    rgb[i + 2] = (byte) p.getBlue(pixel[0]);
                } else {
                    for (int c = 0; c < 3; c++) {
                        rgb[i + c] = (byte) toByte(pixel[grey ? 0 : c], bits[c]);
                    }
                }
            }
        }
        return new RgbImage(width, height, rgb);
    }

    /** A sample of {@code bits} bits as 8: the high byte of wider ones, narrower ones scaled up to 0..255. */
    private static int toByte(int sample, int bits) {
        if (bits == 8) {
            return sample;
        }
        return bits > 8 ? sample >>> (bits - 8) : sample * 255 / ((1 << bits) - 1);
    }
}
