package dev.jollama.server.config;

import dev.jollama.engine.kvcache.KvCacheType;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Every OLLAMA_* setting the server reads, in one place, parsed as Ollama parses them.
 *
 * @param keepAlive    how long an idle model stays loaded; null means forever
 * @param contextLength the default num_ctx (OLLAMA_CONTEXT_LENGTH), 4096 when unset
 * @param namedTemplates JOLLAMA_TEMPLATES: a folder of Ollama's named templates (index.json, *.gotmpl, *.json) used
 *                       to give a GGUF imported without a TEMPLATE the template its chat_template matches; null when
 *                       unset (such models then get the default {{ .Prompt }})
 * @param kvCacheType  OLLAMA_KV_CACHE_TYPE: how the KV cache stores keys and values, f16 when unset
 * @param apiKey       JOLLAMA_API_KEY: the bearer token the OpenAI-compatible routes (/v1) require; null when unset,
 *                     and then any key or none is accepted
 * @param connections  how long and how many connections clients may hold (Jollama's own settings)
 * @param shutdownGrace JOLLAMA_SHUTDOWN_GRACE: how long running requests may finish after SIGTERM (default 30 s)
 */
public record ServerConfig(InetSocketAddress address, Path models, Duration keepAlive, int numParallel, int maxQueue,
                           int maxLoadedModels, int contextLength, List<String> origins, Path namedTemplates,
                           KvCacheType kvCacheType, String apiKey, ConnectionLimits connections, Duration shutdownGrace) {

    /**
     * @param headerTimeout JOLLAMA_HEADER_TIMEOUT: a new connection must have sent a request's headers by then (default
     *                      10 s), so clients trickling bytes cannot hold connections
     * @param perAddress    JOLLAMA_MAX_CONNECTIONS_PER_ADDRESS: open connections one non-loopback address may hold
     *                      (default 256; 0 for no cap); loopback clients, such as a load balancer on this machine, have none
     */
    public record ConnectionLimits(Duration headerTimeout, int perAddress) {
    }

    public static final int DEFAULT_PORT = 11434;

    public static ServerConfig fromEnvironment() {
        return from(System.getenv());
    }

    public static ServerConfig from(Map<String, String> env) {
        return new ServerConfig(
                address(env.getOrDefault("OLLAMA_HOST", "")),
                models(env),
                keepAlive(env.getOrDefault("OLLAMA_KEEP_ALIVE", "")),
                positiveInt(env, "OLLAMA_NUM_PARALLEL", 1),
                positiveInt(env, "OLLAMA_MAX_QUEUE", 512),
                positiveInt(env, "OLLAMA_MAX_LOADED_MODELS", 3),
                positiveInt(env, "OLLAMA_CONTEXT_LENGTH", 4096),
                origins(env.getOrDefault("OLLAMA_ORIGINS", "")),
                env.containsKey("JOLLAMA_TEMPLATES") ? Path.of(env.get("JOLLAMA_TEMPLATES")) : null,
                KvCacheType.parse(env.get("OLLAMA_KV_CACHE_TYPE")),
                env.get("JOLLAMA_API_KEY") == null || env.get("JOLLAMA_API_KEY").isBlank() ? null : env.get("JOLLAMA_API_KEY").strip(),
                new ConnectionLimits(duration(env, "JOLLAMA_HEADER_TIMEOUT", Duration.ofSeconds(10)),
                        wholeNumber(env, "JOLLAMA_MAX_CONNECTIONS_PER_ADDRESS", 256)),
                duration(env, "JOLLAMA_SHUTDOWN_GRACE", Duration.ofSeconds(30)));
    }

    /** OLLAMA_HOST: [scheme://]host[:port], defaults 127.0.0.1 and 11434; a bare ":port" binds loopback. */
    static InetSocketAddress address(String value) {
        String v = value.strip();
        int scheme = v.indexOf("://");
        if (scheme >= 0) {
            v = v.substring(scheme + 3);
        }
        int slash = v.indexOf('/');
        if (slash >= 0) {
            v = v.substring(0, slash);
        }
        String host = v;
        int port = DEFAULT_PORT;
        int colon = v.lastIndexOf(':');
        if (colon >= 0 && v.indexOf(']') < colon) {
            host = v.substring(0, colon);
            try {
                port = Integer.parseInt(v.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("OLLAMA_HOST port is not a number: " + value);
            }
        }
        host = host.replace("[", "").replace("]", "");
        return InetSocketAddress.createUnresolved(host.isEmpty() ? "127.0.0.1" : host, port);
    }

    private static Path models(Map<String, String> env) {
        String models = env.get("OLLAMA_MODELS");
        if (models != null && !models.isBlank()) {
            return Path.of(models);
        }
        return Path.of(System.getProperty("user.home"), ".ollama", "models");
    }

    /** OLLAMA_KEEP_ALIVE: a Go duration or plain seconds; negative means forever (null); default 5 minutes. */
    static Duration keepAlive(String value) {
        if (value.isBlank()) {
            return Duration.ofMinutes(5);
        }
        Duration d = secondsOrGoDuration(value.strip());
        return d.isNegative() ? null : d;
    }

    private static Duration secondsOrGoDuration(String value) {
        try {
            return Duration.ofSeconds(Long.parseLong(value));
        } catch (NumberFormatException e) {
            return GoDuration.parse(value);
        }
    }

    /** A Go duration or plain seconds. */
    private static Duration duration(Map<String, String> env, String key, Duration fallback) {
        String v = env.get(key);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            return secondsOrGoDuration(v.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + " must be a duration such as 30s or 2m, was '" + v + "'", e);
        }
    }

    private static int wholeNumber(Map<String, String> env, String key, int fallback) {
        String v = env.get(key);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            return Math.max(0, Integer.parseInt(v.strip()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a whole number, was '" + v + "'");
        }
    }

    private static int positiveInt(Map<String, String> env, String key, int fallback) {
        String v = env.get(key);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v.strip());
            return n > 0 ? n : fallback;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a whole number, was '" + v + "'");
        }
    }

    private static List<String> origins(String value) {
        List<String> origins = new java.util.ArrayList<>();
        for (String o : value.split(",")) {
            if (!o.isBlank()) {
                origins.add(o.strip());
            }
        }
        for (String host : List.of("localhost", "127.0.0.1", "0.0.0.0")) {
            origins.add("http://" + host);
            origins.add("https://" + host);
            origins.add("http://" + host + ":*");
            origins.add("https://" + host + ":*");
        }
        origins.addAll(List.of("app://*", "file://*", "tauri://*", "vscode-webview://*", "vscode-file://*"));
        return List.copyOf(origins);
    }
}
