package dev.jollama.server.registry;

import java.io.IOException;

/** A pull over plain http without {@code insecure: true}; refused before any request is made. */
public final class InsecureProtocolException extends IOException {
    public InsecureProtocolException() {
        super("insecure protocol http");
    }
}
