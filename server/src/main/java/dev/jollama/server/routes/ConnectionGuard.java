package dev.jollama.server.routes;

import dev.jollama.server.config.ServerConfig;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;

import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Keeps slow or greedy clients from holding connections: a connection that has not sent a whole request's headers
 * within the header timeout is closed (Jetty's idle timeout restarts with every byte, so a client trickling one byte
 * every few seconds would hold it for ever), and a non-loopback address may hold only so many connections at once.
 */
public final class ConnectionGuard implements Connection.Listener {
    private static final System.Logger LOG = System.getLogger(ConnectionGuard.class.getName());

    private final ServerConfig.ConnectionLimits limits;
    private final Map<InetAddress, AtomicInteger> perAddress = new ConcurrentHashMap<>();
    private final Map<Connection, ScheduledFuture<?>> headerTimers = new ConcurrentHashMap<>();
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
                timers.execute(endPoint::close); // once opened: closing while Jetty opens it is not seen
                return;
            }
        }
        headerTimers.put(connection, timers.schedule(() -> {
            if (connection.getMessagesIn() == 0 && endPoint.isOpen()) {
                endPoint.close(); // no whole request yet: a client trickling its headers
            }
        }, limits.headerTimeout().toMillis(), TimeUnit.MILLISECONDS));
    }

    @Override
    public void onClosed(Connection connection) {
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
