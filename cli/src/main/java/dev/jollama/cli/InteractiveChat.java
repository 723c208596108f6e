package dev.jollama.cli;

import dev.jollama.cli.modelfile.ModelfileException;
import dev.jollama.cli.modelfile.ModelfileParser;
import dev.jollama.client.ChatRequest;
import dev.jollama.client.ChatResponse;
import dev.jollama.client.CreateRequest;
import dev.jollama.client.Format;
import dev.jollama.client.GenerateRequest;
import dev.jollama.client.JollamaClient;
import dev.jollama.client.JollamaException;
import dev.jollama.client.Message;
import dev.jollama.client.ShowResponse;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The chat {@code run MODEL} starts at a terminal: each line a user message sent with the whole conversation so far
 * to /api/chat, the answer streamed back, until {@code /bye} or end of input. A message between {@code """} lines
 * may span lines; {@code /set}, {@code /show}, {@code /clear}, {@code /load} and {@code /save} work as in ollama.
 */
final class InteractiveChat {
    private static final String TRIPLE_QUOTE = "\"\"\"";

    /** What the lines being read belong to while a {@code """} block is open. */
    private enum Block { NONE, PROMPT, SYSTEM }

    private final JollamaClient client;
    private final RunSettings settings;
    private final BufferedReader in;
    private final PrintStream out;
    private final PrintStream err;
    /** The session's messages, sent with every request; the model's own MESSAGEs are added by the server. */
    private final List<Message> messages = new ArrayList<>();
    private ShowResponse model;
    private String system;

    /** @param model what /api/show said of the model, for its messages and for /show */
    InteractiveChat(JollamaClient client, RunSettings settings, ShowResponse model, BufferedReader in,
            PrintStream out, PrintStream err) {
        this.client = client;
        this.settings = settings;
        this.model = model;
        this.in = in;
        this.out = out;
        this.err = err;
    }

    /** Chats until /bye or the end of input; a server that cannot be reached ends it with an exception. */
    void run() throws IOException {
        load();
        showModelMessages();
        StringBuilder text = new StringBuilder();
        Block block = Block.NONE;
        while (true) {
            out.print(block == Block.NONE ? ">>> " : "... ");
            out.flush();
            String line = in.readLine();
            if (line == null) {
                out.println();
                return;
            }
            if (block != Block.NONE) {
                boolean closed = line.endsWith(TRIPLE_QUOTE);
                text.append(closed ? line.substring(0, line.length() - 3) : line);
                if (!closed) {
                    text.append('\n');
                    continue;
                }
                if (block == Block.SYSTEM) {
                    setSystem(text.toString());
                    text.setLength(0);
                }
                block = Block.NONE;
            } else if (line.startsWith(TRIPLE_QUOTE)) {
                String rest = line.substring(3);
                boolean closed = rest.endsWith(TRIPLE_QUOTE);
                text.append(closed ? rest.substring(0, rest.length() - 3) : rest);
                if (!closed) {
                    text.append('\n');
                    block = Block.PROMPT;
                    continue;
                }
            } else if (line.startsWith("/set system")) {
                String value = line.substring("/set system".length()).strip();
                if (value.startsWith(TRIPLE_QUOTE) && !(value.length() >= 6 && value.endsWith(TRIPLE_QUOTE))) {
                    text.append(value.substring(3)).append('\n');
                    block = Block.SYSTEM;
                } else if (value.isEmpty()) {
                    setUsage();
                } else {
                    setSystem(value.startsWith(TRIPLE_QUOTE) ? value.substring(3, value.length() - 3) : value);
                }
                continue;
            } else if (line.startsWith("/")) {
                if (!command(line.strip().split("\\s+"))) {
                    return;
                }
                continue;
            } else {
                text.append(line);
            }
            if (!text.isEmpty() && block == Block.NONE) {
                send(text.toString());
                text.setLength(0);
            }
        }
    }

    /** Loads the model before the first prompt, as ollama does, so that a model that cannot run fails now. */
    private void load() {
        GenerateRequest.Builder request = GenerateRequest.builder(settings.model);
        if (settings.keepAlive != null) {
            request.keepAlive(settings.keepAlive);
        }
        if (settings.think != null) {
            request.think(settings.think);
        }
        client.generate(request.build());
    }

    private void showModelMessages() {
        for (Message m : model.messages() == null ? List.<Message>of() : model.messages()) {
            if (m.role().equals("user")) {
                out.println(">>> " + m.content());
            } else if (m.role().equals("assistant")) {
                out.print(m.content() + "\n\n");
            }
        }
    }

    private void send(String text) {
        if (RunCommand.vision(model)) {
            ImagePaths input = ImagePaths.extract(text, err);
            messages.add(Message.user(input.prompt(), input.images().toArray(byte[][]::new)));
        } else {
            messages.add(Message.user(text));
        }
        ChatRequest.Builder request = ChatRequest.builder(settings.model).messages(messages)
                .options(settings.requestOptions());
        if (settings.format != null) {
            request.format(settings.format);
        }
        if (settings.think != null) {
            request.think(settings.think);
        }
        if (settings.keepAlive != null) {
            request.keepAlive(settings.keepAlive);
        }
        AnswerPrinter printer = new AnswerPrinter(out, settings.hideThinking);
        ChatResponse answer;
        try {
            answer = client.chat(request.build(), chunk -> {
                if (chunk.message() != null) {
                    printer.chunk(chunk.message().thinking(), chunk.message().content());
                }
            });
        } catch (JollamaException e) {
            if (e.statusCode() == JollamaException.NO_RESPONSE) {
                throw e;
            }
            // The server refused this message (a think level the model lacks, say): the chat goes on without it.
            messages.removeLast();
            err.println("Error: " + e.getMessage());
            return;
        }
        out.print("\n\n");
        if (settings.verbose) {
            err.print(TimingSummary.of(answer));
        }
        Message reply = answer.message();
        messages.add(new Message("assistant", reply == null ? "" : reply.content(), reply == null ? null
                : reply.thinking(), null, null, null));
    }

    private void setSystem(String text) {
        system = text;
        Message message = Message.system(text);
        if (!messages.isEmpty() && messages.getLast().role().equals("system")) {
            messages.set(messages.size() - 1, message);
        } else {
            messages.add(message);
        }
        out.println("Set system message.");
    }

    /** Runs a slash command; false when it ends the chat. */
    private boolean command(String[] words) {
        switch (words[0]) {
            case "/bye", "/exit" -> {
                return false;
            }
            case "/clear" -> {
                messages.clear();
                if (system != null) {
                    messages.add(Message.system(system));
                }
                out.println("Cleared session context");
            }
            case "/set" -> set(words);
            case "/show" -> show(words);
            case "/load" -> loadModel(words);
            case "/save" -> save(words);
            case "/?", "/help" -> help(words);
            default -> out.println("Unknown command '" + words[0] + "'. Type /? for help");
        }
        return true;
    }

    private void set(String[] words) {
        if (words.length < 2) {
            setUsage();
            return;
        }
        switch (words[1]) {
            case "parameter" -> {
                if (words.length < 4) {
                    err.println("Usage:\n  /set parameter NAME VALUE...   for example /set parameter temperature 0.5");
                    return;
                }
                List<String> values = Arrays.asList(words).subList(3, words.length);
                try {
                    settings.options.put(words[2], ModelfileParser.parameterValue(words[2], values));
                    out.println("Set parameter '" + words[2] + "' to '" + String.join(", ", values) + "'");
                } catch (ModelfileException e) {
                    out.println("Couldn't set parameter: \"" + e.getMessage() + "\"");
                }
            }
            case "verbose" -> {
                settings.verbose = true;
                out.println("Set 'verbose' mode.");
            }
            case "quiet" -> {
                settings.verbose = false;
                out.println("Set 'quiet' mode.");
            }
            case "format" -> {
                if (words.length < 3 || !words[2].equals("json")) {
                    out.println("Invalid or missing format. For 'json' mode use '/set format json'");
                } else {
                    settings.format = Format.JSON;
                    out.println("Set format to 'json' mode.");
                }
            }
            case "noformat" -> {
                settings.format = null;
                out.println("Disabled format.");
            }
            case "think" -> {
                String level = words.length > 2 ? words[2] : "true";
                try {
                    settings.think = RunSettings.think(level);
                    out.println(words.length > 2 ? "Set 'think' mode to '" + level + "'." : "Set 'think' mode.");
                } catch (IllegalArgumentException e) {
                    out.println("error: " + e.getMessage());
                }
            }
            case "nothink" -> {
                settings.think = RunSettings.think("false");
                out.println("Set 'nothink' mode.");
            }
            default -> out.println("Unknown command '/set " + words[1] + "'. Type /? for help");
        }
    }

    private void show(String[] words) {
        if (words.length < 2) {
            err.println("""
                    Available Commands:
                      /show info         Show details for this model
                      /show license      Show model license
                      /show modelfile    Show Modelfile for this model
                      /show parameters   Show parameters for this model
                      /show system       Show system message
                      /show template     Show prompt template
                    """);
            return;
        }
        switch (words[1]) {
            case "info" -> err.print(ModelSummary.of(model, false));
            case "license" -> out.println(isEmpty(model.license()) ? "No license was specified for this model."
                    : model.license());
            case "modelfile" -> out.println(model.modelfile());
            case "parameters" -> {
                out.println("Model defined parameters:");
                if (isEmpty(model.parameters())) {
                    out.println("  No additional parameters were specified for this model.");
                } else {
                    model.parameters().lines().forEach(l -> out.println("  " + l));
                }
                out.println();
                if (!settings.options.isEmpty()) {
                    out.println("User defined parameters:");
                    settings.options.forEach((k, v) -> out.printf("  %-30s %s%n", k, v));
                    out.println();
                }
            }
            case "system" -> {
                if (system != null) {
                    out.println(system + "\n");
                } else if (!isEmpty(model.system())) {
                    out.println(model.system() + "\n");
                } else {
                    out.println("No system message was specified for this model.");
                }
            }
            case "template" -> out.println(isEmpty(model.template()) ? "No prompt template was specified for this model."
                    : model.template());
            default -> out.println("Unknown command '/show " + words[1] + "'. Type /? for help");
        }
    }

    /** /load MODEL: chat with another model from here on, with a fresh conversation. */
    private void loadModel(String[] words) {
        if (words.length != 2) {
            out.println("Usage:\n  /load <modelname>");
            return;
        }
        out.println("Loading model '" + words[1] + "'");
        String previous = settings.model;
        try {
            model = client.show(words[1]);
            settings.model = words[1];
            messages.clear();
            load();
        } catch (JollamaException e) {
            if (e.statusCode() != 404) {
                throw e;
            }
            settings.model = previous;
            out.println("Couldn't find model '" + words[1] + "'");
        }
    }

    /** /save NAME: a new model that starts where this conversation is, with its system message and parameters. */
    private void save(String[] words) {
        if (words.length != 2) {
            out.println("Usage:\n  /save <modelname>");
            return;
        }
        String parent = model.details() == null ? null : model.details().parentModel();
        CreateRequest.Builder request = CreateRequest.builder(words[1])
                .from(isEmpty(parent) ? settings.model : parent)
                .parameters(settings.options);
        if (system != null) {
            request.system(system);
        }
        if (model.messages() != null) {
            request.messages(model.messages());
        }
        request.messages(messages);
        try {
            client.create(request.build(), progress -> { });
            out.println("Created new model '" + words[1] + "'");
        } catch (JollamaException e) {
            if (e.statusCode() == JollamaException.NO_RESPONSE) {
                throw e;
            }
            out.println("error: " + e.getMessage());
        }
    }

    private void help(String[] words) {
        if (words.length > 1 && (words[1].equals("set") || words[1].equals("/set"))) {
            setUsage();
        } else if (words.length > 1 && (words[1].equals("show") || words[1].equals("/show"))) {
            show(new String[] {"/show"});
        } else {
            err.println("""
                    Available Commands:
                      /set            Set session variables
                      /show           Show model information
                      /load <model>   Load a session or model
                      /save <model>   Save your current session
                      /clear          Clear session context
                      /bye            Exit
                      /?, /help       Help for a command

                    Use \"\"\" to begin a multi-line message.
                    """);
        }
    }

    private void setUsage() {
        err.println("""
                Available Commands:
                  /set parameter ...     Set a parameter
                  /set system <string>   Set system message
                  /set format json       Enable JSON mode
                  /set noformat          Disable formatting
                  /set verbose           Show LLM stats
                  /set quiet             Disable LLM stats
                  /set think             Enable thinking
                  /set nothink           Disable thinking
                """);
    }

    private static boolean isEmpty(String s) {
        return s == null || s.isEmpty();
    }
}
