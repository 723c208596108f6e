package dev.jollama.server.routes;

import io.javalin.http.Context;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.SocketChannelEndPoint;
import org.eclipse.jetty.util.BufferUtil;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Tells whether the client of a request whose body has been read has closed its connection, as Go's server does
 * with a background read: Jetty reads nothing while a handler runs, so a client that leaves while its request waits
 * for a slot or generates a non-streaming answer would go unnoticed until the reply is written.
 * Only plain HTTP/1 connections are probed; others report the client present.
 */
public final class ClientConnection {
    private final Context ctx;
    private final EndPoint endPoint;
    private final Drain drain;
    private final ByteBuffer probe = BufferUtil.allocate(1);
    private volatile boolean gone;
    private volatile boolean stopProbing;

    private ClientConnection(Context ctx, EndPoint endPoint) {
        this.ctx = ctx;
        this.endPoint = endPoint;
        this.drain = ctx.attribute(Drain.class.getName());
        this.stopProbing = endPoint == null;
    }

    /** Call after the request body has been read: the probe reads from the socket. */
    public static ClientConnection of(Context ctx) {
        ServletContextRequest request = ServletContextRequest.getServletContextRequest(ctx.req());
        EndPoint endPoint = request == null ? null : request.getConnectionMetaData().getConnection().getEndPoint();
        return new ClientConnection(ctx, endPoint instanceof SocketChannelEndPoint ? endPoint : null);
    }

    /** Whether the request must stop: its client left, or the server is shutting down and its grace has run out. */
    public boolean gone() {
        return serverStopping() || clientGone();
    }

    /** The server's shutdown grace has run out: the reply ends with an error instead of its last chunk. */
    boolean serverStopping() {
        return drain != null && drain.forced();
    }

    /** Whether the client has closed (or half-closed) its side; a cheap non-blocking read. */
    private boolean clientGone() {
        if (gone || stopProbing) {
            return gone;
        }
        synchronized (probe) {
            try {
                BufferUtil.clear(probe);
                int read = endPoint.fill(probe);
                if (read < 0) {
                    gone = true;
                } else if (read > 0) {
                    // A pipelined request: its first byte is taken, so this connection ends after the reply.
                    stopProbing = true;
                    if (!ctx.res().isCommitted()) {
                        ctx.header("Connection", "close");
                    }
                }
            } catch (IOException e) {
                gone = true;
            }
        }
        return gone;
    }
}
