package dev.jollama.cli;

import dev.jollama.client.JollamaClient;
import dev.jollama.client.OllamaHost;

import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the commands run against: the standard streams, whether a person is at each end, and the server's address.
 * Tests give their own, so commands run in-process against a test server without a terminal.
 *
 * @param stdinIsTerminal  typing, not a pipe: {@code run} without a prompt then chats
 * @param stdoutIsTerminal a screen, not a pipe or file: {@code pull} then draws progress bars
 */
record CommandEnvironment(InputStream stdin, PrintStream stdout, PrintStream stderr, boolean stdinIsTerminal,
                          boolean stdoutIsTerminal, URI serverUrl) {

    /** The process's own streams and OLLAMA_HOST. */
    static CommandEnvironment system() {
        return new CommandEnvironment(System.in, new PrintStream(System.out, true, StandardCharsets.UTF_8),
                new PrintStream(System.err, true, StandardCharsets.UTF_8), isTerminal(0), isTerminal(1),
                OllamaHost.fromEnvironment());
    }

    /** A client for the server; no response timeout, since loading a model or a long answer takes what it takes. */
    JollamaClient client() {
        return new JollamaClient(serverUrl, null);
    }

    /**
     * Whether standard input (0) or output (1) is a terminal. Java only tells whether both are
     * ({@link Console#isTerminal}), which would read a piped prompt as typing when only stdout is redirected; on
     * Linux the descriptor's link says which it is.
     */
    private static boolean isTerminal(int descriptor) {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + descriptor)).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            Console console = System.console();
            return console != null && console.isTerminal();
        }
    }
}
