package dev.jollama.server.registry;

import java.io.IOException;

/**
 * A registry refused or failed a request, or sent something unusable. The message says which URL and what it
 * answered; {@link #registryStatus()} is the HTTP status it answered with, 0 when the problem was not a status.
 */
public class RegistryException extends IOException {
    private final int registryStatus;

    public RegistryException(String message, int registryStatus) {
        super(message);
        this.registryStatus = registryStatus;
    }

    public RegistryException(String message, int registryStatus, Throwable cause) {
        super(message, cause);
        this.registryStatus = registryStatus;
    }

    public int registryStatus() {
        return registryStatus;
    }

    /** Worth another try later: the registry is overloaded or failing, not refusing. */
    public boolean isTransient() {
        return registryStatus >= 500 || registryStatus == 429;
    }
}
