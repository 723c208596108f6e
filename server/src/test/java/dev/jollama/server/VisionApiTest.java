package dev.jollama.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jollama.server.registry.FakeRegistry;
import dev.jollama.server.store.Manifest;
import dev.jollama.server.store.ModelImport;
import dev.jollama.server.store.ModelName;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static dev.jollama.server.TestServer.json;
import static dev.jollama.server.TestServer.lines;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Images over HTTP on the vision test pairs (../shared/models/vision): /api/generate and /api/chat reproduce the
 * golden continuations of ../shared/golden/vision; vision models as Ollama stores, creates and pulls them; bad
 * images and images for text models.
 */
class VisionApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @RegisterExtension
    static final TestServer server = TestServer.perClass();

    @BeforeAll
    static void start() throws Exception {
        Path vision = TestServer.shared().resolve("models/vision");
        create("llava", vision.resolve("syn-llava-f32.gguf"), vision.resolve("syn-llava-mmproj-f32.gguf"), "vicuna");
        create("gemma3v", vision.resolve("syn-gemma3v-f32.gguf"), vision.resolve("syn-gemma3v-mmproj-f32.gguf"), "gemma3-instruct");
        create("gemma3v-ollama", vision.resolve("syn-gemma3v-ollama-f32.gguf"), null, "gemma3-instruct");
    }

    /** A model as Ollama's library stores it: the text GGUF, the projector layer (if any) and the named template. */
    private static void create(String name, Path model, Path projector, String template) throws IOException {
        Manifest.Layer projectorLayer = projector == null ? null : server.store().writeBlob(Manifest.PROJECTOR, projector);
        // The library's template blobs end where the template does; the files here end with a newline.
        String text = Files.readString(TestServer.shared().resolve("reference/ollama-templates/" + template + ".gotmpl")).stripTrailing();
        ModelImport.create(server.store(), ModelName.parse(name), server.store().writeBlob(Manifest.MODEL, model), projectorLayer,
                new ModelImport.Parts(text, null, Map.of(), List.of(), List.of()));
    }

    /**
     * Golden cases of the first prompt (what Ollama sends for a one-image generate), PNG images: the prompt's text
     * tokens and positions, the first step's top-5 log-probabilities within 0.05, and the greedy tokens as far as
     * the golden's own greedy choice went (it bans a few tokens).
     */
    @ParameterizedTest(name = "{0} {2}")
    @CsvSource({
            "llava,          syn-llava-mmproj-f32,   0, What is in the picture?",
            "llava,          syn-llava-mmproj-f32,   2, What is in the picture?",
            "gemma3v,        syn-gemma3v-mmproj-f32, 0, Describe the picture.",
            "gemma3v,        syn-gemma3v-mmproj-f32, 1, Describe the picture.",
            "gemma3v-ollama, syn-gemma3v-mmproj-f32, 0, Describe the picture."})
    void generateAndChatReproduceTheGoldens(String model, String golden, int caseIndex, String prompt) throws Exception {
        JsonNode c = JSON.readTree(TestServer.shared().resolve("golden/vision/" + golden + ".json").toFile()).get("cases").get(caseIndex);
        String image = base64(TestServer.shared().resolve("images").resolve(c.get("image").asText()));
        ObjectNode generate = JSON.createObjectNode().put("model", model).put("prompt", prompt).put("stream", false)
                .put("logprobs", true).put("top_logprobs", 5);
        generate.putArray("images").add(image);
        generate.putObject("options").put("temperature", 0).put("num_predict", 24).put("seed", 1);
        JsonNode reply = json(server.post("/api/generate", generate.toString()).body());
        assertThat(reply.has("error")).as(reply.toString()).isFalse();
        int[] context = ints(reply.get("context"));
        List<Integer> textTokens = new ArrayList<>();
        for (JsonNode chunk : c.get("prompt_chunks")) {
            if (chunk.has("text_tokens")) {
                chunk.get("text_tokens").forEach(t -> textTokens.add(t.asInt()));
            }
        }
        textTokens.removeFirst(); // the prompt's BOS, which the context leaves out as Ollama's does
        assertThat(context.length).as("context: the prompt's text tokens, then the generated ones").isGreaterThan(textTokens.size());
        for (int i = 0; i < textTokens.size(); i++) {
            assertThat(context[i]).as("prompt text token " + i).isEqualTo(textTokens.get(i));
        }
        assertThat(reply.get("prompt_eval_count").asInt()).isEqualTo(c.get("n_prompt_positions").asInt());
        JsonNode firstTop = reply.get("logprobs").get(0).get("top_logprobs"), goldenTop = c.get("steps").get(0).get("top");
        for (int i = 0; i < 5; i++) {
            assertThat(firstTop.get(i).get("logprob").asDouble()).as("first step's log-probability " + i)
                    .isCloseTo(goldenTop.get(i).get(1).asDouble(), org.assertj.core.data.Offset.offset(0.05));
        }
        int generated = context.length - textTokens.size();
        assertThat(matchingSteps(c, context, textTokens.size(), generated)).as("generated tokens compared with the golden").isPositive();

        ObjectNode chat = JSON.createObjectNode().put("model", model).put("stream", false);
        ObjectNode message = chat.putArray("messages").addObject().put("role", "user").put("content", prompt);
        message.putArray("images").add(image);
        chat.putObject("options").put("temperature", 0).put("num_predict", 24);
        JsonNode chatReply = json(server.post("/api/chat", chat.toString()).body());
        assertThat(chatReply.get("message").get("content").asText()).as("chat answers as generate").isEqualTo(reply.get("response").asText());

        ObjectNode openAi = JSON.createObjectNode().put("model", model).put("temperature", 0).put("max_tokens", 24);
        ArrayNode parts = openAi.putArray("messages").addObject().put("role", "user").putArray("content");
        parts.addObject().put("type", "image_url").putObject("image_url").put("url", "data:image/png;base64," + image);
        parts.addObject().put("type", "text").put("text", prompt);
        JsonNode openAiReply = json(server.post("/v1/chat/completions", openAi.toString()).body());
        assertThat(openAiReply.at("/choices/0/message/content").asText()).as("/v1 with an image_url data URI answers as chat: " + openAiReply)
                .isEqualTo(chatReply.get("message").get("content").asText());
    }

    /**
     * Steps whose generated token equals the golden's, up to the first step where the golden's choice was not its
     * top-1 (it bans some tokens from greedy choice) or the end of ours; a difference before that fails.
     */
    private static int matchingSteps(JsonNode c, int[] context, int offset, int generated) {
        int steps = 0;
        for (int i = 0; i < generated; i++) {
            JsonNode step = c.get("steps").get(i);
            int goldenToken = c.get("generated_tokens").get(i).asInt();
            if (step.get("top").get(0).get(0).asInt() != goldenToken) {
                break;
            }
            assertThat(context[offset + i]).as("generated token " + i).isEqualTo(goldenToken);
            steps++;
        }
        return steps;
    }

    @Test
    void showListsVisionAndTheProjector() throws Exception {
        JsonNode llava = json(server.post("/api/show", "{\"model\":\"llava\"}").body());
        assertThat(llava.get("capabilities").toString()).contains("\"vision\"");
        JsonNode projector = llava.get("projector_info");
        assertThat(projector.get("general.architecture").asText()).isEqualTo("clip");
        assertThat(projector.get("clip.projector_type").asText()).isEqualTo("mlp");
        assertThat(projector.get("general.parameter_count").asLong()).isPositive();
        assertThat(json(server.post("/api/show", "{\"model\":\"gemma3v-ollama\"}").body()).get("capabilities").toString()).contains("\"vision\"");
        assertThat(json(server.post("/api/show", "{\"model\":\"stories\"}").body()).get("capabilities").toString()).doesNotContain("vision");
    }

    @Test
    void badImagesAre400AndTheServerCarriesOn() throws Exception {
        byte[] png = Files.readAllBytes(TestServer.shared().resolve("images/rgb-80x48.png"));
        byte[] huge = png.clone();
        java.nio.ByteBuffer.wrap(huge).putInt(16, 20_000).putInt(20, 20_000);
        Map<String, String> cases = Map.of(
                Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(png, png.length / 2)), "invalid image 0: the image could not be decoded",
                Base64.getEncoder().encodeToString("just some text\n".getBytes()), "invalid image 0: the data is not a PNG, JPEG, GIF, BMP or WebP image",
                Base64.getEncoder().encodeToString(huge), "invalid image 0: the image is 20000x20000 pixels, more than the limit of 10000x10000",
                "not base64!", "illegal base64 data at input byte 3");
        for (var e : cases.entrySet()) {
            HttpResponse<String> reply = server.post("/api/generate", "{\"model\":\"llava\",\"prompt\":\"hi\",\"images\":[\"" + e.getKey() + "\"]}");
            assertThat(reply.statusCode()).as(e.getValue()).isEqualTo(400);
            assertThat(json(reply.body()).get("error").asText()).startsWith(e.getValue());
        }
        HttpResponse<String> text = server.post("/api/generate", "{\"model\":\"stories\",\"prompt\":\"hi\",\"images\":[\""
                + Base64.getEncoder().encodeToString(png) + "\"]}");
        assertThat(text.statusCode()).isEqualTo(400);
        assertThat(json(text.body()).get("error").asText()).isEqualTo("\"stories\" does not support images");
        JsonNode ok = json(server.post("/api/generate", "{\"model\":\"llava\",\"prompt\":\"hi\",\"stream\":false,\"options\":{\"num_predict\":2}}").body());
        assertThat(ok.get("done").asBoolean()).isTrue();
    }

    @Test
    void createWithAModelAndAProjectorFile() throws Exception {
        Path vision = TestServer.shared().resolve("models/vision");
        String model = upload(vision.resolve("syn-llava-f32.gguf")), projector = upload(vision.resolve("syn-llava-mmproj-q8_0.gguf"));
        HttpResponse<String> created = server.post("/api/create", "{\"model\":\"llava-made\",\"stream\":false,\"files\":{\"model.gguf\":\""
                + model + "\",\"mmproj.gguf\":\"" + projector + "\"}}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        Manifest manifest = server.store().find(ModelName.parse("llava-made")).orElseThrow().manifest();
        assertThat(manifest.layers()).extracting(Manifest.Layer::mediaType).containsExactly(Manifest.MODEL, Manifest.PROJECTOR);
        assertThat(manifest.layers().get(1).digest()).isEqualTo(projector);
        assertThat(generateWithImage("llava-made")).isTrue();
    }

    @Test
    void pullsAVisionModelAndRunsIt() throws Exception {
        try (FakeRegistry registry = FakeRegistry.start()) {
            Path vision = TestServer.shared().resolve("models/vision");
            registry.publishVision("llava-pulled", "latest", vision.resolve("syn-llava-f32.gguf"), vision.resolve("syn-llava-mmproj-f16.gguf"),
                    Files.readString(TestServer.shared().resolve("reference/ollama-templates/vicuna.gotmpl")));
            String name = registry.name("llava-pulled:latest");
            List<JsonNode> progress = lines(server.post("/api/pull", "{\"model\":\"" + name + "\",\"insecure\":true}").body());
            assertThat(progress.getLast().path("status").asText()).as(progress.toString()).isEqualTo("success");
            assertThat(generateWithImage(name)).isTrue();
        }
    }

    private static boolean generateWithImage(String model) throws Exception {
        String image = base64(TestServer.shared().resolve("images/rgba-50x50.png"));
        JsonNode reply = json(server.post("/api/generate", "{\"model\":\"" + model + "\",\"prompt\":\"What is in the picture?\",\"stream\":false,"
                + "\"images\":[\"" + image + "\"],\"options\":{\"num_predict\":3}}").body());
        assertThat(reply.has("error")).as(reply.toString()).isFalse();
        return reply.get("done").asBoolean() && reply.get("prompt_eval_count").asInt() > 16;
    }

    private static String upload(Path file) throws Exception {
        byte[] bytes = Files.readAllBytes(file);
        String digest = "sha256:" + FakeRegistry.sha256(bytes);
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(server.base().resolve("/api/blobs/" + digest))
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isBetween(200, 201);
        return digest;
    }

    private static String base64(Path file) throws IOException {
        return Base64.getEncoder().encodeToString(Files.readAllBytes(file));
    }

    private static int[] ints(JsonNode array) {
        int[] values = new int[array.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = array.get(i).asInt();
        }
        return values;
    }
}
