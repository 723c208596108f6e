package dev.jollama.server.registry;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A registry's {@code WWW-Authenticate: Bearer realm="...",service="...",scope="..."} answer to a 401: where to get
 * a token, and for what.
 */
public record BearerChallenge(URI realm, String service, String scope) {

    /** Parses the header value; quoted values may hold commas (scopes like "repository:a/b:pull,push"). */
    public static BearerChallenge parse(String header) {
        String text = header == null ? "" : header.strip();
        if (!text.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new IllegalArgumentException("not a Bearer challenge: \"" + text + "\"");
        }
        Map<String, String> params = new HashMap<>();
        int i = 7;
        while (i < text.length()) {
            while (i < text.length() && (text.charAt(i) == ',' || text.charAt(i) == ' ')) {
                i++;
            }
            int eq = text.indexOf('=', i);
            if (eq < 0) {
                break;
            }
            String key = text.substring(i, eq).strip().toLowerCase(Locale.ROOT);
            StringBuilder value = new StringBuilder();
            i = eq + 1;
            if (i < text.length() && text.charAt(i) == '"') {
                for (i++; i < text.length() && text.charAt(i) != '"'; i++) {
                    if (text.charAt(i) == '\\' && i + 1 < text.length()) {
                        i++;
                    }
                    value.append(text.charAt(i));
                }
                i++; // the closing quote
            } else {
                for (; i < text.length() && text.charAt(i) != ','; i++) {
                    value.append(text.charAt(i));
                }
            }
            params.put(key, value.toString().strip());
        }
        String realm = params.get("realm");
        if (realm == null || realm.isEmpty()) {
            throw new IllegalArgumentException("Bearer challenge without a realm: \"" + text + "\"");
        }
        try {
            URI uri = new URI(realm);
            if (uri.getHost() == null || !(uri.getScheme().equals("https") || uri.getScheme().equals("http"))) {
                throw new IllegalArgumentException("Bearer challenge realm is not an http(s) URL: \"" + realm + "\"");
            }
            return new BearerChallenge(uri, params.get("service"), params.get("scope"));
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("Bearer challenge realm is not a URL: \"" + realm + "\"", e);
        }
    }

    /**
     * The token request: the realm with service and scope as query parameters. Ollama also sends ts and nonce and an
     * ed25519 signature of the request; Jollama has no key, so its requests are anonymous, which public models allow.
     */
    public URI tokenUri() {
        StringBuilder query = new StringBuilder();
        if (service != null) {
            query.append("service=").append(URLEncoder.encode(service, StandardCharsets.UTF_8));
        }
        if (scope != null) {
            query.append(query.isEmpty() ? "" : "&").append("scope=").append(URLEncoder.encode(scope, StandardCharsets.UTF_8));
        }
        if (query.isEmpty()) {
            return realm;
        }
        String base = realm.toString();
        return URI.create(base + (realm.getRawQuery() == null ? "?" : "&") + query);
    }
}
