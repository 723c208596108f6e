package dev.jollama.server.api;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The body of POST /api/generate (Go's api.GenerateRequest), bound as Go binds it (see {@link RequestBody}).
 *
 * @param model       as sent, stripped of surrounding spaces
 * @param context     token ids of an earlier reply to continue, or null when absent
 * @param format      "json", a JSON Schema, or null; compiled once the request is known to run
 * @param options     the raw options object, or null; resolved against the model's parameters (see {@link Options})
 * @param images      decoded base64 images
 */
public record GenerateRequest(String model, String prompt, String suffix, String system, String template, int[] context,
                              boolean stream, boolean raw, JsonNode format, List<byte[]> images,
                              Optional<RequestBody.KeepAlive> keepAlive, JsonNode options, boolean logprobs,
                              int topLogprobs, boolean truncate, boolean shift, boolean debugRenderOnly, ThinkValue think) {

    /** Binds a body; the first field that does not bind is a 400 with Go's text. */
    public static GenerateRequest parse(byte[] json) {
        RequestBody body = RequestBody.parse("GenerateRequest", json);
        List<byte[]> images = new ArrayList<>();
        body.node("images").ifPresent(n -> {
            if (!n.isArray()) {
                throw ApiException.badRequest("json: cannot unmarshal " + (n.isTextual() ? "string" : "object")
                        + " into Go struct field GenerateRequest.images of type []api.ImageData");
            }
            for (JsonNode image : n) {
                images.add(Images.decode(image));
            }
        });
        int[] context = body.node("context").map(GenerateRequest::tokenIds).orElse(null);
        return new GenerateRequest(body.string("model").strip(), body.string("prompt"), body.string("suffix"),
                body.string("system"), body.string("template"), context, body.bool("stream").orElse(true),
                body.bool("raw").orElse(false), body.node("format").orElse(null), images, body.keepAlive(),
                body.object("options").orElse(null), body.bool("logprobs").orElse(false),
                body.integer("top_logprobs").orElse(0), body.bool("truncate").orElse(true),
                body.bool("shift").orElse(true), body.bool("_debug_render_only").orElse(false),
                ThinkValue.parse(body.node("think")));
    }

    private static int[] tokenIds(JsonNode n) {
        if (!n.isArray()) {
            throw ApiException.badRequest("json: cannot unmarshal " + (n.isTextual() ? "string" : "object")
                    + " into Go struct field GenerateRequest.context of type []int");
        }
        int[] ids = new int[n.size()];
        for (int i = 0; i < ids.length; i++) {
            if (!n.get(i).isIntegralNumber()) {
                throw ApiException.badRequest("json: cannot unmarshal " + (n.get(i).isTextual() ? "string" : "number")
                        + " into Go struct field GenerateRequest.context of type int");
            }
            ids[i] = n.get(i).asInt();
        }
        return ids;
    }
}
