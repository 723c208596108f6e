package dev.jollama.server.routes;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jollama.server.api.ApiException;
import dev.jollama.server.api.GoJson;
import dev.jollama.server.api.RequestBody;
import dev.jollama.server.registry.InsecureProtocolException;
import dev.jollama.server.registry.ModelPuller;
import dev.jollama.server.registry.PullProgress;
import dev.jollama.server.registry.RegistryException;
import dev.jollama.server.store.ModelName;
import io.javalin.http.Context;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.concurrent.CancellationException;

/**
 * POST /api/pull: {@code {"model" (or "name"), "insecure"?, "stream"?}}. Progress is NDJSON as Ollama's ("pulling
 * manifest", "pulling <digest12>" with digest/total/completed, "verifying sha256 digest", "writing manifest",
 * "removing unused layers"?, "success"); with stream false only the last object. Errors found before the first line
 * get an HTTP status; later ones end the stream with {@code {"error": ...}}.
 */
public final class PullRoute {
    private static final System.Logger LOG = System.getLogger(PullRoute.class.getName());

    private final ModelPuller puller;

    public PullRoute(ModelPuller puller) {
        this.puller = puller;
    }

    public void handle(Context ctx) {
        RequestBody body = RequestBody.parse("PullRequest", ctx.bodyAsBytes());
        String raw = body.string("model").isEmpty() ? body.string("name") : body.string("model");
        ModelName name = ModelName.parse(raw);
        if (raw.isBlank() || name == null) {
            throw ApiException.badRequest("invalid model name");
        }
        boolean insecure = body.bool("insecure").orElse(false);
        boolean stream = body.bool("stream").orElse(true);
        ProgressReply reply = new ProgressReply(ctx, stream);
        try {
            puller.pull(name, insecure, reply);
        } catch (CancellationException e) {
            return; // the client left; downloads under way finish for a retry
        } catch (InsecureProtocolException e) {
            reply.fail(400, e.getMessage());
            return;
        } catch (RegistryException e) {
            reply.fail(e.registryStatus() == 404 ? 404 : 500, e.getMessage());
            return;
        } catch (IOException e) {
            LOG.log(Level.WARNING, "pull of " + raw + " failed: " + e.getMessage());
            reply.fail(500, e.getMessage());
            return;
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "pull of " + raw + " failed", e);
            reply.fail(500, String.valueOf(e.getMessage()));
            return;
        }
        reply.finish();
    }

    /**
     * Writes progress as NDJSON, starting the 200 stream only with the first line (so earlier errors keep their
     * status), or keeps the last object for a stream:false reply.
     */
    private static final class ProgressReply implements PullProgress {
        private final Context ctx;
        private final boolean stream;
        private ChunkStream out;
        private ObjectNode last;

        ProgressReply(Context ctx, boolean stream) {
            this.ctx = ctx;
            this.stream = stream;
        }

        @Override
        public void status(String status) {
            send(GoJson.object().put("status", status));
        }

        @Override
        public void blob(String digest, long total, long completed) {
            ObjectNode line = GoJson.object().put("status", "pulling " + digest.substring(7, 19)).put("digest", digest);
            // Ollama's ProgressResponse omits zero counts
            if (total > 0) {
                line.put("total", total);
            }
            if (completed > 0) {
                line.put("completed", completed);
            }
            send(line);
        }

        @Override
        public boolean abandoned() {
            return out != null && out.closed();
        }

        private void send(ObjectNode line) {
            if (!stream) {
                last = line;
                return;
            }
            if (out == null) {
                out = ChunkStream.ndjson(ctx);
            }
            out.write(line);
        }

        /** An ApiException (the status) before the first line, else a final error line. */
        void fail(int status, String message) {
            if (out == null) {
                throw new ApiException(status, message);
            }
            out.write(GoJson.object().put("error", message));
        }

        /** The stream:false reply: the last object. */
        void finish() {
            if (!stream) {
                JsonReply.send(ctx, 200, last);
            }
        }
    }
}
