package dev.jollama.server.scheduler;

import dev.jollama.server.store.StoredModel;

/**
 * Why the scheduler could not give a request a model. Each kind has its own HTTP status and text, chosen where the
 * server maps errors to replies.
 */
public abstract sealed class SchedulerException extends RuntimeException {

    private SchedulerException(String message, Throwable cause) {
        super(message, cause);
    }

    /** More requests would be waiting for a model than OLLAMA_MAX_QUEUE allows. */
    public static final class QueueFull extends SchedulerException {
        QueueFull(int maxQueue) {
            super("more than " + maxQueue + " requests waiting (OLLAMA_MAX_QUEUE)", null);
        }
    }

    /** The client left while its request waited for a slot; nobody is there to answer. */
    public static final class ClientGone extends SchedulerException {
        ClientGone() {
            super("the client left while waiting for a slot", null);
        }
    }

    /** The model would need more memory than the machine (or the Java heap, for its KV cache) has left. */
    public static final class NotEnoughMemory extends SchedulerException {
        private final boolean heap;

        NotEnoughMemory(StoredModel model, long required, long available, boolean heap) {
            super("model requires more system memory (" + humanBytes(required) + ") than is available (" + humanBytes(available) + ")", null);
            this.heap = heap;
        }

        /** Whether the Java heap is what is short (then JOLLAMA_JAVA_OPTS can give more). */
        public boolean heap() {
            return heap;
        }

        /** Go's format.HumanBytes2, as Ollama writes sizes in this message. */
        static String humanBytes(long b) {
            if (b >= 1L << 30) {
                return String.format(java.util.Locale.ROOT, "%.1f GiB", b / (double) (1L << 30));
            }
            if (b >= 1L << 20) {
                return String.format(java.util.Locale.ROOT, "%.1f MiB", b / (double) (1L << 20));
            }
            if (b >= 1L << 10) {
                return String.format(java.util.Locale.ROOT, "%.1f KiB", b / (double) (1L << 10));
            }
            return b + " B";
        }
    }

    /** The model's file could not be loaded; the cause says what is wrong with it. */
    public static final class LoadFailed extends SchedulerException {
        LoadFailed(StoredModel model, RuntimeException cause) {
            super("cannot load " + model.name().displayName() + ": " + cause.getMessage(), cause);
        }

        /** What is wrong with the file, as the engine reports it. */
        public String problem() {
            return getCause().getMessage();
        }
    }
}
