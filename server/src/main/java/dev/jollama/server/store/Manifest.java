package dev.jollama.server.store;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/** An OCI-style model manifest as Ollama writes it: a config blob and layers, each by media type and digest. */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Manifest(int schemaVersion, String mediaType, Layer config, List<Layer> layers) {
    public static final String MEDIA_TYPE = "application/vnd.docker.distribution.manifest.v2+json";
    public static final String CONFIG_MEDIA_TYPE = "application/vnd.docker.container.image.v1+json";
    public static final String MODEL = "application/vnd.ollama.image.model";
    /** A vision model's image projector (the reference's mmproj GGUF), beside its text model. */
    public static final String PROJECTOR = "application/vnd.ollama.image.projector";
    public static final String TEMPLATE = "application/vnd.ollama.image.template";
    public static final String LEGACY_TEMPLATE = "application/vnd.ollama.image.prompt";
    public static final String SYSTEM = "application/vnd.ollama.image.system";
    public static final String PARAMS = "application/vnd.ollama.image.params";
    public static final String MESSAGES = "application/vnd.ollama.image.messages";
    public static final String LICENSE = "application/vnd.ollama.image.license";

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    /** @param from the model a layer was taken from (Ollama's parent model), or null */
    public record Layer(String mediaType, String digest, long size, String from) {
        public Layer(String mediaType, String digest, long size) {
            this(mediaType, digest, size, null);
        }
    }

    /** Total bytes of the layers, as /api/tags reports a model's size. */
    public long totalSize() {
        return layers == null ? 0 : layers.stream().mapToLong(Layer::size).sum();
    }
}
