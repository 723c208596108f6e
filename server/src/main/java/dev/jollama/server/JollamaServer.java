package dev.jollama.server;

import dev.jollama.server.api.ApiException;
import dev.jollama.server.api.ErrorText;
import dev.jollama.server.api.GoJson;
import dev.jollama.server.config.ServerConfig;
import dev.jollama.server.openai.OpenAiError;
import dev.jollama.server.openai.OpenAiRoutes;
import dev.jollama.server.registry.ModelPuller;
import dev.jollama.server.routes.AccessControl;
import dev.jollama.server.routes.BlobRoutes;
import dev.jollama.server.routes.ChatRoute;
import dev.jollama.server.routes.CreateRoute;
import dev.jollama.server.routes.EmbedRoutes;
import dev.jollama.server.routes.GenerateRoute;
import dev.jollama.server.routes.JsonReply;
import dev.jollama.server.routes.ModelRoutes;
import dev.jollama.server.routes.PullRoute;
import dev.jollama.server.scheduler.Scheduler;
import dev.jollama.server.scheduler.SchedulerException;
import dev.jollama.server.store.ModelStore;
import dev.jollama.server.template.TemplateRecognizer;
import dev.jollama.server.routes.ConnectionGuard;
import dev.jollama.server.routes.Drain;
import org.eclipse.jetty.server.Connector;
import io.javalin.Javalin;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ServerConnector;
import io.javalin.http.Context;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.CountDownLatch;

/** The HTTP server: Ollama's routes on Javalin, one virtual thread per request so handlers can block and stream. */
public final class JollamaServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(JollamaServer.class.getName());
    /**
     * The Ollama release whose API this server implements, as /api/version reports it: clients enable features by
     * it (Ollama's source at v0.32.15, the newest release, 2026-08-19).
     */
    public static final String OLLAMA_API_VERSION = "0.32.15";
    /** Jollama's own version, in the log and {@code jollama --version}. */
    public static final String VERSION = "0.1.0";
    /** The paths routed below: another method on one of them is a 405, not a 404 (the OPTIONS route covers all). */
    private static final java.util.regex.Pattern API_PATHS = java.util.regex.Pattern.compile(
            "/|/api/(version|generate|chat|tags|show|ps|delete|copy|create|pull|embed|embeddings|blobs/[^/]+)");
    /** Bodies above this are refused with 413; the largest legitimate ones carry a few base64 images. */
    private static final long MAX_REQUEST_BYTES = 64L << 20;
    /** A request body arriving slower than this is refused (408): a trickling client would hold its request open. */
    private static final long MIN_REQUEST_BYTES_PER_SECOND = 1024;

    private final Javalin app;
    private final Scheduler scheduler;
    private final ConnectionGuard guard;
    private final Drain drain;
    private final Duration shutdownGrace;
    private final CountDownLatch stopped = new CountDownLatch(1);

    private JollamaServer(Javalin app, Scheduler scheduler, ConnectionGuard guard, Drain drain, Duration shutdownGrace) {
        this.app = app;
        this.scheduler = scheduler;
        this.guard = guard;
        this.drain = drain;
        this.shutdownGrace = shutdownGrace;
    }

    /** Starts serving at the configured address; port 0 picks a free one (see {@link #port()}). */
    public static JollamaServer start(ServerConfig config) {
        ModelStore store = new ModelStore(config.models());
        try {
            store.removeLeftovers();
        } catch (java.io.IOException e) {
            LOG.log(Level.WARNING, "cannot remove leftover temporary files from the store: " + e.getMessage());
        }
        Scheduler scheduler = new Scheduler(config);
        GenerateRoute generate = new GenerateRoute(config, store, scheduler);
        ChatRoute chat = new ChatRoute(config, store, scheduler);
        CreateRoute create = new CreateRoute(store, namedTemplates(config));
        BlobRoutes blobs = new BlobRoutes(store);
        EmbedRoutes embed = new EmbedRoutes(config, store, scheduler);
        ModelRoutes models = new ModelRoutes(store, scheduler);
        PullRoute pull = new PullRoute(new ModelPuller(store, OLLAMA_API_VERSION));
        OpenAiRoutes openAi = new OpenAiRoutes(store, chat, generate, embed, config.apiKey());
        ErrorText texts = new ErrorText(config.models());
        InetAddress bound = resolve(config.address().getHostString());
        ConnectionGuard guard = new ConnectionGuard(config.connections());
        Drain drain = new Drain();
        AccessControl access = new AccessControl(config.origins(), bound.isLoopbackAddress());
        Javalin app = Javalin.create(c -> {
            c.concurrency.useVirtualThreads = true;
            c.http.maxRequestSize = MAX_REQUEST_BYTES;
            c.http.compressionStrategy = io.javalin.compression.CompressionStrategy.NONE; // Ollama does not compress; streams must not be held back
            c.startup.showJavalinBanner = false;
            c.jetty.modifyHttpConfiguration(http -> http.setMinRequestDataRate(MIN_REQUEST_BYTES_PER_SECOND));
            c.jetty.addConnector((server, http) -> {
                ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
                connector.setHost(bound.getHostAddress());
                connector.setPort(config.address().getPort());
                connector.addEventListener(guard);
                return connector;
            });
            c.routes.before(guard::check);
            c.routes.before(access::check);
            c.routes.before("/v1/*", openAi::checkKey);
            c.routes.before(drain::before);
            c.routes.after(drain::after);
            c.routes.options("/*", ctx -> { });
            c.routes.get("/", ctx -> ctx.contentType("text/plain; charset=utf-8").result("Ollama is running"));
            c.routes.head("/", ctx -> ctx.contentType("text/plain; charset=utf-8"));
            c.routes.get("/api/version", ctx -> json(ctx, GoJson.object().put("version", OLLAMA_API_VERSION)));
            c.routes.head("/api/version", JsonReply::setJsonContentType);
            c.routes.post("/api/generate", generate::handle);
            c.routes.post("/api/chat", chat::handle);
            c.routes.get("/api/tags", models::tags);
            c.routes.head("/api/tags", models::tags);
            c.routes.post("/api/show", models::show);
            c.routes.get("/api/ps", models::ps);
            c.routes.delete("/api/delete", models::delete);
            c.routes.post("/api/copy", models::copy);
            c.routes.post("/api/create", create::handle);
            c.routes.post("/api/pull", pull::handle);
            c.routes.post("/api/embed", embed::embed);
            c.routes.post("/api/embeddings", embed::embeddings);
            c.routes.head("/api/blobs/{digest}", blobs::head);
            c.routes.post("/api/blobs/{digest}", blobs::upload);
            c.routes.get("/v1/models", openAi::models);
            c.routes.get("/v1/models/<model>", openAi::model);
            c.routes.post("/v1/chat/completions", openAi::chatCompletions);
            c.routes.post("/v1/completions", openAi::completions);
            c.routes.post("/v1/embeddings", openAi::embeddings);
            c.routes.post("/v1/responses", openAi::responses);
            c.routes.exception(ApiException.class, (e, ctx) -> error(ctx, e.status(), texts.clean(e.getMessage())));
            c.routes.exception(SchedulerException.class, (e, ctx) -> schedulerError(e, ctx, texts));
            c.routes.exception(Exception.class, (e, ctx) -> {
                int unreadable = unreadableBody(e);
                if (unreadable != 0) {
                    error(ctx, unreadable, unreadable == 408 ? "the request body arrived too slowly (the minimum is "
                            + MIN_REQUEST_BYTES_PER_SECOND + " bytes a second)"
                            : "cannot read the request body: it ended early or its chunked framing is broken");
                    return;
                }
                if (e instanceof ModelStore.DamagedModelException) {
                    LOG.log(Level.WARNING, ctx.method() + " " + ctx.path() + ": " + e.getMessage());
                } else {
                    LOG.log(Level.ERROR, "request failed: " + ctx.method() + " " + ctx.path(), e);
                }
                error(ctx, 500, e instanceof java.io.UncheckedIOException || e instanceof java.io.IOException
                        ? texts.clean(e.getMessage()) : "internal error; the server log has the details");
            });
            c.routes.error(404, ctx -> {
                // Javalin's own "not found" is plain text; ollama4j and others need a JSON error body.
                // (a handler's own 404, "model ... not found", is JSON already and stays)
                if (ctx.result() == null || !ctx.result().startsWith("{")) {
                    boolean knownPath = API_PATHS.matcher(ctx.path()).matches();
                    // gin's HandleMethodNotAllowed, which Ollama sets: another method on a known path is a 405
                    error(ctx, knownPath ? 405 : 404, knownPath ? "405 method not allowed" : "404 page not found");
                }
            });
            c.routes.error(413, ctx -> error(ctx, 413, "request body too large (the limit is " + (MAX_REQUEST_BYTES >> 20) + " MiB)"));
        });
        app.start();
        LOG.log(Level.INFO, "Listening on {0}:{1} (jollama {2}, Ollama API {3}), models in {4}", config.address().getHostString(),
                String.valueOf(app.port()), VERSION, OLLAMA_API_VERSION, config.models());
        return new JollamaServer(app, scheduler, guard, drain, config.shutdownGrace());
    }

    private static TemplateRecognizer namedTemplates(ServerConfig config) {
        if (config.namedTemplates() == null) {
            return null;
        }
        try {
            return TemplateRecognizer.load(config.namedTemplates());
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("JOLLAMA_TEMPLATES: cannot read named templates from " + config.namedTemplates() + ": " + e.getMessage(), e);
        }
    }

    /** The address OLLAMA_HOST names, as Jetty will bind it; the Host check depends on it, not on the spelling. */
    private static InetAddress resolve(String host) {
        try {
            return InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("OLLAMA_HOST: cannot resolve the host name '" + host + "'; use an IP address or a name this machine resolves", e);
        }
    }

    public int port() {
        return app.port();
    }

    /** Whether a request is running or waiting for its model. */
    public boolean busy() {
        return scheduler.busy();
    }

    /** Blocks until the server is closed. */
    public void join() throws InterruptedException {
        stopped.await();
    }

    /**
     * Shuts down as SIGTERM asks: stops accepting connections and answers requests on open ones with 503, lets
     * running requests finish within JOLLAMA_SHUTDOWN_GRACE, then ends the rest (a stream with an error line) and
     * closes.
     */
    public void shutdown() {
        LOG.log(Level.INFO, "shutting down: waiting up to {0} s for running requests", String.valueOf(shutdownGrace.toSeconds()));
        for (Connector connector : app.jettyServer().server().getConnectors()) {
            if (connector instanceof ServerConnector s) {
                s.setAccepting(false);
            }
        }
        try {
            drain.drain(shutdownGrace);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        close();
    }

    @Override
    public void close() {
        app.stop();
        guard.close();
        scheduler.close();
        stopped.countDown();
    }

    private static void json(Context ctx, Object body) {
        JsonReply.send(ctx, 200, body);
    }

    /** Ollama's status and text for each way the scheduler can fail a request. */
    private static void schedulerError(SchedulerException e, Context ctx, ErrorText texts) {
        switch (e) {
            case SchedulerException.QueueFull q -> error(ctx, 503, "server busy, please try again.  maximum pending requests exceeded");
            case SchedulerException.NotEnoughMemory m -> {
                LOG.log(Level.WARNING, "{0}: {1}{2}", ctx.path(), m.getMessage(), m.heap()
                        ? " (the Java heap, which holds the KV cache; lower num_ctx or OLLAMA_NUM_PARALLEL, or raise -Xmx in JOLLAMA_JAVA_OPTS)" : "");
                error(ctx, 500, m.getMessage());
            }
            case SchedulerException.ClientGone g -> LOG.log(Level.DEBUG, "{0} {1}: {2}", ctx.method(), ctx.path(), g.getMessage());
            case SchedulerException.LoadFailed f -> {
                LOG.log(Level.ERROR, f.getMessage(), f.getCause());
                error(ctx, 500, "unable to load model: " + texts.clean(f.problem()));
            }
        }
    }

    /** The status of Jetty's failure to read a body (a truncated, malformed or too slow one), 0 for other failures. */
    private static int unreadableBody(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof org.eclipse.jetty.http.BadMessageException bad) {
                return bad.getCode() == 408 ? 408 : 400;
            }
            if (t instanceof org.eclipse.jetty.io.EofException) {
                return 400;
            }
        }
        return 0;
    }

    /** Ollama's {@code {"error": message}}, or OpenAI's error object under /v1. */
    private static void error(Context ctx, int status, String message) {
        JsonReply.send(ctx, status, ctx.path().startsWith("/v1/") ? OpenAiError.body(status, message)
                : GoJson.object().put("error", message));
    }
}
