package dev.jollama.server.registry;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jollama.server.store.Manifest;
import dev.jollama.server.store.ModelName;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Talks to the registry of one model, as Ollama does (reference section 10.4): the manifest by tag, blobs by digest
 * with redirects followed (at most 10), and on a 401 the Bearer challenge answered with a token that later requests
 * to the registry reuse. Tokens never go to other hosts, such as the CDN a blob redirects to.
 */
public final class RegistryClient {
    private static final int MAX_REDIRECTS = 10;
    private static final int MAX_MANIFEST_BYTES = 4 << 20;
    private static final Duration HEADERS_TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-\\d+/(\\d+|\\*)");
    private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-fA-F]{64}");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final ModelName name;
    private final boolean insecure;
    private final URI registry;
    private final String userAgent;
    private volatile String token;

    /** @throws InsecureProtocolException for an http name without {@code insecure} */
    public RegistryClient(HttpClient http, ModelName name, boolean insecure, String userAgent) throws InsecureProtocolException {
        if (name.scheme().equals("http") && !insecure) {
            throw new InsecureProtocolException();
        }
        this.http = http;
        this.name = name;
        this.insecure = insecure;
        // with insecure, Ollama's makeRequest switches any name to plain http (a registry of one's own on a LAN)
        this.registry = URI.create((insecure ? "http" : name.scheme()) + "://" + name.host());
        this.userAgent = userAgent;
    }

    /** An HTTP/1.1 client that leaves redirects to us, so we can count them and keep tokens off other hosts. */
    public static HttpClient newHttpClient() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(30)).build();
    }

    /** The model's manifest; a 404 is Ollama's "file does not exist", naming the model and the URL asked. */
    public Manifest manifest() throws IOException {
        URI uri = repositoryUri("manifests/" + name.tag());
        HttpResponse<InputStream> response = get(uri, null, Manifest.MEDIA_TYPE);
        try (InputStream body = response.body()) {
            if (response.statusCode() == 404) {
                throw new RegistryException("file does not exist: " + name.fullName() + " has no manifest at " + uri, 404);
            }
            if (response.statusCode() != 200) {
                throw failure(uri, response.statusCode(), body);
            }
            byte[] bytes = body.readNBytes(MAX_MANIFEST_BYTES + 1);
            if (bytes.length > MAX_MANIFEST_BYTES) {
                throw new RegistryException("the manifest at " + uri + " is larger than " + (MAX_MANIFEST_BYTES >> 20) + " MiB", 200);
            }
            return checked(uri, bytes);
        }
    }

    /** A blob's bytes from {@code offset} on (a Range request when above 0). */
    public BlobBody blob(String digest, long offset) throws IOException {
        URI uri = repositoryUri("blobs/" + digest);
        HttpResponse<InputStream> response = get(uri, offset > 0 ? "bytes=" + offset + "-" : null, null);
        int status = response.statusCode();
        if (status == 200) {
            return new BlobBody(response.body(), 0, response.uri());
        }
        if (status == 206) {
            String range = response.headers().firstValue("Content-Range").orElse("");
            Matcher m = CONTENT_RANGE.matcher(range);
            if (!m.matches()) {
                response.body().close();
                throw new RegistryException("GET " + response.uri() + " answered 206 with Content-Range \"" + range + "\"", status);
            }
            return new BlobBody(response.body(), Long.parseLong(m.group(1)), response.uri());
        }
        try (InputStream body = response.body()) {
            throw failure(response.uri(), status, body);
        }
    }

    /** A blob's body and where it starts; the caller closes the stream (which aborts the transfer if unfinished). */
    public record BlobBody(InputStream stream, long start, URI uri) {
    }

    private URI repositoryUri(String rest) {
        return registry.resolve("/v2/" + name.namespace() + "/" + name.model() + "/" + rest);
    }

    /** GET with redirects followed and a Bearer challenge from the registry answered once. */
    private HttpResponse<InputStream> get(URI start, String range, String accept) throws IOException {
        URI uri = start;
        boolean challenged = false;
        for (int redirects = 0; ; ) {
            boolean toRegistry = sameOrigin(uri, registry);
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).GET().timeout(HEADERS_TIMEOUT).header("User-Agent", userAgent);
            if (accept != null) {
                request.header("Accept", accept);
            }
            if (range != null) {
                request.header("Range", range);
            }
            if (toRegistry && token != null) {
                request.header("Authorization", "Bearer " + token);
            }
            HttpResponse<InputStream> response = send(request.build());
            int status = response.statusCode();
            if (status == 401 && toRegistry && !challenged) {
                challenged = true;
                String header = response.headers().firstValue("WWW-Authenticate").orElse(null);
                response.body().close();
                token = fetchToken(uri, header);
                continue;
            }
            if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
                response.body().close();
                if (++redirects > MAX_REDIRECTS) {
                    throw new RegistryException("GET " + start + ": stopped after " + MAX_REDIRECTS + " redirects", status);
                }
                uri = redirectTarget(uri, status, response.headers().firstValue("Location").orElse(null));
                continue;
            }
            return response;
        }
    }

    private URI redirectTarget(URI from, int status, String location) throws RegistryException {
        if (location == null) {
            throw new RegistryException("GET " + from + " answered " + status + " without a Location", status);
        }
        URI target;
        try {
            target = from.resolve(location);
        } catch (IllegalArgumentException e) {
            throw new RegistryException("GET " + from + " redirected to an invalid URL \"" + location + "\"", status);
        }
        if (target.getHost() == null) {
            throw new RegistryException("GET " + from + " redirected to \"" + location + "\", which names no host", status);
        }
        String scheme = String.valueOf(target.getScheme()).toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !(scheme.equals("http") && insecure)) {
            throw new RegistryException("GET " + from + " redirected to " + target + ", which is not https (pull with insecure to allow http)", status);
        }
        return target;
    }

    private String fetchToken(URI challenged, String header) throws IOException {
        if (header == null) {
            throw new RegistryException("GET " + challenged + " answered 401 without a WWW-Authenticate challenge", 401);
        }
        BearerChallenge challenge;
        try {
            challenge = BearerChallenge.parse(header);
        } catch (IllegalArgumentException e) {
            throw new RegistryException("GET " + challenged + " answered 401 with an unusable challenge: " + e.getMessage(), 401);
        }
        // The token would authorise us to the realm's host: only ask the registry itself for one.
        if (!sameOrigin(challenge.realm(), registry)) {
            throw new RegistryException("realm host \"" + challenge.realm().getAuthority() + "\" does not match original host \""
                    + registry.getAuthority() + "\"", 401);
        }
        URI uri = challenge.tokenUri();
        HttpResponse<InputStream> response = send(HttpRequest.newBuilder(uri).GET().timeout(HEADERS_TIMEOUT)
                .header("User-Agent", userAgent).build());
        try (InputStream body = response.body()) {
            if (response.statusCode() != 200) {
                throw failure(uri, response.statusCode(), body);
            }
            JsonNode reply = JSON.readTree(body.readNBytes(1 << 20));
            String value = reply.path("token").asText(reply.path("access_token").asText(""));
            if (value.isEmpty()) {
                throw new RegistryException("GET " + uri + " answered without a token", 200);
            }
            return value;
        } catch (JacksonException e) {
            throw new RegistryException("GET " + uri + " answered with malformed JSON: " + e.getOriginalMessage(), 200);
        }
    }

    private HttpResponse<InputStream> send(HttpRequest request) throws IOException {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("GET " + request.uri() + " interrupted");
        } catch (IOException e) {
            throw new IOException("GET " + request.uri() + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), e);
        }
    }

    private Manifest checked(URI uri, byte[] bytes) throws RegistryException {
        Manifest manifest;
        try {
            manifest = JSON.readValue(bytes, Manifest.class);
        } catch (IOException e) {
            throw new RegistryException("the manifest at " + uri + " is not valid JSON: " + e.getMessage(), 200);
        }
        if (manifest.layers() == null || manifest.layers().isEmpty()) {
            throw new RegistryException("the manifest at " + uri + " has no layers", 200);
        }
        List<Manifest.Layer> blobs = new ArrayList<>(manifest.layers());
        if (manifest.config() != null) {
            blobs.add(manifest.config());
        }
        for (Manifest.Layer layer : blobs) {
            if (layer.digest() == null || !DIGEST.matcher(layer.digest()).matches() || layer.size() < 0) {
                throw new RegistryException("the manifest at " + uri + " has an invalid layer: digest " + layer.digest() + ", size " + layer.size(), 200);
            }
        }
        return manifest;
    }

    private static RegistryException failure(URI uri, int status, InputStream body) throws IOException {
        String text = new String(body.readNBytes(2048), StandardCharsets.UTF_8).strip();
        return new RegistryException("GET " + uri + " answered " + status + (text.isEmpty() ? "" : ": " + text), status);
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getHost().equalsIgnoreCase(b.getHost()) && port(a) == port(b);
    }

    private static int port(URI uri) {
        return uri.getPort() >= 0 ? uri.getPort() : uri.getScheme().equalsIgnoreCase("https") ? 443 : 80;
    }
}
