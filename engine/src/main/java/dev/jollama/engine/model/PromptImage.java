package dev.jollama.engine.model;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An image's rows in a prompt: its embeddings ({@code rows} rows of the text model's width), fed in place of token
 * embeddings at consecutive positions. In the prompt's token array each row is written as its {@link #key}: a
 * negative int derived from the image's identity (a hash of its bytes) and the row's index, so it never equals a
 * token, and the KV cache's prefix index reuses an image's positions only for the same image.
 *
 * @param attendBothWays whether the image's rows attend to each other both ways (Gemma 3), not causally (LLaVA)
 */
public record PromptImage(long id, float[] embeddings, int rows, boolean attendBothWays) {

    public PromptImage {
        if (rows < 1 || embeddings.length % rows != 0) {
            throw new IllegalArgumentException(embeddings.length + " values are not " + rows + " rows");
        }
    }

    /** The int that stands for row {@code row} in a prompt's token array. */
    public int key(int row) {
        long h = (id ^ (row + 1) * 0x9E3779B97F4A7C15L) * 0xBF58476D1CE4E5B9L;
        h ^= h >>> 31;
        return (int) (h ^ (h >>> 32)) | Integer.MIN_VALUE;
    }

    /** The keys of all rows, in order. */
    public int[] keys() {
        int[] keys = new int[rows];
        for (int i = 0; i < rows; i++) {
            keys[i] = key(i);
        }
        return keys;
    }

    int width() {
        return embeddings.length / rows;
    }

    /** Where a prompt's image rows come from: each key's image and row. */
    record Row(PromptImage image, int index) {
        /** The keys of these images' rows; a key two images share (a 2^-31 chance per pair of rows) is refused. */
        static Map<Integer, Row> index(List<PromptImage> images) {
            Map<Integer, Row> rows = new HashMap<>();
            for (PromptImage image : images) {
                for (int i = 0; i < image.rows(); i++) {
                    Row previous = rows.put(image.key(i), new Row(image, i));
                    if (previous != null && previous.image().id() != image.id()) {
                        throw new IllegalArgumentException("two images of the prompt have rows of the same key; send them in separate requests");
                    }
                }
            }
            return rows;
        }

        /** Rows of the image after this one. */
        int rowsAfter() {
            return image.rows() - 1 - index;
        }
    }
}
