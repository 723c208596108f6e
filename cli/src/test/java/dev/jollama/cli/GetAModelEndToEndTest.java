package dev.jollama.cli;

import dev.jollama.server.registry.FakeRegistry;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's "Get a model" path end to end: pull from a registry (one started inside the test, on loopback), list,
 * run, show, rm, with the jollama command run as a user runs it.
 */
class GetAModelEndToEndTest {

    @Test
    void pullListRunShowRemove() throws Exception {
        try (FakeRegistry registry = FakeRegistry.start(); TestServer server = TestServer.start()) {
            registry.publishStories("stories", "latest", "{{ .Prompt }}");
            String name = registry.name("stories:latest");
            String shortName = registry.host() + "/library/stories:latest";
            long blobsBefore = blobCount(server.models);

            TestServer.Outcome pull = server.run("pull", "--insecure", name);
            assertThat(pull.exitCode()).as(pull.err()).isZero();
            assertThat(pull.err()).contains("success");

            assertThat(server.run("list").out()).contains(shortName);

            TestServer.Outcome run = server.run("run", shortName, "--temperature", "0", "--num-predict", "12", "Once upon a time");
            assertThat(run.exitCode()).as(run.err()).isZero();
            assertThat(run.out()).startsWith(", there was a little girl named Lily. She");

            TestServer.Outcome show = server.run("show", shortName);
            assertThat(show.out()).contains("architecture        llama").contains("context length      2048");

            assertThat(blobCount(server.models)).isGreaterThan(blobsBefore);
            TestServer.Outcome rm = server.run("rm", shortName);
            assertThat(rm.exitCode()).as(rm.err()).isZero();
            assertThat(server.run("list").out()).doesNotContain(shortName);
            assertThat(blobCount(server.models)).as("the pulled model's blobs are removed with it").isEqualTo(blobsBefore);
        }
    }

    @Test
    void runPullsAModelTheServerDoesNotHave() throws Exception {
        try (FakeRegistry registry = FakeRegistry.start(); TestServer server = TestServer.start()) {
            registry.publishStories("stories", "latest", "{{ .Prompt }}");
            String name = registry.name("stories:latest");

            TestServer.Outcome run = server.run("run", "--insecure", name, "--temperature", "0", "--num-predict", "12",
                    "Once upon a time");

            assertThat(run.exitCode()).as(run.err()).isZero();
            assertThat(run.err()).contains("pulling manifest").contains("success");
            assertThat(run.out()).startsWith(", there was a little girl named Lily. She");
        }
    }

    @Test
    void runOfAModelNoRegistryHasFailsWithThePullError() throws Exception {
        try (FakeRegistry registry = FakeRegistry.start(); TestServer server = TestServer.start()) {
            TestServer.Outcome run = server.run("run", "--insecure", registry.name("missing:latest"), "hello");

            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.out()).isEmpty();
            assertThat(run.err()).contains("Error: ");
        }
    }

    private static long blobCount(Path models) throws Exception {
        try (Stream<Path> blobs = Files.list(models.resolve("blobs"))) {
            return blobs.count();
        }
    }
}
