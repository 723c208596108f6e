package dev.jollama.client;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.io.IOException;

/** For tests of the client against a {@link FakeOllama}: a fresh server and a client of it for each test. */
abstract class AgainstFakeOllama {
    protected FakeOllama server;
    protected JollamaClient client;

    @BeforeEach
    void startServer() throws IOException {
        server = new FakeOllama();
        client = server.client();
    }

    @AfterEach
    void stopServer() {
        client.close();
        server.close();
    }
}
