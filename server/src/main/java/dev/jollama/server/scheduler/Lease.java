package dev.jollama.server.scheduler;

import dev.jollama.engine.model.ImageEncoder;
import dev.jollama.engine.model.Model;
import dev.jollama.engine.model.Sequence;

/**
 * One request's hold on a loaded model, one of its slots and a sequence in its KV cache; closing it gives the slot
 * back and leaves the sequence's blocks in the cache for later requests with the same prefix.
 */
public final class Lease implements AutoCloseable {
    private final Scheduler scheduler;
    private final LoadedModel loaded;
    private final Sequence sequence;
    private boolean closed;

    Lease(Scheduler scheduler, LoadedModel loaded, Sequence sequence) {
        this.scheduler = scheduler;
        this.loaded = loaded;
        this.sequence = sequence;
    }

    public Model model() {
        return loaded.model;
    }

    /** The model's image projector, or null when it reads no images. */
    public ImageEncoder images() {
        return loaded.images;
    }

    public Sequence sequence() {
        return sequence;
    }

    public int contextLength() {
        return loaded.contextLength;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            sequence.close();
            loaded.slots.release();
            scheduler.release(loaded);
        }
    }
}
