package dev.jollama.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HEAD and POST /api/blobs/:digest, the upload half of creating a model from a local file. */
class BlobTest extends AgainstFakeOllama {
    // sha256 of "hello\n"
    private static final String HELLO_DIGEST = "sha256:5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03";

    @TempDir
    Path folder;
    @Test
    void digestIsTheSha256OfTheBytes() throws IOException {
        assertThat(BlobDigest.of(Files.writeString(folder.resolve("hello.txt"), "hello\n"))).isEqualTo(HELLO_DIGEST);
    }

    @Test
    void blobExistsAsksWithHead() throws Exception {
        server.on("/api/blobs/" + HELLO_DIGEST, FakeOllama.json(200, ""));
        assertThat(client.blobExists(HELLO_DIGEST)).isTrue();
        assertThat(server.request().method()).isEqualTo("HEAD");

        assertThat(client.blobExists("sha256:" + "00".repeat(32))).isFalse();
    }

    @Test
    void blobExistsPassesOtherFailuresOn() {
        server.on("/api/blobs/bad", FakeOllama.json(400, "{\"error\":\"invalid digest format\"}"));
        // A reply to HEAD has no body, so only the status tells what went wrong.
        assertThatThrownBy(() -> client.blobExists("bad")).isInstanceOfSatisfying(JollamaException.class,
                e -> assertThat(e.statusCode()).isEqualTo(400));
    }

    @Test
    void uploadPostsTheFileUnderItsDigest() throws Exception {
        server.on("/api/blobs/" + HELLO_DIGEST, FakeOllama.json(201, ""));
        String digest = client.uploadBlob(Files.writeString(folder.resolve("hello.txt"), "hello\n"));

        assertThat(digest).isEqualTo(HELLO_DIGEST);
        FakeOllama.Request sent = server.request();
        assertThat(sent.method()).isEqualTo("POST");
        assertThat(sent.contentType()).isEqualTo("application/octet-stream");
        assertThat(sent.body()).isEqualTo("hello\n");
    }

    @Test
    void aDigestTheServerRejectsIsItsMessage() throws IOException {
        Path file = Files.writeString(folder.resolve("hello.txt"), "hello\n");
        String wrong = "sha256:" + "00".repeat(32);
        server.on("/api/blobs/" + wrong, FakeOllama.json(400, "{\"error\":\"digest mismatch\"}"));
        assertThatThrownBy(() -> client.uploadBlob(file, wrong)).isInstanceOfSatisfying(JollamaException.class,
                e -> assertThat(e.statusCode()).isEqualTo(400)).hasMessage("digest mismatch");
    }

    @Test
    void aMissingFileIsNamed() {
        Path missing = folder.resolve("missing.gguf");
        assertThatThrownBy(() -> client.uploadBlob(missing)).isInstanceOf(UncheckedIOException.class)
                .hasMessageStartingWith("cannot read " + missing);
        assertThatThrownBy(() -> client.uploadBlob(missing, HELLO_DIGEST)).isInstanceOf(UncheckedIOException.class)
                .hasMessage("cannot read " + missing + ": no such file");
    }
}
