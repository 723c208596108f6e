package dev.jollama.server;

import dev.jollama.server.config.ServerConfig;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Clients that trickle bytes or open many connections cannot hold the server's connections; normal use is unaffected. */
class SlowClientsTest {

    @Test
    void aClientTricklingItsHeadersIsDisconnected() throws Exception {
        try (TestServer server = TestServer.start(Map.of("JOLLAMA_HEADER_TIMEOUT", "1s"));
             Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(200);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            long start = System.nanoTime();
            boolean closed = trickleHeaders(out, in, start);
            assertThat(closed).as("closed within the header timeout").isTrue();
            assertThat((System.nanoTime() - start) / 1e9).isBetween(0.9, 5.0);
        }
    }

    /** Also the headers of a later request on a kept-alive connection. */
    @Test
    void aClientTricklingTheHeadersOfItsSecondRequestIsDisconnected() throws Exception {
        try (TestServer server = TestServer.start(Map.of("JOLLAMA_HEADER_TIMEOUT", "1s"));
             Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(200);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            out.write("GET /api/version HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            Thread.sleep(1500); // a kept-alive connection with nothing to say is not closed for it
            assertThat(new String(in.readNBytes(12), StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 200");
            while (true) {
                try {
                    in.read(new byte[4096]);
                } catch (SocketTimeoutException drained) {
                    break;
                }
            }
            long start = System.nanoTime();
            boolean closed = trickleHeaders(out, in, start);
            assertThat(closed).as("closed within two header timeouts").isTrue();
            assertThat((System.nanoTime() - start) / 1e9).isLessThan(5.0);
        }
    }

    @Test
    void aClientTricklingItsBodyGets408() throws Exception {
        try (TestServer server = TestServer.start(Map.of());
             Socket socket = new Socket("127.0.0.1", server.port())) {
            OutputStream out = socket.getOutputStream();
            out.write("POST /api/generate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n{".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Thread.sleep(1500);
            out.write(' ');
            out.flush();
            String response = new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            assertThat(response).isEqualTo("HTTP/1.1 408");
        }
    }

    /** The header timeout is about the headers: a request that runs longer than it is not cut. */
    @Test
    void aRequestRunningPastTheHeaderTimeoutCompletes() throws Exception {
        try (TestServer server = TestServer.start(Map.of("JOLLAMA_HEADER_TIMEOUT", "1s"))) {
            HttpResponse<String> r = server.post("/api/generate", "{\"model\":\"stories\",\"prompt\":\"Once upon a time\","
                    + "\"options\":{\"num_predict\":2000,\"num_ctx\":256,\"temperature\":0}}");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(TestServer.lines(r.body()).getLast().get("done").asBoolean()).isTrue();
        }
    }

    @Test
    void aThousandIdleConnectionsDoNotStarveARealRequest() throws Exception {
        try (TestServer server = TestServer.start(Map.of())) {
            List<Socket> idle = new ArrayList<>();
            try {
                for (int i = 0; i < 1000; i++) {
                    idle.add(new Socket("127.0.0.1", server.port()));
                }
                HttpResponse<String> r = server.get("/api/version");
                assertThat(r.statusCode()).isEqualTo(200);
            } finally {
                for (Socket s : idle) {
                    s.close();
                }
            }
        }
    }

    @Test
    void anAddressBeyondItsConnectionCapIsRefusedButLoopbackIsNot() throws Exception {
        InetAddress external = NetworkInterface.networkInterfaces().flatMap(NetworkInterface::inetAddresses)
                .filter(a -> !a.isLoopbackAddress() && a instanceof Inet4Address).findFirst().orElse(null);
        Assumptions.assumeTrue(external != null, "no non-loopback address to connect from");
        try (JollamaServer server = JollamaServer.start(ServerConfig.from(Map.of("OLLAMA_HOST", "0.0.0.0:0",
                "OLLAMA_MODELS", TestServer.newStore().root().toString(), "JOLLAMA_MAX_CONNECTIONS_PER_ADDRESS", "3")))) {
            List<Socket> open = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    open.add(new Socket(external, server.port()));
                    assertThat(versionStatus(open.getLast())).isEqualTo("HTTP/1.1 200"); // opened on the server's side
                }
                assertThat(versionStatus(new Socket(external, server.port()))).isIn("", "HTTP/1.1 503");
                for (int i = 0; i < 5; i++) {
                    open.add(new Socket("127.0.0.1", server.port()));
                }
                assertThat(versionStatus(open.getLast())).isEqualTo("HTTP/1.1 200");
            } finally {
                for (Socket s : open) {
                    s.close();
                }
            }
        }
    }

    /** The status line of GET /api/version over this socket, empty when the server closed it. */
    private static String versionStatus(Socket socket) throws Exception {
        socket.setSoTimeout(5000);
        try {
            socket.getOutputStream().write("GET /api/version HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
        } catch (java.io.IOException reset) {
            return "";
        }
    }

    /**
     * Sends a request's headers a byte at a time (each followed by a read that times out while the connection is
     * open), for at most 10 s from {@code start}; whether the server closed the connection meanwhile.
     */
    private static boolean trickleHeaders(OutputStream out, InputStream in, long start) throws java.io.IOException {
        byte[] request = "GET /api/version HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < request.length && System.nanoTime() - start < 10_000_000_000L; i++) {
            try {
                out.write(request[i]);
                out.flush();
                if (in.read() < 0) {
                    return true;
                }
            } catch (SocketTimeoutException stillOpen) {
                // nothing from the server yet
            } catch (java.io.IOException reset) {
                return true;
            }
        }
        return false;
    }
}
