package dev.jollama.server.routes;

import dev.jollama.server.api.ApiException;
import dev.jollama.server.store.ModelStore;
import io.javalin.http.Context;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** HEAD and POST /api/blobs/:digest: the upload half of creating a model from a local file. */
public final class BlobRoutes {
    private final ModelStore store;

    public BlobRoutes(ModelStore store) {
        this.store = store;
    }

    public void head(Context ctx) {
        String digest = digest(ctx);
        store.keepForCreate(digest); // before looking: a client that finds it present creates from it next
        if (!store.hasBlob(digest)) {
            throw ApiException.notFound("blob \"" + digest + "\" not found");
        }
        ctx.status(200);
    }

    public void upload(Context ctx) throws IOException {
        String digest = digest(ctx);
        store.keepForCreate(digest); // before writing, so that no removal of unused blobs comes in between
        if (store.hasBlob(digest)) {
            // Read to its end all the same: answered before its end, the connection closed under a client still
            // sending, which then got no answer at all (a test uploading a large blob a second time saw it).
            try (InputStream body = ctx.req().getInputStream()) {
                body.transferTo(OutputStream.nullOutputStream());
            }
            ctx.status(200);
            return;
        }
        try (InputStream body = ctx.req().getInputStream()) {
            store.writeBlob("", body, digest);
        } catch (ModelStore.BlobDigestMismatchException e) {
            throw ApiException.badRequest(e.getMessage());
        }
        ctx.status(201);
    }

    private static String digest(Context ctx) {
        String digest = ctx.pathParam("digest");
        if (!digest.matches("sha256[:-][0-9a-fA-F]{64}")) {
            throw ApiException.badRequest("invalid digest format");
        }
        return digest.replaceFirst("^sha256-", "sha256:");
    }
}
