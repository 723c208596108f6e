package dev.jollama.server.routes;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jollama.server.api.TokenLogprob;

import java.util.List;

/** The {@code logprobs} field of a chunk: {token, logprob, bytes, top_logprobs} per emitted token, as Ollama writes it. */
public final class LogprobsJson {
    private LogprobsJson() {
    }

    /** Adds the field when there are entries; a chunk without tokens gets none. */
    static void put(ObjectNode chunk, List<TokenLogprob> logprobs) {
        if (!logprobs.isEmpty()) {
            putEntries(chunk.putArray("logprobs"), logprobs);
        }
    }

    /** The entries, in the layout OpenAI's chat completions use too ({@code logprobs.content}). */
    public static void putEntries(ArrayNode array, List<TokenLogprob> logprobs) {
        for (TokenLogprob l : logprobs) {
            ObjectNode entry = token(array.addObject(), l);
            if (!l.topLogprobs().isEmpty()) {
                ArrayNode top = entry.putArray("top_logprobs");
                for (TokenLogprob alternative : l.topLogprobs()) {
                    token(top.addObject(), alternative);
                }
            }
        }
    }

    private static ObjectNode token(ObjectNode entry, TokenLogprob t) {
        entry.put("token", t.token());
        entry.put("logprob", t.logprob());
        ArrayNode byteArray = entry.putArray("bytes");
        for (byte b : t.bytes()) {
            byteArray.add(Byte.toUnsignedInt(b));
        }
        return entry;
    }
}
