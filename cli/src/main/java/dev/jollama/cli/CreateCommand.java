package dev.jollama.cli;

import dev.jollama.cli.modelfile.Modelfile;
import dev.jollama.cli.modelfile.ModelfileParser;
import dev.jollama.client.BlobDigest;
import dev.jollama.client.CreateRequest;
import dev.jollama.client.JollamaClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code jollama create NAME -f Modelfile}: parses the Modelfile here, uploads the GGUF file FROM names when the
 * server does not have it yet (and a vision model's projector, named by a second FROM), and asks the server to make
 * the model (quantized with {@code -q TYPE}), showing its statuses on stderr.
 */
@Command(name = "create", description = "Create a model from a Modelfile.")
final class CreateCommand implements Callable<Integer> {
    @ParentCommand
    JollamaCommand root;

    @Parameters(paramLabel = "MODEL")
    String model;

    @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "Name of the Modelfile (default: Modelfile).")
    Path file = Path.of("Modelfile");

    @Option(names = {"-q", "--quantize"}, paramLabel = "TYPE", description = "Quantize an F32, F16 or BF16 model to this type (e.g. q4_K_M, q8_0).")
    String quantize;

    @Override
    public Integer call() {
        CommandEnvironment environment = root.environment();
        PrintStream status = environment.stderr();
        Modelfile modelfile = ModelfileParser.parse(read(file));
        modelfile.warnings().forEach(w -> status.println("warning: " + w));

        CreateRequest.Builder request = CreateRequest.builder(model);
        try (JollamaClient client = environment.client()) {
            Optional<Path> weights = modelfile.fromFile(file.toAbsolutePath().getParent());
            if (weights.isPresent()) {
                request.file(uploadedName(weights.get()), upload(client, weights.get(), status));
            } else {
                request.from(modelfile.from());
            }
            if (modelfile.projector() != null) {
                // The server tells the projector from the model by its metadata, as Ollama's does.
                Path projector = modelfile.projectorFile(file.toAbsolutePath().getParent()).filter(p -> weights.isPresent())
                        .orElseThrow(() -> new IllegalArgumentException("a second FROM must name a projector GGUF file beside a first FROM file, not "
                                + modelfile.projector()));
                request.file("projector-" + uploadedName(projector), upload(client, projector, status));
            }
            if (modelfile.template() != null) {
                request.template(modelfile.template());
            }
            if (modelfile.system() != null) {
                request.system(modelfile.system());
            }
            modelfile.licenses().forEach(request::license);
            String[] last = {null};
            client.create(request.parameters(modelfile.parameters()).messages(modelfile.messages()).quantize(quantize).build(),
                    progress -> {
                        // quantizing repeats its status after every tensor; one line says it
                        if (!progress.status().equals(last[0])) {
                            status.println(progress.status());
                        }
                        last[0] = progress.status();
                    });
        }
        return 0;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new UncheckedIOException("specified Modelfile wasn't found: " + file, e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** The blob's digest, after uploading it unless the server has it from an earlier create. */
    private static String upload(JollamaClient client, Path weights, PrintStream status) {
        if (Files.isDirectory(weights)) {
            throw new IllegalArgumentException("FROM " + weights + " is a folder; jollama creates models from GGUF "
                    + "files (safetensors folders are not supported)");
        }
        status.println("gathering model components");
        String digest = BlobDigest.of(weights);
        if (!client.blobExists(digest)) {
            status.println("copying file " + digest);
            client.uploadBlob(weights, digest);
        }
        return digest;
    }

    /** The server takes the file whose name ends in .gguf as the weights; a GGUF saved as .bin still is one. */
    private static String uploadedName(Path weights) {
        String name = weights.getFileName().toString();
        return name.endsWith(".gguf") ? name : name + ".gguf";
    }
}
