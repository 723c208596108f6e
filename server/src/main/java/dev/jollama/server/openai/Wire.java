package dev.jollama.server.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jollama.server.api.GoJson;
import dev.jollama.server.api.ToolCall;
import dev.jollama.server.completion.CompletionEvent;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/** The fields every OpenAI-compatible reply shares. */
final class Wire {
    /** What {@code system_fingerprint} says, as Ollama answers it. */
    static final String FINGERPRINT = "fp_ollama";

    private Wire() {
    }

    /** A new reply id: the prefix ("chatcmpl", "cmpl", "resp", ...) and a random part. */
    static String id(String prefix) {
        return prefix + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16);
    }

    static long now() {
        return System.currentTimeMillis() / 1000;
    }

    /** The head of a reply object: id, object, created, model and system_fingerprint. */
    static ObjectNode head(String id, String object, long created, String model) {
        ObjectNode reply = GoJson.object();
        reply.put("id", id);
        reply.put("object", object);
        reply.put("created", created);
        reply.put("model", model);
        reply.put("system_fingerprint", FINGERPRINT);
        return reply;
    }

    /** {@code usage}: the prompt's tokens (cached ones included) and the sampled ones. */
    static ObjectNode usage(CompletionEvent.Metrics m) {
        ObjectNode usage = GoJson.object();
        usage.put("prompt_tokens", m.promptEvalCount());
        usage.put("completion_tokens", m.evalCount());
        usage.put("total_tokens", m.promptEvalCount() + m.evalCount());
        return usage;
    }

    /** JSON as text, written as Go writes it (OpenAI's tool call arguments are a string of JSON). */
    static String text(JsonNode json) {
        return new String(GoJson.bytes(json), StandardCharsets.UTF_8);
    }

    /** A call's id, or a new one for a call that has none, since OpenAI's clients answer calls by id. */
    static String callId(ToolCall call) {
        return call.id().isEmpty() ? ToolCall.newId() : call.id();
    }

    /** The usage of a request that generated nothing. */
    static CompletionEvent.Metrics noMetrics() {
        return new CompletionEvent.Metrics(0, 0, 0, 0, 0, 0, 0);
    }
}
