package dev.jollama.server.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.jollama.server.TestServer;
import dev.jollama.server.store.Manifest;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An OCI-style registry on a loopback port, for tests: manifests and blobs under /v2/, optionally behind a Bearer
 * challenge answered by its own /token, with faults to inject per blob request, and a log of every request.
 */
public final class FakeRegistry implements AutoCloseable {
    private static final Pattern V2 = Pattern.compile("/v2/([^/]+)/([^/]+)/(manifests|blobs)/([^/]+)");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A request as the registry saw it. */
    public record Request(String method, String path, String range, String authorization) {
    }

    /** What one GET of a blob does instead of serving it whole; faults are used up in the order injected. */
    public sealed interface Fault {
        /** Closes the connection after this many bytes of the body. */
        record Drop(long afterBytes) implements Fault {
        }

        /** Sends this many bytes, then nothing more until the registry closes. */
        record Stall(long afterBytes) implements Fault {
        }

        /** Answers with this status instead. */
        record Status(int code) implements Fault {
        }

        /** Sends this many bytes, counts down {@code reached}, and sends the rest once {@code release} opens. */
        record Hold(long afterBytes, CountDownLatch reached, CountDownLatch release) implements Fault {
        }
    }

    /** A published model: its manifest and each blob's bytes. */
    public record Model(Manifest manifest, Map<String, byte[]> blobs) {
        public String weightsDigest() {
            return manifest.layers().getFirst().digest();
        }

        public List<String> digests() {
            List<String> digests = new ArrayList<>(manifest.layers().stream().map(Manifest.Layer::digest).toList());
            digests.add(manifest.config().digest());
            return digests;
        }
    }

    private final HttpServer server;
    private final CountDownLatch closed = new CountDownLatch(1);
    private final Map<String, byte[]> manifests = new ConcurrentHashMap<>();
    private final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
    private final Map<String, byte[]> servedInstead = new ConcurrentHashMap<>();
    private final Map<String, Queue<Fault>> faults = new ConcurrentHashMap<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private volatile String requiredToken;
    private volatile String realm;
    private volatile boolean ignoreRange;
    private volatile String blobRedirectPrefix;

    private FakeRegistry() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    public static FakeRegistry start() throws IOException {
        return new FakeRegistry();
    }

    /** host:port, as in a model name. */
    public String host() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    /** The http name of a model of the library namespace here, e.g. http://127.0.0.1:4711/library/stories:latest. */
    public String name(String modelAndTag) {
        return "http://" + host() + "/library/" + modelAndTag;
    }

    /**
     * Publishes stories260K as {@code library/<model>:<tag>} with a template and a params layer and a config blob.
     * Every blob is unique to this publication (the GGUF gets a tail of random bytes, which GGUF readers ignore), so
     * a store that already holds stories260K, or an earlier test's pull, has none of them.
     */
    public Model publishStories(String model, String tag, String template) throws IOException {
        byte[] gguf = Files.readAllBytes(TestServer.shared().resolve("models/stories260K.gguf"));
        byte[] tail = UUID.randomUUID().toString().getBytes(StandardCharsets.US_ASCII);
        byte[] weights = new byte[gguf.length + tail.length];
        System.arraycopy(gguf, 0, weights, 0, gguf.length);
        System.arraycopy(tail, 0, weights, gguf.length, tail.length);
        String unique = UUID.randomUUID().toString();
        List<Manifest.Layer> layers = new ArrayList<>();
        layers.add(blob(Manifest.MODEL, weights));
        layers.add(blob(Manifest.TEMPLATE, (template + "{{/* " + unique + " */}}").getBytes(StandardCharsets.UTF_8)));
        layers.add(blob(Manifest.PARAMS, ("{\"stop\":[\"" + unique + "\"]}").getBytes(StandardCharsets.UTF_8)));
        Manifest.Layer config = blob(Manifest.CONFIG_MEDIA_TYPE, JSON.writeValueAsBytes(Map.of("model_format", "gguf",
                "model_family", "llama", "model_families", List.of("llama"), "model_type", "260K", "file_type", "F32",
                "architecture", "amd64", "os", "linux", "rootfs", Map.of("type", "layers", "diff_ids", List.of(layers.getFirst().digest())))));
        Manifest manifest = new Manifest(2, Manifest.MEDIA_TYPE, config, layers);
        manifests.put("library/" + model + "/" + tag, JSON.writeValueAsBytes(manifest));
        Map<String, byte[]> bytes = new ConcurrentHashMap<>();
        for (String digest : new Model(manifest, Map.of()).digests()) {
            bytes.put(digest, blobs.get(digest));
        }
        return new Model(manifest, bytes);
    }

    /** Publishes a vision model as Ollama's library ships LLaVA: the text GGUF, the projector layer and a template. */
    public Model publishVision(String model, String tag, Path textModel, Path projector, String template) throws IOException {
        List<Manifest.Layer> layers = new ArrayList<>();
        layers.add(blob(Manifest.MODEL, Files.readAllBytes(textModel)));
        layers.add(blob(Manifest.PROJECTOR, Files.readAllBytes(projector)));
        layers.add(blob(Manifest.TEMPLATE, template.getBytes(StandardCharsets.UTF_8)));
        Manifest.Layer config = blob(Manifest.CONFIG_MEDIA_TYPE, JSON.writeValueAsBytes(Map.of("model_format", "gguf",
                "model_family", "llama", "model_families", List.of("llama", "clip"), "file_type", "F32")));
        Manifest manifest = new Manifest(2, Manifest.MEDIA_TYPE, config, layers);
        manifests.put("library/" + model + "/" + tag, JSON.writeValueAsBytes(manifest));
        return new Model(manifest, Map.of());
    }

    private Manifest.Layer blob(String mediaType, byte[] bytes) {
        String digest = "sha256:" + sha256(bytes);
        blobs.put(digest, bytes);
        return new Manifest.Layer(mediaType, digest, bytes.length);
    }

    /** Serves a model's blobs published elsewhere (a CDN for another registry's redirects). */
    public void mirror(Model model) {
        blobs.putAll(model.blobs());
    }

    /** Answers 401 with a Bearer challenge unless a request carries this token, which /token hands out. */
    public void requireToken(String token) {
        this.requiredToken = token;
    }

    /** The realm the challenge names instead of this registry's own /token. */
    public void challengeRealm(String realm) {
        this.realm = realm;
    }

    /** Answers every Range request with the whole blob and 200, as some servers do. */
    public void ignoreRange() {
        this.ignoreRange = true;
    }

    /** Redirects blob GETs to {@code prefix + digest} (another server, or a loop). */
    public void redirectBlobs(String prefix) {
        this.blobRedirectPrefix = prefix;
    }

    /** Serves these bytes under the digest from now on (a corrupted blob). */
    public void serveInstead(String digest, byte[] bytes) {
        servedInstead.put(digest, bytes);
    }

    public void inject(String digest, Fault... injected) {
        faults.computeIfAbsent(digest, d -> new ConcurrentLinkedQueue<>()).addAll(List.of(injected));
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    /** GETs of this blob, through /v2/ or a redirect. */
    public List<Request> blobRequests(String digest) {
        return requests.stream().filter(r -> r.path().endsWith("/blobs/" + digest) || r.path().equals("/cdn/" + digest)).toList();
    }

    public List<Request> requestsTo(String prefix) {
        return requests.stream().filter(r -> r.path().startsWith(prefix)).toList();
    }

    public void clearRequests() {
        requests.clear();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            requests.add(new Request(exchange.getRequestMethod(), path, exchange.getRequestHeaders().getFirst("Range"),
                    exchange.getRequestHeaders().getFirst("Authorization")));
            if (path.equals("/token")) {
                reply(exchange, 200, "{\"token\":\"" + requiredToken + "\"}");
                return;
            }
            if (path.startsWith("/loop/")) {
                redirect(exchange, path);
                return;
            }
            if (path.startsWith("/cdn/")) {
                serveBlob(exchange, path.substring(5));
                return;
            }
            Matcher v2 = V2.matcher(path);
            if (!v2.matches()) {
                reply(exchange, 404, "404 page not found");
                return;
            }
            String repository = v2.group(1) + "/" + v2.group(2);
            if (requiredToken != null && !("Bearer " + requiredToken).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                String realmUri = realm != null ? realm : "http://" + host() + "/token";
                exchange.getResponseHeaders().add("WWW-Authenticate", "Bearer realm=\"" + realmUri
                        + "\",service=\"fake-registry\",scope=\"repository:" + repository + ":pull\"");
                reply(exchange, 401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}");
                return;
            }
            if (v2.group(3).equals("manifests")) {
                byte[] manifest = manifests.get(repository + "/" + v2.group(4));
                if (manifest == null) {
                    reply(exchange, 404, "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"manifest unknown\"}]}");
                    return;
                }
                exchange.getResponseHeaders().add("Content-Type", Manifest.MEDIA_TYPE);
                exchange.sendResponseHeaders(200, manifest.length);
                exchange.getResponseBody().write(manifest);
            } else if (blobRedirectPrefix != null) {
                redirect(exchange, blobRedirectPrefix + v2.group(4));
            } else {
                serveBlob(exchange, v2.group(4));
            }
        } catch (IOException e) {
            // the client left, or a fault closed the connection on purpose
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void serveBlob(HttpExchange exchange, String digest) throws IOException, InterruptedException {
        byte[] bytes = servedInstead.getOrDefault(digest, blobs.get(digest));
        if (bytes == null) {
            reply(exchange, 404, "{\"errors\":[{\"code\":\"BLOB_UNKNOWN\"}]}");
            return;
        }
        Queue<Fault> queue = faults.get(digest);
        Fault fault = queue == null ? null : queue.poll();
        if (fault instanceof Fault.Status(int code)) {
            reply(exchange, code, "injected failure");
            return;
        }
        String range = exchange.getRequestHeaders().getFirst("Range");
        int start = 0;
        if (range != null && !ignoreRange) {
            start = Integer.parseInt(range.replaceFirst("bytes=(\\d+)-", "$1"));
            if (start >= bytes.length) {
                reply(exchange, 416, "range not satisfiable");
                return;
            }
            exchange.getResponseHeaders().add("Content-Range", "bytes " + start + "-" + (bytes.length - 1) + "/" + bytes.length);
        }
        exchange.sendResponseHeaders(start > 0 ? 206 : 200, bytes.length - start);
        OutputStream body = exchange.getResponseBody();
        int cut = bytes.length;
        switch (fault) {
            case Fault.Drop(long after) -> cut = (int) Math.min(bytes.length, start + after);
            case Fault.Stall(long after) -> cut = (int) Math.min(bytes.length, start + after);
            case Fault.Hold(long after, CountDownLatch reached, CountDownLatch release) -> {
                body.write(bytes, start, (int) after);
                body.flush();
                reached.countDown();
                release.await(30, TimeUnit.SECONDS);
                start += (int) after;
            }
            case null, default -> { }
        }
        body.write(bytes, start, cut - start);
        body.flush();
        if (fault instanceof Fault.Stall) {
            closed.await(60, TimeUnit.SECONDS);
        }
        // For a Drop, closing the exchange with bytes missing makes the server close the connection.
    }

    private static void redirect(HttpExchange exchange, String location) throws IOException {
        exchange.getResponseHeaders().add("Location", location);
        exchange.sendResponseHeaders(307, -1);
    }

    private static void reply(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        closed.countDown();
        server.stop(0);
    }
}
