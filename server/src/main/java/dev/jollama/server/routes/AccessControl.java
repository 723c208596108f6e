package dev.jollama.server.routes;

import io.javalin.http.Context;
import io.javalin.http.HttpStatus;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Ollama's two browser protections. CORS: an Origin must match OLLAMA_ORIGINS or the built-in local origins
 * (wildcards allowed), else 403. Host check: a server bound to loopback answers only requests whose Host is a
 * loopback, private or local name, so a web page cannot reach it through DNS rebinding (403, empty body).
 */
public final class AccessControl {
    private static final String ALLOWED_HEADERS = "Authorization, Content-Type, User-Agent, Accept, X-Requested-With, "
            + "X-Stainless-Lang, X-Stainless-Package-Version, X-Stainless-Os, X-Stainless-Arch, X-Stainless-Retry-Count, "
            + "X-Stainless-Runtime, X-Stainless-Runtime-Version, X-Stainless-Async, X-Stainless-Helper-Method, "
            + "X-Stainless-Poll-Helper, X-Stainless-Custom-Poll-Interval, X-Stainless-Timeout";
    private static final String ALLOWED_METHODS = "GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS";

    private final List<Pattern> origins;
    private final boolean loopbackOnly;

    public AccessControl(List<String> origins, boolean boundToLoopback) {
        this.origins = origins.stream().map(AccessControl::wildcard).toList();
        this.loopbackOnly = boundToLoopback;
    }

    private static Pattern wildcard(String origin) {
        return Pattern.compile(Pattern.quote(origin.toLowerCase(Locale.ROOT)).replace("*", "\\E.*\\Q"));
    }

    /** Runs before every handler; a refused request ends here. */
    public void check(Context ctx) {
        if (loopbackOnly && !allowedHost(ctx.header("Host"))) {
            ctx.status(HttpStatus.FORBIDDEN);
            ctx.skipRemainingHandlers();
            return;
        }
        String origin = ctx.header("Origin");
        if (origin == null || origin.isEmpty()) {
            return;
        }
        if (origins.stream().noneMatch(p -> p.matcher(origin.toLowerCase(Locale.ROOT)).matches())) {
            ctx.status(HttpStatus.FORBIDDEN);
            ctx.skipRemainingHandlers();
            return;
        }
        ctx.header("Access-Control-Allow-Origin", origin);
        ctx.header("Vary", "Origin");
        if (ctx.method().name().equals("OPTIONS")) {
            ctx.header("Access-Control-Allow-Methods", ALLOWED_METHODS);
            ctx.header("Access-Control-Allow-Headers", ALLOWED_HEADERS);
            ctx.header("Access-Control-Max-Age", "43200");
            ctx.status(HttpStatus.NO_CONTENT);
            ctx.skipRemainingHandlers();
        }
    }

    static boolean allowedHost(String hostHeader) {
        if (hostHeader == null || hostHeader.isEmpty()) {
            return true;
        }
        String host = hostHeader.toLowerCase(Locale.ROOT);
        if (host.startsWith("[")) {
            host = host.substring(1, Math.max(1, host.indexOf(']')));
        } else if (host.indexOf(':') == host.lastIndexOf(':') && host.contains(":")) {
            host = host.substring(0, host.indexOf(':'));
        }
        if (host.equals("localhost") || host.endsWith(".localhost") || host.endsWith(".local") || host.endsWith(".internal")) {
            return true;
        }
        if (host.matches("[0-9.]+|[0-9a-f:]+")) {
            try {
                InetAddress address = InetAddress.getByName(host); // a literal: no lookup happens
                return address.isLoopbackAddress() || address.isSiteLocalAddress() || address.isAnyLocalAddress()
                        || address.isLinkLocalAddress() || isUniqueLocal(address);
            } catch (UnknownHostException e) {
                return false;
            }
        }
        try {
            return host.equals(InetAddress.getLocalHost().getHostName().toLowerCase(Locale.ROOT));
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** IPv6 fc00::/7, which Go counts as private. */
    private static boolean isUniqueLocal(InetAddress address) {
        byte[] b = address.getAddress();
        return b.length == 16 && (b[0] & 0xFE) == 0xFC;
    }
}
