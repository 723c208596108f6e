package dev.jollama.cli;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;

import static org.assertj.core.api.Assertions.assertThat;

/** With no server at the address, every command says so in one line and fails, with no stack trace. */
class ErrorMessagesTest {

    @ParameterizedTest
    @ValueSource(strings = {"list", "ps", "show stories", "run stories hello", "pull stories", "cp a b", "rm a",
            "stop a"})
    void noServerGivesOneClearLine(String command) throws IOException {
        URI nowhere = freeAddress();
        TestServer.Outcome o = TestServer.run(nowhere, "", false, command.split(" "));
        assertThat(o.exitCode()).isEqualTo(1);
        assertThat(o.out()).isEmpty();
        assertThat(o.err()).isEqualTo("Error: could not connect to jollama server at " + nowhere
                + ", is it running?\n");
    }

    /** An address on loopback where nothing listens: a port that was free a moment ago. */
    private static URI freeAddress() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return URI.create("http://127.0.0.1:" + socket.getLocalPort());
        }
    }
}
