package dev.jollama.server.routes;

import dev.jollama.server.config.ServerConfig;
import dev.jollama.server.api.GoJson;
import io.javalin.http.Context;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;

import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Keeps slow or greedy clients from holding connections: a connection that takes longer than the header timeout to
 * send a request's headers is closed (Jetty's idle timeout restarts with every byte, so a client trickling one byte
 * every few seconds would hold it for ever), and a non-loopback address may hold only so many connections at once.
 */
public final class ConnectionGuard implements Connection.Listener {
    private static final System.Logger LOG = System.getLogger(ConnectionGuard.class.getName());

    private final ServerConfig.ConnectionLimits limits;
    private final Map<InetAddress, AtomicInteger> perAddress = new ConcurrentHashMap<>();
    private final Map<Connection, ScheduledFuture<?>> headerTimers = new ConcurrentHashMap<>();
    /** Connections beyond their address's cap, until closed: a request that got in first is refused. */
    private final Set<Connection> refused = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "connection-guard");
        t.setDaemon(true);
        return t;
    });

    public ConnectionGuard(ServerConfig.ConnectionLimits limits) {
        this.limits = limits;
    }

    @Override
    public void onOpened(Connection connection) {
        EndPoint endPoint = connection.getEndPoint();
        InetAddress address = endPoint.getRemoteSocketAddress() instanceof InetSocketAddress a ? a.getAddress() : null;
        if (address != null && !address.isLoopbackAddress() && limits.perAddress() > 0) {
            int open = perAddress.computeIfAbsent(address, k -> new AtomicInteger()).incrementAndGet();
            if (open > limits.perAddress()) {
                LOG.log(Level.WARNING, "closing a connection from {0}: it has {1} open already (JOLLAMA_MAX_CONNECTIONS_PER_ADDRESS)",
                        address.getHostAddress(), String.valueOf(open - 1));
                refused.add(connection);
                timers.execute(endPoint::close); // once opened: a close while Jetty opens it is not seen
                return;
            }
        }
        long period = limits.headerTimeout().toMillis();
        HeaderWatch watch = new HeaderWatch(connection);
        headerTimers.put(connection, timers.scheduleAtFixedRate(watch::check, period, period, TimeUnit.MILLISECONDS));
    }

    /**
     * Looks at a connection once per header timeout: one that has had no whole request yet, or that is between
     * requests and has received bytes since the last look without completing a request's headers, is trickling them.
     * A connection sending nothing is left to Jetty's idle timeout; one busy with a request (its body, its reply) too.
     */
    private static final class HeaderWatch {
        private final Connection connection;
        private long requests;
        private long bytes;

        HeaderWatch(Connection connection) {
            this.connection = connection;
        }

        void check() {
            long requestsNow = connection.getMessagesIn();
            long bytesNow = connection.getBytesIn();
            boolean betweenRequests = connection.getMessagesOut() >= requestsNow;
            if (requestsNow == 0 || (requestsNow == requests && betweenRequests && bytesNow > bytes)) {
                connection.getEndPoint().close();
            }
            requests = requestsNow;
            bytes = bytesNow;
        }
    }

    /** Before every handler: a request on a connection beyond its address's cap gets 503. */
    public void check(Context ctx) {
        ServletContextRequest request = ServletContextRequest.getServletContextRequest(ctx.req());
        if (request != null && refused.contains(request.getConnectionMetaData().getConnection())) {
            JsonReply.send(ctx, 503, GoJson.object().put("error", "too many connections from this address"));
            ctx.header("Connection", "close");
            ctx.skipRemainingHandlers();
        }
    }

    @Override
    public void onClosed(Connection connection) {
        refused.remove(connection);
        ScheduledFuture<?> timer = headerTimers.remove(connection);
        if (timer != null) {
            timer.cancel(false);
        }
        if (connection.getEndPoint().getRemoteSocketAddress() instanceof InetSocketAddress a && !a.getAddress().isLoopbackAddress()
                && limits.perAddress() > 0) {
            perAddress.computeIfPresent(a.getAddress(), (k, count) -> count.decrementAndGet() <= 0 ? null : count);
        }
    }

    public void close() {
        timers.shutdownNow();
    }
}
