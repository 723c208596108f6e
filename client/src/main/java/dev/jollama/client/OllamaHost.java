package dev.jollama.client;

import java.net.URI;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The server address as the {@code OLLAMA_HOST} variable gives it, parsed the way the ollama command does
 * ({@code envconfig.Host} and {@code ConnectableHost}): {@code [scheme://]host[:port][/path]}.
 *
 * <p>Without a scheme the scheme is http and a missing port is 11434; with {@code http://} or {@code https://} a
 * missing port is 80 or 443. An empty value means {@code http://127.0.0.1:11434}. A port that is not a number in
 * 0..65535 falls back to the default port, as in Ollama. The bind-all addresses {@code 0.0.0.0} and {@code ::} (and
 * an empty host as in {@code :8080}) become loopback, because a server bound there is reached through loopback.
 */
public final class OllamaHost {
    public static final String VARIABLE = "OLLAMA_HOST";

    // host:port with the host optional, or [ipv6]:port; anything else is a bare host (Go's net.SplitHostPort).
    private static final Pattern HOST_PORT = Pattern.compile("(\\[[^\\]]*]|[^:\\[\\]]*):([^:]*)");

    private OllamaHost() {
    }

    /** The base URL from the {@code OLLAMA_HOST} environment variable, or the default when it is unset. */
    public static URI fromEnvironment() {
        return parse(System.getenv(VARIABLE));
    }

    /** The base URL for an {@code OLLAMA_HOST} value; null or blank gives {@code http://127.0.0.1:11434}. */
    public static URI parse(String value) {
        String s = value == null ? "" : trimQuotesAndSpaces(value);
        String scheme = "http";
        String hostPort = s;
        String defaultPort = "11434";
        int schemeEnd = s.indexOf("://");
        if (schemeEnd >= 0) {
            scheme = s.substring(0, schemeEnd);
            hostPort = s.substring(schemeEnd + 3);
            if (scheme.equals("http")) {
                defaultPort = "80";
            } else if (scheme.equals("https")) {
                defaultPort = "443";
            }
        } else if (s.equals("ollama.com")) {
            scheme = "https";
            hostPort = "ollama.com:443";
        }
        String path = "";
        int slash = hostPort.indexOf('/');
        if (slash >= 0) {
            path = hostPort.substring(slash + 1);
            hostPort = hostPort.substring(0, slash);
        }

        String host;
        String port;
        Matcher m = HOST_PORT.matcher(hostPort);
        if (m.matches()) {
            host = stripBrackets(m.group(1));
            port = m.group(2);
        } else {
            host = hostPort.isEmpty() ? "127.0.0.1" : stripBrackets(hostPort);
            port = defaultPort;
        }
        if (!isPort(port)) {
            port = defaultPort;
        }
        host = connectable(host);
        String hostPart = host.contains(":") ? "[" + host + "]" : host;
        return URI.create(scheme + "://" + hostPart + ":" + port + (path.isEmpty() ? "" : "/" + path));
    }

    private static String trimQuotesAndSpaces(String s) {
        return s.strip().replaceAll("^[\"']+|[\"']+$", "").strip();
    }

    private static String stripBrackets(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    private static boolean isPort(String port) {
        if (port.isEmpty() || port.length() > 10 || !port.chars().allMatch(Character::isDigit)) {
            return false;
        }
        return Long.parseLong(port) <= 65535;
    }

    private static String connectable(String host) {
        return switch (host) {
            case "", "0.0.0.0" -> "127.0.0.1";
            case "::", "0:0:0:0:0:0:0:0" -> "::1";
            default -> host;
        };
    }
}
