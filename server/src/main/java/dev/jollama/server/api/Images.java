package dev.jollama.server.api;

import com.fasterxml.jackson.databind.JsonNode;

/** Base64 images as Go's encoding/base64 (standard alphabet, padded) decodes them, with its error text. */
final class Images {
    private Images() {
    }

    static byte[] decode(JsonNode image) {
        if (!image.isTextual()) {
            throw ApiException.badRequest("json: cannot unmarshal " + (image.isNumber() ? "number" : "object")
                    + " into Go struct field GenerateRequest.images of type api.ImageData");
        }
        String text = image.asText();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean valid = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/'
                    || (c == '=' && i >= text.length() - 2) || c == '\r' || c == '\n';
            if (!valid) {
                throw ApiException.badRequest("illegal base64 data at input byte " + i);
            }
        }
        try {
            return java.util.Base64.getMimeDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("illegal base64 data at input byte " + Math.max(0, text.length() - 1));
        }
    }
}
