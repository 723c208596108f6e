package dev.jollama.cli;

import dev.jollama.client.PullProgress;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code jollama pull}: plain status lines in a log, progress bars at a terminal. */
class PullTest {
    private static final String DIGEST = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    private static String layer(long total, long completed) {
        return "{\"status\":\"pulling 0123456789ab\",\"digest\":\"" + DIGEST + "\",\"total\":" + total
                + ",\"completed\":" + completed + "}";
    }

    @Test
    void plainLinesWhenNotAtATerminal() throws Exception {
        try (FakeServer server = new FakeServer().on("/api/pull", "{\"status\":\"pulling manifest\"}",
                layer(1_200_000, 0), layer(1_200_000, 600_000), layer(1_200_000, 1_200_000),
                "{\"status\":\"verifying sha256 digest\"}", "{\"status\":\"writing manifest\"}",
                "{\"status\":\"success\"}")) {
            TestServer.Outcome o = TestServer.run(server.url(), "", false, "pull", "stories", "--insecure");
            assertThat(o.exitCode()).isZero();
            assertThat(o.out()).isEmpty();
            assertThat(o.err()).isEqualTo("""
                    pulling manifest
                    pulling 0123456789ab: 1.2 MB
                    verifying sha256 digest
                    writing manifest
                    success
                    """);
            assertThat(server.requests("/api/pull").getFirst().body().toString())
                    .isEqualTo("{\"model\":\"stories\",\"insecure\":true,\"stream\":true}");
        }
    }

    @Test
    void aFailedPullIsTheServersMessage() throws Exception {
        try (FakeServer server = new FakeServer().on("/api/pull", "{\"status\":\"pulling manifest\"}",
                "{\"error\":\"pull model manifest: file does not exist\"}")) {
            TestServer.Outcome o = TestServer.run(server.url(), "", false, "pull", "nope");
            assertThat(o.exitCode()).isEqualTo(1);
            assertThat(o.err()).isEqualTo("pulling manifest\nError: pull model manifest: file does not exist\n");
        }
    }

    @Test
    void barsWithSizeSpeedAndTimeLeftAtATerminal() {
        ByteArrayOutputStream screen = new ByteArrayOutputStream();
        AtomicLong nanos = new AtomicLong();
        PullProgressView view = new PullProgressView(new PrintStream(screen, true, StandardCharsets.UTF_8), true, 100,
                nanos::get);
        view.accept(new PullProgress("pulling manifest", null, 0, 0));
        view.accept(new PullProgress("pulling 0123456789ab", DIGEST, 100_000_000, 0));
        nanos.set(1_000_000_000L);
        view.accept(new PullProgress("pulling 0123456789ab", DIGEST, 100_000_000, 1));
        nanos.set(11_000_000_000L);
        view.accept(new PullProgress("pulling 0123456789ab", DIGEST, 100_000_000, 50_000_001));
        String half = screen.toString(StandardCharsets.UTF_8);
        // Redrawn in place: back up over the lines drawn before, clear each and write it again.
        assertThat(half).contains("\033[2A\r\033[2Kpulling manifest\n\r\033[2Kpulling 0123456789ab:  50% ▕");
        // 50 MB in the 10 s since the layer started: 5 MB/s, and the 50 MB left take 9.99 s, shown as 9s.
        assertThat(lastFrame(half)).endsWith("▏  50 MB/100 MB    5 MB/s      9s\n")
                .hasSize("\r\033[2K".length() + 99 + 1); // one column short of the width, as ollama's bars

        nanos.set(21_000_000_000L);
        view.accept(new PullProgress("pulling 0123456789ab", DIGEST, 100_000_000, 100_000_000));
        view.accept(new PullProgress("success", null, 0, 0));
        view.finish();
        String done = lastFrame(screen.toString(StandardCharsets.UTF_8));
        assertThat(done).contains("pulling 0123456789ab: 100% ▕" + "█".repeat(38) + "▏ 100 MB");
        assertThat(screen.toString(StandardCharsets.UTF_8)).endsWith("\r\033[2Ksuccess\n");
    }

    /** The last bar line written. */
    private static String lastFrame(String screen) {
        String bar = screen.substring(screen.lastIndexOf("\r\033[2Kpulling 0123456789ab"));
        return bar.substring(0, bar.indexOf('\n') + 1);
    }
}
