package dev.jollama.server.completion;

import dev.jollama.engine.model.ImageEncoder;
import dev.jollama.engine.model.PromptImage;
import dev.jollama.engine.tokenizer.Tokenizer;
import dev.jollama.server.api.ApiException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * A rendered prompt whose [img-N] tags become images, as the reference builds it: the text between tags is
 * tokenized piece by piece (special tokens parsed, BOS only in front of the first), and each tag becomes the
 * projector's text before an image, the image's rows, and its text after. The prompt's token array holds each
 * row's key ({@link PromptImage#key}).
 *
 * @param encodeNanos the time the images took to encode
 */
record ImagePrompt(int[] tokens, List<PromptImage> images, long encodeNanos) {
    private static final Pattern TAG = Pattern.compile("\\[img-(\\d+)]");

    static ImagePrompt build(Tokenizer tokenizer, ImageEncoder encoder, String text, List<RequestImage> images) {
        IntStream.Builder tokens = IntStream.builder();
        Map<Integer, PromptImage> encoded = new HashMap<>();
        List<PromptImage> used = new ArrayList<>();
        long encodeNanos = 0;
        Matcher tag = TAG.matcher(text);
        int textStart = 0;
        while (tag.find()) {
            add(tokens, tokenizer.encode(text.substring(textStart, tag.start()), textStart == 0, true));
            int n = Integer.parseInt(tag.group(1));
            if (n >= images.size()) {
                throw ApiException.badRequest("invalid image index: " + n);
            }
            PromptImage image = encoded.get(n);
            if (image == null) {
                long start = System.nanoTime();
                RequestImage request = images.get(n);
                image = new PromptImage(request.id(), encoder.encode(request.pixels()), encoder.imageTokens(), encoder.imageAttendsBothWays());
                encodeNanos += System.nanoTime() - start;
                encoded.put(n, image);
                used.add(image);
            }
            add(tokens, tokenizer.encode(encoder.textBeforeImage(), false, true));
            add(tokens, image.keys());
            add(tokens, tokenizer.encode(encoder.textAfterImage(), false, true));
            textStart = tag.end();
        }
        add(tokens, tokenizer.encode(text.substring(textStart), textStart == 0, true));
        return new ImagePrompt(tokens.build().toArray(), used, encodeNanos);
    }

    private static void add(IntStream.Builder tokens, int[] more) {
        for (int t : more) {
            tokens.add(t);
        }
    }
}
