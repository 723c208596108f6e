package dev.jollama.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jollama.server.registry.FakeRegistry;
import dev.jollama.server.registry.FakeRegistry.Fault;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static dev.jollama.server.TestServer.json;
import static dev.jollama.server.TestServer.lines;
import static org.assertj.core.api.Assertions.assertThat;

/** POST /api/pull against a registry inside the test: the protocol, progress, errors and recovery. */
class PullTest {
    @RegisterExtension
    static final TestServer server = TestServer.perClass();
    private FakeRegistry registry;

    @BeforeEach
    void startRegistry() throws IOException {
        registry = FakeRegistry.start();
    }

    @AfterEach
    void stopRegistry() {
        registry.close();
    }

    private List<JsonNode> pull(String name) throws Exception {
        HttpResponse<String> response = server.post("/api/pull", "{\"model\":\"" + name + "\",\"insecure\":true}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return lines(response.body());
    }

    private static List<String> statuses(List<JsonNode> lines) {
        return lines.stream().map(l -> l.has("error") ? "error: " + l.get("error").asText() : l.get("status").asText()).toList();
    }

    private Path blobs() {
        return server.store().root().resolve("blobs");
    }

    private boolean stored(String digest) {
        return Files.exists(server.store().blobPath(digest));
    }

    private boolean partial(String digest) {
        return Files.exists(server.store().partialBlobPath(digest));
    }

    @Test
    void pullsAModelThatThenGenerates() throws Exception {
        FakeRegistry.Model model = registry.publishStories("stories", "latest", "{{ .Prompt }}");
        List<JsonNode> lines = pull(registry.name("stories:latest"));

        List<String> expected = new ArrayList<>(List.of("pulling manifest"));
        model.digests().forEach(d -> expected.add("pulling " + d.substring(7, 19)));
        expected.addAll(List.of("verifying sha256 digest", "writing manifest", "success"));
        assertThat(statuses(lines).stream().distinct().toList()).isEqualTo(expected);
        for (String digest : model.digests()) {
            List<JsonNode> progress = lines.stream().filter(l -> digest.equals(l.path("digest").asText())).toList();
            long size = model.blobs().get(digest).length;
            assertThat(progress.getLast().get("total").asLong()).isEqualTo(size);
            assertThat(progress.getLast().get("completed").asLong()).isEqualTo(size);
            assertThat(stored(digest)).isTrue();
            assertThat(partial(digest)).isFalse();
        }
        String shortName = registry.host() + "/library/stories:latest";
        assertThat(json(server.get("/api/tags").body()).get("models")).extracting(m -> m.get("name").asText()).contains(shortName);

        HttpResponse<String> generated = server.post("/api/generate", "{\"model\":\"" + shortName
                + "\",\"prompt\":\"Once upon a time\",\"stream\":false,\"options\":{\"temperature\":0,\"num_predict\":8}}");
        assertThat(generated.statusCode()).as(generated.body()).isEqualTo(200);
        assertThat(json(generated.body()).get("response").asText()).isNotBlank();
        JsonNode shown = json(server.post("/api/show", "{\"model\":\"" + registry.name("stories") + "\"}").body());
        assertThat(shown.get("template").asText()).startsWith("{{ .Prompt }}");
    }

    /** makeRequest (server/images.go): with insecure, a name without a scheme is fetched over plain http. */
    @Test
    void insecureFetchesAPlainNameOverHttp() throws Exception {
        registry.publishStories("plain", "latest", "{{ .Prompt }}");
        List<JsonNode> lines = pull(registry.host() + "/library/plain:latest");
        assertThat(statuses(lines).getLast()).isEqualTo("success");
        assertThat(registry.requests()).isNotEmpty();
        assertThat(json(server.get("/api/tags").body()).get("models")).extracting(m -> m.get("name").asText())
                .contains(registry.host() + "/library/plain:latest");
    }

    @Test
    void streamFalseAnswersWithTheLastObjectOnly() throws Exception {
        registry.publishStories("stories", "latest", "{{ .Prompt }}");
        HttpResponse<String> response = server.post("/api/pull", "{\"name\":\"" + registry.name("stories") + "\",\"insecure\":true,\"stream\":false}");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        assertThat(response.body()).isEqualTo("{\"status\":\"success\"}");
    }

    /** status | body (' for ", REGISTRY for the registry's host) | error. */
    @ParameterizedTest(name = "{1} -> {0} {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "400 | ``                                                              | missing request body",
            "400 | {}                                                              | invalid model name",
            "400 | {'model':'a/b/c/d'}                                             | invalid model name",
            "400 | {'model':'ns.with.dot/m'}                                       | invalid model name",
            "400 | {'model':'http://REGISTRY/library/bad name','insecure':true}    | invalid model name",
            "400 | {'model':'ftp://REGISTRY/library/stories','insecure':true}      | invalid model name",
            "400 | {'model':'http://REGISTRY/library/stories'}                     | insecure protocol http",
            "400 | {'model':'http://REGISTRY/library/stories','insecure':false,'stream':false} | insecure protocol http",
            "400 | {'model':'stories','insecure':'yes'}                            | json: cannot unmarshal string into Go struct field PullRequest.insecure of type bool",
            "404 | {'model':'http://REGISTRY/library/nope','insecure':true,'stream':false} | pull model manifest: file does not exist: REGISTRY/library/nope:latest has no manifest at http://REGISTRY/v2/library/nope/manifests/latest",
    })
    void refusesWithAStatusBeforeStreaming(int status, String body, String error) throws Exception {
        HttpResponse<String> response = server.post("/api/pull", body.replace('\'', '"').replace("REGISTRY", registry.host()));
        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(json(response.body()).get("error").asText()).isEqualTo(error.replace("REGISTRY", registry.host()));
        assertThat(registry.requestsTo("/v2/")).hasSize(status == 404 ? 1 : 0);
    }

    @Test
    void aMissingManifestEndsTheStreamWithAnErrorNamingTheModel() throws Exception {
        List<JsonNode> lines = pull(registry.name("nope:v1"));
        assertThat(statuses(lines)).containsExactly("pulling manifest", "error: pull model manifest: file does not exist: "
                + registry.host() + "/library/nope:v1 has no manifest at http://" + registry.host() + "/v2/library/nope/manifests/v1");
    }

    @Test
    void anUnreachableRegistryEndsTheStreamWithAnError() throws Exception {
        String name = registry.name("stories");
        registry.close();
        List<String> statuses = statuses(pull(name));
        assertThat(statuses).hasSize(2);
        assertThat(statuses.getLast()).startsWith("error: pull model manifest: GET http://" + registry.host() + "/v2/library/stories/manifests/latest: ");
    }

    @Test
    void aModelAlreadyPresentIsNotDownloadedAgain() throws Exception {
        FakeRegistry.Model model = registry.publishStories("stories", "latest", "{{ .Prompt }}");
        pull(registry.name("stories"));
        registry.clearRequests();

        List<JsonNode> lines = pull(registry.name("stories"));
        assertThat(registry.requests()).extracting(FakeRegistry.Request::path).containsExactly("/v2/library/stories/manifests/latest");
        for (String digest : model.digests()) {
            assertThat(lines).filteredOn(l -> digest.equals(l.path("digest").asText()))
                    .singleElement().satisfies(l -> assertThat(l.get("completed").asLong()).isEqualTo(l.get("total").asLong()));
        }
        assertThat(statuses(lines)).endsWith("verifying sha256 digest", "writing manifest", "success");
    }

    @Test
    void answersTheBearerChallengeWithATokenFromTheRealm() throws Exception {
        FakeRegistry.Model model = registry.publishStories("stories", "latest", "{{ .Prompt }}");
        registry.requireToken("secret-token");
        assertThat(statuses(pull(registry.name("stories")))).last().isEqualTo("success");

        List<FakeRegistry.Request> requests = registry.requests();
        assertThat(requests.get(0)).extracting(FakeRegistry.Request::path, FakeRegistry.Request::authorization)
                .containsExactly("/v2/library/stories/manifests/latest", null);
        assertThat(requests.get(1).path()).isEqualTo("/token");
        assertThat(requests.get(2)).extracting(FakeRegistry.Request::path, FakeRegistry.Request::authorization)
                .containsExactly("/v2/library/stories/manifests/latest", "Bearer secret-token");
        // the token is reused: no further challenges
        assertThat(registry.requestsTo("/token")).hasSize(1);
        assertThat(registry.blobRequests(model.weightsDigest())).singleElement()
                .extracting(FakeRegistry.Request::authorization).isEqualTo("Bearer secret-token");
    }

    @Test
    void refusesARealmOnAnotherHost() throws Exception {
        registry.publishStories("stories", "latest", "{{ .Prompt }}");
        registry.requireToken("secret-token");
        registry.challengeRealm("http://localhost:1/token");
        List<JsonNode> lines = pull(registry.name("stories"));
        assertThat(statuses(lines).getLast()).isEqualTo("error: pull model manifest: realm host \"localhost:1\" does not match original host \""
                + registry.host() + "\"");
        assertThat(registry.requestsTo("/token")).isEmpty();
    }

    /** The connection drops mid-blob; the retry asks for the rest with a Range (or restarts if Range is ignored). */
    @ParameterizedTest(name = "registry ignores Range: {0}")
    @ValueSource(booleans = {false, true})
    void resumesADownloadWhoseConnectionDropped(boolean ignoresRange) throws Exception {
        FakeRegistry.Model model = registry.publishStories("stories", "latest", "{{ .Prompt }}");
        if (ignoresRange) {
            registry.ignoreRange();
        }
        registry.inject(model.weightsDigest(), new Fault.Drop(300_000));
        assertThat(statuses(pull(registry.name("stories")))).last().isEqualTo("success");

        // resumed from what arrived before the drop (bytes in flight when the connection closed may be lost)
        List<FakeRegistry.Request> requests = registry.blobRequests(model.weightsDigest());
        assertThat(requests).hasSize(2);
        assertThat(requests.get(0).range()).isNull();
        assertThat(requests.get(1).range()).matches("bytes=\\d+-");
        assertThat(Long.parseLong(requests.get(1).range().replaceAll("\\D", ""))).isBetween(1L, 300_000L);
        assertThat(stored(model.weightsDigest())).isTrue();
        assertThat(partial(model.weightsDigest())).isFalse();
        assertThat(FakeRegistry.sha256(Files.readAllBytes(server.store().blobPath(model.weightsDigest()))))
                .isEqualTo(model.weightsDigest().substring(7));
    }

    @Test
    void aCorruptedBlobFailsThePullAndLeavesNothingBehind() throws Exception {
        FakeRegistry.Model model = registry.publishStories("stories", "latest", "{{ .Prompt }}");
        String digest = model.weightsDigest();
        byte[] corrupted = model.blobs().get(digest).clone();
        corrupted[1000] ^= 1;
        registry.serveInstead(digest, corrupted);

        List<JsonNode> lines = pull(registry.name("stories"));
        assertThat(statuses(lines)).contains("verifying sha256 digest").doesNotContain("writing manifest", "success");
        assertThat(lines.getLast().get("error").asText()).isEqualTo("verify " + digest + ": digest mismatch, expected \"" + digest
                + "\", got \"sha256:" + FakeRegistry.sha256(corrupted) + "\"; the downloaded bytes were deleted, pull again");
        assertThat(stored(digest)).isFalse();
        assertThat(partial(digest)).isFalse();
        assertThat(Files.exists(server.store().root().resolve("manifests").resolve(registry.host()))).isFalse();
    }

    @Test
    void concurrentPullsOfOneModelShareTheDownload() throws Exception {
        FakeRegistry.Model model = registry.publishStories("stories", "latest", "{{ .Prompt }}");
        String digest = model.weightsDigest();
        CountDownLatch reached = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        registry.inject(digest, new Fault.Hold(100_000, reached, release));
        String body = "{\"model\":\"" + registry.name("stories") + "\",\"insecure\":true}";

        BlockingQueue<JsonNode> first = streamPull(body);
        assertThat(reached.await(10, TimeUnit.SECONDS)).isTrue();
        BlockingQueue<JsonNode> second = streamPull(body);
        // the second pull reports the first one's download, already under way
        JsonNode progress = next(second, l -> digest.equals(l.path("digest").asText()));
        assertThat(progress.path("completed").asLong()).isEqualTo(100_000);
        release.countDown();

        assertThat(next(first, l -> l.has("error") || "success".equals(l.path("status").asText())).path("status").asText()).isEqualTo("success");
        assertThat(next(second, l -> l.has("error") || "success".equals(l.path("status").asText())).path("status").asText()).isEqualTo("success");
        assertThat(registry.blobRequests(digest)).hasSize(1);
        assertThat(stored(digest)).isTrue();
    }

    /** Pulls in the background; each NDJSON line arrives in the queue as it is read. */
    private static BlockingQueue<JsonNode> streamPull(String body) {
        BlockingQueue<JsonNode> lines = new LinkedBlockingQueue<>();
        Thread.ofVirtual().start(() -> {
            try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
                HttpResponse<Stream<String>> response = http.send(HttpRequest.newBuilder(server.base().resolve("/api/pull"))
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofLines());
                response.body().forEach(line -> lines.add(parse(line)));
            } catch (Exception e) {
                lines.add(parse("{\"error\":\"test client: " + e + "\"}"));
            }
        });
        return lines;
    }

    private static JsonNode parse(String line) {
        try {
            return json(line);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode next(BlockingQueue<JsonNode> lines, java.util.function.Predicate<JsonNode> wanted) throws InterruptedException {
        List<JsonNode> seen = new ArrayList<>();
        while (true) {
            JsonNode line = lines.poll(20, TimeUnit.SECONDS);
            assertThat(line).as("a line before the timeout after " + seen).isNotNull();
            seen.add(line);
            if (wanted.test(line)) {
                return line;
            }
        }
    }

    @Test
    void aNewVersionRemovesTheLayersOnlyTheOldOneUsed() throws Exception {
        FakeRegistry.Model v1 = registry.publishStories("stories", "latest", "{{ .Prompt }}");
        pull(registry.name("stories"));
        FakeRegistry.Model v2 = registry.publishStories("stories", "latest", "{{ .Prompt }} ");

        assertThat(statuses(pull(registry.name("stories")))).containsSubsequence("writing manifest", "removing unused layers", "success");
        v1.digests().forEach(d -> assertThat(stored(d)).as(d).isFalse());
        v2.digests().forEach(d -> assertThat(stored(d)).as(d).isTrue());
        // the other models' blobs are untouched
        assertThat(json(server.post("/api/show", "{\"model\":\"stories\"}").body()).has("model_info")).isTrue();
    }
}
