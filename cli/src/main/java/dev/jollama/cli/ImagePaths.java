package dev.jollama.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The images a prompt names, as ollama run finds them for a vision model: paths starting with /, ./ or \ (a drive
 * letter allowed) ending in .jpg, .jpeg, .png or .webp, spaces escaped or not; each that exists is attached and
 * taken out of the prompt ("Added image '...'" on stderr); the others stay text.
 */
record ImagePaths(String prompt, List<byte[]> images) {
    private static final Pattern PATH = Pattern.compile("(?:[a-zA-Z]:)?(?:\\./|/|\\\\)[\\S\\\\ ]+?\\.(?i:jpg|jpeg|png|webp)\\b");

    static ImagePaths extract(String prompt, PrintStream err) {
        List<byte[]> images = new ArrayList<>();
        Matcher m = PATH.matcher(prompt);
        List<String> found = new ArrayList<>();
        while (m.find()) {
            found.add(m.group());
        }
        for (String path : found) {
            String normalized = path.replace("\\ ", " ").replace("%20", " ");
            try {
                images.add(Files.readAllBytes(Path.of(normalized)));
            } catch (NoSuchFileException e) {
                continue; // not a file after all: it stays in the prompt
            } catch (IOException e) {
                throw new UncheckedIOException("couldn't read image " + normalized + ": " + e.getMessage(), e);
            }
            err.println("Added image '" + normalized + "'");
            prompt = prompt.replace("'" + normalized + "'", "").replace("'" + path + "'", "").replace(path, "");
        }
        return new ImagePaths(prompt.strip(), images);
    }
}
