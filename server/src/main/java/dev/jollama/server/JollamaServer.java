package dev.jollama.server;

import dev.jollama.server.api.ApiException;
import dev.jollama.server.api.GoJson;
import dev.jollama.server.config.ServerConfig;
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
import io.javalin.Javalin;
import io.javalin.http.Context;

import java.lang.System.Logger.Level;
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

    private final Javalin app;
    private final Scheduler scheduler;
    private final CountDownLatch stopped = new CountDownLatch(1);

    private JollamaServer(Javalin app, Scheduler scheduler) {
        this.app = app;
        this.scheduler = scheduler;
    }

    /** Starts serving at the configured address; port 0 picks a free one (see {@link #port()}). */
    public static JollamaServer start(ServerConfig config) {
        ModelStore store = new ModelStore(config.models());
        Scheduler scheduler = new Scheduler(config);
        GenerateRoute generate = new GenerateRoute(config, store, scheduler);
        ChatRoute chat = new ChatRoute(config, store, scheduler);
        CreateRoute create = new CreateRoute(store, namedTemplates(config));
        BlobRoutes blobs = new BlobRoutes(store);
        EmbedRoutes embed = new EmbedRoutes(config, store, scheduler);
        ModelRoutes models = new ModelRoutes(store, scheduler);
        PullRoute pull = new PullRoute(new ModelPuller(store, OLLAMA_API_VERSION));
        AccessControl access = new AccessControl(config.origins(), isLoopback(config.address().getHostString()));
        Javalin app = Javalin.create(c -> {
            c.concurrency.useVirtualThreads = true;
            c.http.maxRequestSize = MAX_REQUEST_BYTES;
            c.http.compressionStrategy = io.javalin.compression.CompressionStrategy.NONE; // Ollama does not compress; streams must not be held back
            c.startup.showJavalinBanner = false;
            c.jetty.host = config.address().getHostString();
            c.jetty.port = config.address().getPort();
            c.routes.before(access::check);
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
            c.routes.exception(ApiException.class, (e, ctx) -> error(ctx, e.status(), e.getMessage()));
            c.routes.exception(SchedulerException.class, JollamaServer::schedulerError);
            c.routes.exception(Exception.class, (e, ctx) -> {
                LOG.log(Level.ERROR, "request failed: " + ctx.method() + " " + ctx.path(), e);
                error(ctx, 500, String.valueOf(e.getMessage()));
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
        return new JollamaServer(app, scheduler);
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

    private static boolean isLoopback(String host) {
        return host.equals("localhost") || host.startsWith("127.") || host.equals("::1");
    }

    public int port() {
        return app.port();
    }

    /** Blocks until the server is closed. */
    public void join() throws InterruptedException {
        stopped.await();
    }

    @Override
    public void close() {
        app.stop();
        scheduler.close();
        stopped.countDown();
    }

    private static void json(Context ctx, Object body) {
        JsonReply.send(ctx, 200, body);
    }

    /** Ollama's status and text for each way the scheduler can fail a request. */
    private static void schedulerError(SchedulerException e, Context ctx) {
        switch (e) {
            case SchedulerException.QueueFull q -> error(ctx, 503, "server busy, please try again.  maximum pending requests exceeded");
            case SchedulerException.LoadFailed f -> {
                LOG.log(Level.ERROR, f.getMessage(), f.getCause());
                error(ctx, 500, "unable to load model: " + f.problem());
            }
        }
    }

    private static void error(Context ctx, int status, String message) {
        JsonReply.send(ctx, status, GoJson.object().put("error", message));
    }
}
