package dev.jollama.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The chunks of a streamed reply, one JSON object per line, read as they are asked for. The body is closed at the
 * end, on an error, or when the stream is closed early; closing it early drops the connection, which is how the
 * server learns to stop generating. Closing may come from another thread: the reading thread's stream then ends.
 */
final class NdjsonChunks<T> implements Iterator<T> {
    private final InputStream body;
    private final BufferedReader lines;
    private final Class<T> type;
    private T next;
    private volatile boolean closed;

    private NdjsonChunks(InputStream body, Class<T> type) {
        this.body = body;
        this.lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
        this.type = type;
    }

    static <T> Stream<T> stream(InputStream body, Class<T> type) {
        NdjsonChunks<T> chunks = new NdjsonChunks<>(body, type);
        Spliterator<T> spliterator = Spliterators.spliteratorUnknownSize(chunks,
                Spliterator.ORDERED | Spliterator.NONNULL);
        return StreamSupport.stream(spliterator, false).onClose(chunks::close);
    }

    @Override
    public boolean hasNext() {
        if (next == null && !closed) {
            next = readChunk();
        }
        return next != null;
    }

    @Override
    public T next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        T chunk = next;
        next = null;
        return chunk;
    }

    private T readChunk() {
        String line;
        try {
            do {
                line = lines.readLine();
            } while (line != null && line.isBlank());
        } catch (IOException e) {
            if (closed) {
                return null;
            }
            close();
            throw new JollamaException(JollamaException.NO_RESPONSE,
                    "the connection to the server broke off mid-reply: " + e.getMessage(), e);
        }
        if (line == null) {
            close();
            return null;
        }
        return parse(line);
    }

    private T parse(String line) {
        try {
            JsonNode node = Json.MAPPER.readTree(line);
            if (!node.isObject()) {
                throw invalidLine(line, null);
            }
            JsonNode error = node.get("error");
            if (error != null && !error.isNull()) {
                close();
                int status = node.path("status").isInt() ? node.get("status").asInt() : 500;
                throw new JollamaException(status, error.asText());
            }
            return Json.MAPPER.treeToValue(node, type);
        } catch (JsonProcessingException e) {
            throw invalidLine(line, e);
        }
    }

    private JollamaException invalidLine(String line, Exception cause) {
        close();
        return new JollamaException(JollamaException.NO_RESPONSE,
                "the server sent a line that is not a " + type.getSimpleName() + ": " + line, cause);
    }

    private void close() {
        closed = true;
        try {
            body.close();
        } catch (IOException e) {
            // Nothing more will be read from it; a failure to release it changes nothing for the caller.
        }
    }
}
