package dev.jollama.server.completion;

import dev.jollama.engine.image.ImageDecoder;
import dev.jollama.engine.image.InvalidImageException;
import dev.jollama.engine.image.RgbImage;
import dev.jollama.server.api.ApiException;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * An image of a request, decoded, with an identity taken from its bytes (the KV cache reuses its positions only
 * for the same bytes).
 */
public record RequestImage(long id, RgbImage pixels) {

    /** Decodes a request's images, before any model is loaded: an unreadable one is a 400 naming it. */
    public static List<RequestImage> decode(List<byte[]> images) {
        List<RequestImage> decoded = new ArrayList<>(images.size());
        for (int i = 0; i < images.size(); i++) {
            try {
                decoded.add(new RequestImage(id(images.get(i)), ImageDecoder.decode(images.get(i))));
            } catch (InvalidImageException e) {
                throw ApiException.badRequest("invalid image " + i + ": " + e.getMessage());
            }
        }
        return decoded;
    }

    private static long id(byte[] bytes) {
        try {
            return ByteBuffer.wrap(MessageDigest.getInstance("SHA-256").digest(bytes)).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
