package dev.jollama.server.routes;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jollama.engine.sampling.Logprob;
import dev.jollama.engine.sampling.TokenLogprob;
import dev.jollama.engine.tokenizer.Tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** The {@code logprobs} field of a chunk: {token, logprob, bytes, top_logprobs} per emitted token, as Ollama writes it. */
final class LogprobsJson {
    private LogprobsJson() {
    }

    /** Adds the field when there are entries; a chunk without tokens gets none. */
    static void put(ObjectNode chunk, Tokenizer tokenizer, List<Logprob> logprobs) {
        if (logprobs.isEmpty()) {
            return;
        }
        ArrayNode array = chunk.putArray("logprobs");
        for (Logprob l : logprobs) {
            ObjectNode entry = token(array.addObject(), tokenizer, l.chosen());
            if (!l.alternatives().isEmpty()) {
                ArrayNode top = entry.putArray("top_logprobs");
                for (TokenLogprob alternative : l.alternatives()) {
                    token(top.addObject(), tokenizer, alternative);
                }
            }
        }
    }

    private static ObjectNode token(ObjectNode entry, Tokenizer tokenizer, TokenLogprob t) {
        byte[] bytes = tokenizer.tokenBytes(t.token());
        entry.put("token", new String(bytes, StandardCharsets.UTF_8));
        entry.put("logprob", t.logprob());
        ArrayNode byteArray = entry.putArray("bytes");
        for (byte b : bytes) {
            byteArray.add(Byte.toUnsignedInt(b));
        }
        return entry;
    }
}
