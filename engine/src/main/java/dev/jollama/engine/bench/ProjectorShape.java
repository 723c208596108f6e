package dev.jollama.engine.bench;

import java.util.List;

/**
 * The shape of a released image projector, for random-weight files that time the image encoder. A name may end in
 * {@code @N} for only the first N blocks (to time a block on a slow machine and scale by the block count).
 *
 * @param blocks blocks the file holds (all of them run: a gemma3 projector)
 */
record ProjectorShape(String name, int imageSize, int patchSize, int width, int feedForward, int blocks, int heads,
                      int textWidth) {
    /** Gemma 3 4B's SigLIP: 896 pixels in patches of 14, 27 blocks of 1152, into 2560. */
    private static final ProjectorShape GEMMA3_4B = new ProjectorShape("gemma3-4b-vision", 896, 14, 1152, 4304, 27, 16, 2560);

    static boolean isNamed(String name) {
        return name.split("@")[0].equals(GEMMA3_4B.name());
    }

    static ProjectorShape named(String name) {
        String[] parts = name.split("@");
        if (!parts[0].equals(GEMMA3_4B.name())) {
            throw new IllegalArgumentException("unknown projector shape '" + name + "' (known: " + String.join(", ", names()) + ")");
        }
        if (parts.length == 1) {
            return GEMMA3_4B;
        }
        int blocks = Integer.parseInt(parts[1]);
        if (blocks < 1 || blocks > GEMMA3_4B.blocks) {
            throw new IllegalArgumentException(name + ": from 1 to " + GEMMA3_4B.blocks + " blocks");
        }
        ProjectorShape s = GEMMA3_4B;
        return new ProjectorShape(name, s.imageSize, s.patchSize, s.width, s.feedForward, blocks, s.heads, s.textWidth);
    }

    static List<String> names() {
        return List.of(GEMMA3_4B.name());
    }
}
