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
