package dev.jollama.server.routes;

import dev.jollama.server.api.GoJson;
import io.javalin.http.Context;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A server shutting down (SIGTERM): requests that arrive get 503, so a load balancer sends them elsewhere; those
 * running may finish within the grace period, after which their generations stop and end with an error.
 */
public final class Drain {
    static final String ERROR = "server shutting down";
    private static final String COUNTED = Drain.class.getName();

    private final AtomicInteger running = new AtomicInteger();
    private volatile boolean draining;
    private volatile boolean forced;

    /** Before every handler: counts the request in, or refuses it while draining. */
    public void before(Context ctx) {
        if (draining) {
            JsonReply.send(ctx, 503, GoJson.object().put("error", ERROR));
            ctx.header("Connection", "close");
            ctx.skipRemainingHandlers();
            return;
        }
        running.incrementAndGet();
        ctx.attribute(COUNTED, this);
    }

    /** After every handler, also one that failed. */
    public void after(Context ctx) {
        if (ctx.attribute(COUNTED) != null) {
            ctx.attribute(COUNTED, null);
            running.decrementAndGet();
        }
    }

    public boolean draining() {
        return draining;
    }

    /** Whether running generations must stop now. */
    boolean forced() {
        return forced;
    }

    /** Refuses new requests, waits up to {@code grace} for running ones, then stops them and waits a little more. */
    public void drain(Duration grace) throws InterruptedException {
        draining = true;
        if (!awaitIdle(grace)) {
            forced = true;
            awaitIdle(Duration.ofSeconds(5)); // a generation stops at its next token
        }
    }

    private boolean awaitIdle(Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (running.get() > 0) {
            if (System.nanoTime() > end) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }
}
