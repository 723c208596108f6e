package dev.jollama.server.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The model store in Ollama's layout: {@code manifests/<host>/<namespace>/<model>/<tag>} and content-addressed
 * {@code blobs/sha256-<hex>}, so models pulled by Ollama are served as they are.
 */
public final class ModelStore {
    private static final Pattern DIGEST = Pattern.compile("sha256[:-][0-9a-fA-F]{64}");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final System.Logger LOG = System.getLogger(ModelStore.class.getName());

    private final Path root;
    private static final Duration TEMP_STALE = Duration.ofHours(1);
    private static final Duration PARTIAL_STALE = Duration.ofDays(1);
    /** How long an uploaded blob waits for the create that uses it. */
    private static final Duration UPLOAD_HOLD = Duration.ofHours(1);

    /** Pin counts of blobs that must survive removal of unused blobs; also the lock of that removal and of below. */
    private final Map<Path, Integer> pinned = new HashMap<>();
    /** Blobs uploaded for a create, until a create has used them or they expire. */
    private final Map<Path, Instant> uploaded = new HashMap<>();
    /** Creates under way: until the last ends, unused blobs are left (their new blobs have no manifest yet). */
    private int creates;
    private boolean removalDeferred;

    public ModelStore(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    /** Where a blob with this digest lives ("sha256:..." or "sha256-..."); the digest is checked first. */
    public Path blobPath(String digest) {
        if (!DIGEST.matcher(digest).matches()) {
            throw new IllegalArgumentException("invalid digest format: " + digest);
        }
        return root.resolve("blobs").resolve("sha256-" + digest.substring(7).toLowerCase());
    }

    /** Where a download of this blob accumulates until it is complete and verified. */
    public Path partialBlobPath(String digest) {
        Path blob = blobPath(digest);
        return blob.resolveSibling(blob.getFileName() + "-partial");
    }

    private Path manifestPath(ModelName name) {
        return root.resolve("manifests").resolve(name.host()).resolve(name.namespace()).resolve(name.model()).resolve(name.tag());
    }

    /** Every model with a readable manifest. */
    public List<ModelName> list() {
        Path manifests = root.resolve("manifests");
        if (!Files.isDirectory(manifests)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(manifests, 4)) {
            List<ModelName> names = new ArrayList<>();
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Path rel = manifests.relativize(f);
                if (rel.getNameCount() == 4) {
                    ModelName n = new ModelName("https", rel.getName(0).toString(), rel.getName(1).toString(),
                            rel.getName(2).toString(), rel.getName(3).toString());
                    if (ModelName.parse(n.fullName()) != null) {
                        names.add(n);
                    }
                }
            }
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list models in " + manifests, e);
        }
    }

    /** The stored name matching this one case-insensitively, as it is spelled on disk. */
    public Optional<ModelName> resolve(ModelName name) {
        if (Files.isRegularFile(manifestPath(name))) {
            return Optional.of(name);
        }
        return list().stream().filter(n -> n.key().equals(name.key())).findFirst();
    }

    /** Reads a model's manifest and its small layers; empty when no such model exists. */
    public Optional<StoredModel> find(ModelName requested) {
        Optional<ModelName> found = resolve(requested);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        ModelName name = found.get();
        Path manifestFile = manifestPath(name);
        try {
            byte[] bytes = Files.readAllBytes(manifestFile);
            Manifest manifest = JSON.readValue(bytes, Manifest.class);
            if (manifest == null) {
                throw new IllegalArgumentException("the manifest is null");
            }
            Path modelPath = null, projectorPath = null;
            String template = null, system = null;
            Map<String, Object> parameters = Map.of();
            List<Map<String, Object>> messages = List.of();
            List<String> licenses = new ArrayList<>();
            for (Manifest.Layer layer : manifest.layers() == null ? List.<Manifest.Layer>of() : manifest.layers()) {
                switch (layer.mediaType()) {
                    case Manifest.MODEL -> modelPath = blobPath(layer.digest());
                    case Manifest.PROJECTOR -> projectorPath = blobPath(layer.digest());
                    case Manifest.TEMPLATE, Manifest.LEGACY_TEMPLATE -> template = readText(layer);
                    case Manifest.SYSTEM -> system = readText(layer);
                    case Manifest.PARAMS -> parameters = nonNull(JSON.readValue(readText(layer), new TypeReference<>() {}), layer);
                    case Manifest.MESSAGES -> messages = nonNull(JSON.readValue(readText(layer), new TypeReference<>() {}), layer);
                    case Manifest.LICENSE -> licenses.add(readText(layer));
                    default -> { } // adapters and newer layer kinds are not used by this server
                }
            }
            Map<String, Object> config = manifest.config() == null ? Map.of()
                    : nonNull(JSON.readValue(Files.readAllBytes(blobPath(manifest.config().digest())), new TypeReference<>() {}), manifest.config());
            return Optional.of(new StoredModel(name, manifest, sha256(bytes), Files.getLastModifiedTime(manifestFile).toInstant(),
                    modelPath, projectorPath, template, system, parameters, messages, licenses, config));
        } catch (NoSuchFileException e) {
            throw new DamagedModelException(name, "a blob is missing (" + root.relativize(Path.of(e.getFile())) + ")", e);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new DamagedModelException(name, "its manifest or one of its layers is not what it should be", e);
        } catch (NullPointerException e) { // a manifest without a layer's media type or digest
            throw new DamagedModelException(name, "its manifest lacks a required field", e);
        } catch (IOException e) {
            throw new DamagedModelException(name, "it cannot be read (" + e.getMessage() + ")", e);
        }
    }

    /** A model whose manifest or blobs are missing or unreadable; the message says what to do. */
    public static final class DamagedModelException extends UncheckedIOException {
        DamagedModelException(ModelName name, String problem, Exception cause) {
            super("model " + name.displayName() + " is damaged: " + problem + "; remove it and pull or create it again",
                    cause instanceof IOException io ? io : new IOException(cause));
        }
    }

    /** A layer whose JSON is a bare null. */
    private static <T> T nonNull(T value, Manifest.Layer layer) {
        if (value == null) {
            throw new IllegalArgumentException("the layer " + layer.digest() + " is null");
        }
        return value;
    }

    /** A model's manifest alone (its blobs are not read, so a model missing blobs still has one); empty when absent. */
    public Optional<Manifest> readManifest(ModelName name) throws IOException {
        Optional<ModelName> found = resolve(name);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(JSON.readValue(manifestPath(found.get()).toFile(), Manifest.class));
    }

    private String readText(Manifest.Layer layer) throws IOException {
        return Files.readString(blobPath(layer.digest()), StandardCharsets.UTF_8);
    }

    /** Stores bytes as a blob and returns the layer describing them. */
    public Manifest.Layer writeBlob(String mediaType, byte[] content) throws IOException {
        String digest = "sha256:" + sha256(content);
        Path target = blobPath(digest);
        if (!Files.exists(target)) {
            Files.createDirectories(target.getParent());
            Path temp = Files.createTempFile(target.getParent(), "blob-", ".tmp");
            try {
                Files.write(temp, content);
                moveAtomically(temp, target);
            } finally {
                Files.deleteIfExists(temp);
            }
        }
        return new Manifest.Layer(mediaType, digest, content.length);
    }

    /** Stores a file as a blob (streamed, hashed on the way) and returns its layer. */
    public Manifest.Layer writeBlob(String mediaType, Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return writeBlob(mediaType, in, null);
        }
    }

    /**
     * Streams bytes into a blob, hashing on the way; the blob becomes visible only once complete and, when
     * {@code expectedDigest} is given, only if it matches (else {@link BlobDigestMismatchException}, nothing kept).
     */
    public Manifest.Layer writeBlob(String mediaType, InputStream in, String expectedDigest) throws IOException {
        Files.createDirectories(root.resolve("blobs"));
        Path temp = Files.createTempFile(root.resolve("blobs"), "blob-", ".tmp");
        try {
            MessageDigest sha = sha256Digest();
            long size = 0;
            try (var out = Files.newOutputStream(temp)) {
                byte[] buffer = new byte[1 << 20];
                for (int n; (n = in.read(buffer)) > 0; ) {
                    sha.update(buffer, 0, n);
                    out.write(buffer, 0, n);
                    size += n;
                }
            }
            String digest = "sha256:" + HexFormat.of().formatHex(sha.digest());
            if (expectedDigest != null && !digest.equalsIgnoreCase(expectedDigest.replaceFirst("^sha256-", "sha256:"))) {
                throw new BlobDigestMismatchException(expectedDigest, digest);
            }
            Path target = blobPath(digest);
            if (!Files.exists(target)) {
                moveAtomically(temp, target);
            }
            return new Manifest.Layer(mediaType, digest, size);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Bytes whose sha256 is not the digest they were sent under. */
    public static final class BlobDigestMismatchException extends IOException {
        public BlobDigestMismatchException(String expected, String actual) {
            super("digest mismatch, expected \"" + expected + "\", got \"" + actual + "\"");
        }
    }

    /**
     * Makes a fully downloaded partial blob the blob if its bytes hash to the digest; otherwise deletes it (its bytes
     * are unusable, so a retry starts afresh) and throws {@link BlobDigestMismatchException}.
     */
    public void completePartialBlob(String digest) throws IOException {
        Path partial = partialBlobPath(digest);
        MessageDigest sha = sha256Digest();
        try (InputStream in = Files.newInputStream(partial)) {
            byte[] buffer = new byte[1 << 20];
            for (int n; (n = in.read(buffer)) > 0; ) {
                sha.update(buffer, 0, n);
            }
        }
        String actual = "sha256:" + HexFormat.of().formatHex(sha.digest());
        String expected = "sha256:" + digest.substring(7).toLowerCase();
        if (!actual.equals(expected)) {
            Files.deleteIfExists(partial);
            throw new BlobDigestMismatchException(expected, actual);
        }
        moveAtomically(partial, blobPath(digest));
    }

    public boolean hasBlob(String digest) {
        return Files.isRegularFile(blobPath(digest));
    }

    /** Writes a model's manifest last and atomically, so a reader never sees a half-written model. */
    public void writeManifest(ModelName name, Manifest manifest) throws IOException {
        Path target = manifestPath(name);
        Files.createDirectories(target.getParent());
        Path temp = Files.createTempFile(target.getParent(), ".manifest-", ".tmp");
        try {
            Files.write(temp, JSON.writeValueAsBytes(manifest));
            moveAtomically(temp, target);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Removes a model's manifest and any blob no other manifest uses; false when there was no such model. */
    public boolean delete(ModelName name) throws IOException {
        Optional<ModelName> found = resolve(name);
        if (found.isEmpty()) {
            return false;
        }
        Files.delete(manifestPath(found.get()));
        removeUnusedBlobs();
        return true;
    }

    /** Gives a model a second name (the same blobs); false when the source does not exist. */
    public boolean copy(ModelName source, ModelName destination) throws IOException {
        Optional<ModelName> found = resolve(source);
        if (found.isEmpty()) {
            return false;
        }
        Path target = manifestPath(destination);
        Files.createDirectories(target.getParent());
        Files.copy(manifestPath(found.get()), target, StandardCopyOption.REPLACE_EXISTING);
        return true;
    }

    /**
     * Keeps blobs from being removed as unused until closed: a pull holds them from the moment it finds or downloads
     * them until its manifest references them.
     */
    public BlobPin pinBlobs(Collection<String> digests) {
        List<Path> paths = digests.stream().map(this::blobPath).toList();
        synchronized (pinned) {
            paths.forEach(p -> pinned.merge(p, 1, Integer::sum));
        }
        return () -> {
            synchronized (pinned) {
                paths.forEach(p -> pinned.computeIfPresent(p, (k, count) -> count == 1 ? null : count - 1));
            }
        };
    }

    /**
     * Keeps an uploaded blob (or one a client found present and so did not upload) for the create that will use it,
     * until {@link #usedByCreate} or an hour has passed.
     */
    public void keepForCreate(String digest) {
        Path blob = blobPath(digest);
        synchronized (pinned) {
            uploaded.put(blob, Instant.now().plus(UPLOAD_HOLD));
        }
    }

    /** A create's manifest now references these blobs: their upload hold ends. */
    public void usedByCreate(Collection<String> digests) {
        synchronized (pinned) {
            digests.forEach(d -> uploaded.remove(blobPath(d)));
        }
    }

    /**
     * Marks a create under way until closed: its blobs are written before the manifest that references them, so no
     * unused blobs are removed meanwhile; a removal asked for in between runs when the last create ends.
     */
    public BlobPin startCreate() {
        synchronized (pinned) {
            creates++;
        }
        return () -> {
            boolean removeNow;
            synchronized (pinned) {
                creates--;
                removeNow = creates == 0 && removalDeferred;
                removalDeferred &= !removeNow;
            }
            if (removeNow) {
                try {
                    removeUnusedBlobs();
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.WARNING, "removing unused blobs after a create failed: " + e.getMessage());
                }
            }
        };
    }

    /** Blobs pinned by {@link #pinBlobs}; closing releases them. */
    public interface BlobPin extends AutoCloseable {
        @Override
        void close();
    }

    /** Deletes blobs that no manifest references (pinned blobs and recent partial downloads are kept), and leftovers. */
    public void removeUnusedBlobs() throws IOException {
        removeUnused(blob -> true);
        removeLeftovers();
    }

    /**
     * Deletes what writers killed mid-way left behind: temporary blob and manifest files untouched for an hour (a
     * writer at work touches its file all the time; other servers may share the store) and partial downloads
     * untouched for a day (a pull resumes from a recent one).
     */
    public void removeLeftovers() throws IOException {
        Instant now = Instant.now();
        for (String folder : List.of("blobs", "manifests")) {
            Path dir = root.resolve(folder);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    String file = f.getFileName().toString();
                    boolean blobs = folder.equals("blobs");
                    Duration stale = file.endsWith(".tmp") && file.startsWith(blobs ? "blob-" : ".manifest-") ? TEMP_STALE
                            : blobs && file.startsWith("sha256-") && file.endsWith("-partial") ? PARTIAL_STALE : null;
                    if (stale != null && untouchedFor(f, stale, now)) {
                        LOG.log(System.Logger.Level.INFO, "removing leftover {0}", root.relativize(f));
                        Files.deleteIfExists(f);
                    }
                }
            }
        }
    }

    private static boolean untouchedFor(Path file, Duration age, Instant now) {
        try {
            return Files.getLastModifiedTime(file).toInstant().plus(age).isBefore(now);
        } catch (IOException e) {
            return false; // gone meanwhile
        }
    }

    /** Deletes those of these blobs that no manifest references and no one has pinned, e.g. an old version's layers. */
    public void removeUnusedBlobs(Collection<String> digests) throws IOException {
        Set<Path> candidates = new HashSet<>();
        digests.forEach(d -> candidates.add(blobPath(d)));
        removeUnused(candidates::contains);
    }

    private void removeUnused(Predicate<Path> candidate) throws IOException {
        Path blobs = root.resolve("blobs");
        if (!Files.isDirectory(blobs)) {
            return;
        }
        // Held throughout, so a pull cannot unpin a blob between our reading the manifests and deleting it.
        synchronized (pinned) {
            if (creates > 0) {
                removalDeferred = true;
                return;
            }
            Instant now = Instant.now();
            uploaded.values().removeIf(expiry -> expiry.isBefore(now));
            Set<Path> used = new HashSet<>(pinned.keySet());
            used.addAll(uploaded.keySet());
            for (ModelName n : list()) {
                Optional<Set<Path>> blobsOf = referencedBlobs(n);
                if (blobsOf.isEmpty()) {
                    return; // which blobs a damaged manifest meant is unknown: none is removed until it is repaired or removed
                }
                used.addAll(blobsOf.get());
            }
            try (Stream<Path> files = Files.list(blobs)) {
                for (Path f : files.toList()) {
                    String file = f.getFileName().toString();
                    if (file.startsWith("sha256-") && !file.contains("-partial") && !used.contains(f) && candidate.test(f)) {
                        Files.deleteIfExists(f);
                    }
                }
            }
        }
    }

    /** The blobs a manifest references; empty (and logged) when the manifest is damaged. */
    private Optional<Set<Path>> referencedBlobs(ModelName name) throws IOException {
        try {
            Manifest m = JSON.readValue(manifestPath(name).toFile(), Manifest.class);
            Set<Path> blobs = new HashSet<>();
            if (m.config() != null) {
                blobs.add(blobPath(m.config().digest()));
            }
            if (m.layers() != null) {
                m.layers().forEach(l -> blobs.add(blobPath(l.digest())));
            }
            return Optional.of(blobs);
        } catch (JsonProcessingException | NullPointerException | IllegalArgumentException e) {
            LOG.log(System.Logger.Level.WARNING, "not removing unused blobs: the manifest of {0} is damaged", name.displayName());
            return Optional.empty();
        }
    }

    private static void moveAtomically(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(sha256Digest().digest(bytes));
    }

    private static MessageDigest sha256Digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
