package dev.jollama.server.registry;

import dev.jollama.server.store.Manifest;
import dev.jollama.server.store.ModelName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The registry protocol itself: challenges, tokens, redirects and ranges, against a registry inside the test. */
class RegistryClientTest {
    private static final HttpClient HTTP = RegistryClient.newHttpClient();
    private FakeRegistry registry;

    @BeforeEach
    void start() throws IOException {
        registry = FakeRegistry.start();
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    private RegistryClient client(String modelAndTag) throws IOException {
        return new RegistryClient(HTTP, ModelName.parse(registry.name(modelAndTag)), true, "jollama-test");
    }

    /** header | realm | service | scope (` quotes, ~ for none). */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', nullValues = "~", value = {
            "`Bearer realm=\"https://registry.ollama.ai/v2/token\",service=\"registry.ollama.ai\",scope=\"repository:library/llama3:pull\"` | https://registry.ollama.ai/v2/token | registry.ollama.ai | repository:library/llama3:pull",
            "`bearer realm=\"https://r.example/token\", scope=\"repository:a/b:pull,push\"`                    | https://r.example/token | ~          | repository:a/b:pull,push",
            "`Bearer realm=https://r.example/token,service=r.example`                                          | https://r.example/token | r.example  | ~",
            "`Bearer realm=\"https://r.example/t\",service=\"quoted \\\"name\\\"\"`                            | https://r.example/t     | quoted \"name\" | ~",
    })
    void parsesBearerChallenges(String header, String realm, String service, String scope) {
        assertThat(BearerChallenge.parse(header)).isEqualTo(new BearerChallenge(URI.create(realm), service, scope));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "`Basic realm=\"x\"`                     | not a Bearer challenge: \"Basic realm=\"x\"\"",
            "`Bearer service=\"s\"`                  | Bearer challenge without a realm: \"Bearer service=\"s\"\"",
            "`Bearer realm=\"ftp://r.example/token\"` | Bearer challenge realm is not an http(s) URL: \"ftp://r.example/token\"",
    })
    void refusesUnusableChallenges(String header, String error) {
        assertThatThrownBy(() -> BearerChallenge.parse(header)).isInstanceOf(IllegalArgumentException.class).hasMessage(error);
    }

    @Test
    void asksTheRealmForATokenWithServiceAndScope() {
        BearerChallenge challenge = new BearerChallenge(URI.create("https://r.example/token?client=x"), "r.example", "repository:library/m:pull");
        assertThat(challenge.tokenUri()).hasToString("https://r.example/token?client=x&service=r.example&scope=repository%3Alibrary%2Fm%3Apull");
        assertThat(new BearerChallenge(URI.create("https://r.example/token"), null, null).tokenUri()).hasToString("https://r.example/token");
    }

    @Test
    void refusesHttpUnlessInsecure() {
        assertThatThrownBy(() -> new RegistryClient(HTTP, ModelName.parse(registry.name("m")), false, "jollama-test"))
                .isInstanceOf(InsecureProtocolException.class).hasMessage("insecure protocol http");
    }

    @Test
    void followsABlobRedirectToAnotherHostWithoutTheToken() throws Exception {
        FakeRegistry.Model model = registry.publishStories("stories", "latest", "{{ .Prompt }}");
        try (FakeRegistry cdn = FakeRegistry.start()) {
            cdn.mirror(model);
            registry.requireToken("secret");
            registry.redirectBlobs("http://" + cdn.host() + "/cdn/");
            RegistryClient client = client("stories");
            Manifest manifest = client.manifest();
            String digest = manifest.layers().getFirst().digest();

            RegistryClient.BlobBody body = client.blob(digest, 0);
            try (InputStream in = body.stream()) {
                assertThat(in.readAllBytes()).isEqualTo(model.blobs().get(digest));
            }
            assertThat(body.uri()).hasToString("http://" + cdn.host() + "/cdn/" + digest);
            assertThat(registry.blobRequests(digest)).singleElement().extracting(FakeRegistry.Request::authorization).isEqualTo("Bearer secret");
            assertThat(cdn.blobRequests(digest)).singleElement().extracting(FakeRegistry.Request::authorization).isNull();
        }
    }

    @Test
    void stopsAfterTenRedirects() throws Exception {
        FakeRegistry.Model model = registry.publishStories("stories", "latest", "{{ .Prompt }}");
        registry.redirectBlobs("/loop/");
        String digest = model.weightsDigest();
        assertThatThrownBy(() -> client("stories").blob(digest, 0)).isInstanceOf(RegistryException.class)
                .hasMessage("GET http://" + registry.host() + "/v2/library/stories/blobs/" + digest + ": stopped after 10 redirects");
        assertThat(registry.requestsTo("/loop/")).hasSize(10);
    }

    @Test
    void asksForTheRestOfABlobWithARange() throws Exception {
        FakeRegistry.Model model = registry.publishStories("stories", "latest", "{{ .Prompt }}");
        String digest = model.weightsDigest();
        byte[] bytes = model.blobs().get(digest);
        RegistryClient.BlobBody body = client("stories").blob(digest, 1000);
        try (InputStream in = body.stream()) {
            assertThat(body.start()).isEqualTo(1000);
            assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(bytes, 1000, bytes.length));
        }
        assertThat(registry.blobRequests(digest)).singleElement().extracting(FakeRegistry.Request::range).isEqualTo("bytes=1000-");
    }

    @Test
    void reportsWhatTheRegistryAnswered() throws Exception {
        FakeRegistry.Model model = registry.publishStories("stories", "latest", "{{ .Prompt }}");
        registry.inject(model.weightsDigest(), new FakeRegistry.Fault.Status(403));
        assertThatThrownBy(() -> client("stories").blob(model.weightsDigest(), 0)).isInstanceOf(RegistryException.class)
                .hasMessage("GET http://" + registry.host() + "/v2/library/stories/blobs/" + model.weightsDigest() + " answered 403: injected failure")
                .satisfies(e -> assertThat(((RegistryException) e).isTransient()).isFalse());
        assertThatThrownBy(() -> client("nope:v2").manifest()).isInstanceOf(RegistryException.class)
                .hasMessage("file does not exist: " + registry.host() + "/library/nope:v2 has no manifest at http://" + registry.host() + "/v2/library/nope/manifests/v2");
    }
}
