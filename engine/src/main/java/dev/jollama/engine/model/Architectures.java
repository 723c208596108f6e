package dev.jollama.engine.model;

import dev.jollama.engine.gguf.GgufFile;
import dev.jollama.engine.gguf.GgufFormatException;
import dev.jollama.engine.tensor.Repacker;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/** The families the engine runs, by their GGUF {@code general.architecture} name. Adding one is one line here. */
final class Architectures {
    interface Loader {
        Architecture load(WeightReader weights, ModelConfig config);
    }

    private static final Map<String, Loader> FAMILIES = new LinkedHashMap<>();

    static {
        FAMILIES.put("llama", Llama::new);
        FAMILIES.put("qwen2", Qwen2::new);
        FAMILIES.put("qwen3", Qwen3::new);
        FAMILIES.put("gemma3", Gemma3::new);
        FAMILIES.put("bert", Bert::new);
        FAMILIES.put("nomic-bert", NomicBert::new);
        FAMILIES.put("gemma2", Gemma2::new);
        FAMILIES.put("granite", Granite::new);
        FAMILIES.put("olmo2", Olmo2::new);
        FAMILIES.put("smollm3", SmolLm3::new);
        FAMILIES.put("phi3", Phi3::new);
        FAMILIES.put("qwen3moe", Qwen3Moe::new);
        FAMILIES.put("gpt-oss", GptOss::new);
    }

    private Architectures() {
    }

    /** The file's family name, checked against the registry. */
    static String nameOf(GgufFile file) {
        String name = file.requireString("general.architecture");
        if (!FAMILIES.containsKey(name)) {
            throw new GgufFormatException(file.path(), "architecture '" + name + "' is not supported (supported: "
                    + String.join(", ", FAMILIES.keySet()) + ")");
        }
        return name;
    }

    static java.util.Set<String> names() {
        return java.util.Collections.unmodifiableSet(FAMILIES.keySet());
    }

    static Architecture load(GgufFile file, ModelConfig config, Repacker repacker) {
        return FAMILIES.get(config.architecture()).load(new WeightReader(file, UnaryOperator.identity(), repacker), config);
    }
}
