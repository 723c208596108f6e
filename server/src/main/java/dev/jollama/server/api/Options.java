package dev.jollama.server.api;

import com.fasterxml.jackson.databind.JsonNode;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Generation options after layering defaults, the model's PARAMETERs and the request's {@code options}, each layer
 * overwriting per key (a request {@code stop} replaces the model's). Parsed as Ollama's FromMap: ints accept any
 * number and truncate, floats need a number, bools a boolean; unknown keys are logged and ignored; a type error is
 * an {@link ApiException} with Ollama's message (status 500, as Ollama answers). Unlike Ollama, {@code stop} may be
 * a single string, meaning one stop sequence.
 */
public record Options(int numCtx, int numBatch, int numThread, int numKeep, long seed, int numPredict, int topK,
                      float topP, float minP, float typicalP, int repeatLastN, float temperature, float repeatPenalty,
                      float presencePenalty, float frequencyPenalty, List<String> stop) {

    private static final System.Logger LOG = System.getLogger(Options.class.getName());

    /** The type of an option's value. */
    public enum Kind { INT, FLOAT, BOOL, STRINGS }

    private static final Map<String, Kind> KEYS = Map.ofEntries(
            Map.entry("num_ctx", Kind.INT), Map.entry("num_batch", Kind.INT), Map.entry("num_gpu", Kind.INT),
            Map.entry("main_gpu", Kind.INT), Map.entry("use_mmap", Kind.BOOL), Map.entry("num_thread", Kind.INT),
            Map.entry("draft_num_predict", Kind.INT), Map.entry("num_keep", Kind.INT), Map.entry("seed", Kind.INT),
            Map.entry("num_predict", Kind.INT), Map.entry("top_k", Kind.INT), Map.entry("top_p", Kind.FLOAT),
            Map.entry("min_p", Kind.FLOAT), Map.entry("typical_p", Kind.FLOAT), Map.entry("repeat_last_n", Kind.INT),
            Map.entry("temperature", Kind.FLOAT), Map.entry("repeat_penalty", Kind.FLOAT),
            Map.entry("presence_penalty", Kind.FLOAT), Map.entry("frequency_penalty", Kind.FLOAT),
            Map.entry("stop", Kind.STRINGS));

    /** The type of the option of this name (Ollama's api.Options), empty for a name that is not an option. */
    public static Optional<Kind> kindOf(String name) {
        return Optional.ofNullable(KEYS.get(name));
    }

    /** Layers the model's parameters and the request's options over the defaults. */
    public static Options resolve(int defaultNumCtx, Map<String, Object> modelParameters, JsonNode requestOptions) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("num_ctx", (long) defaultNumCtx);
        if (modelParameters != null) {
            modelParameters.forEach((k, v) -> {
                if (KEYS.containsKey(k) && v != null) {
                    values.put(k, fromModelParameter(k, v));
                }
            });
        }
        if (requestOptions != null && requestOptions.isObject()) {
            for (Map.Entry<String, JsonNode> e : requestOptions.properties()) {
                String key = e.getKey();
                JsonNode value = e.getValue();
                Kind kind = KEYS.get(key);
                if (kind == null) {
                    LOG.log(Level.WARNING, "invalid option provided option={0}", key);
                } else if (!value.isNull()) {
                    values.put(key, parse(key, kind, value));
                }
            }
        }
        return new Options(
                (int) longValue(values, "num_ctx", 4096), (int) longValue(values, "num_batch", 512),
                (int) longValue(values, "num_thread", 0), (int) longValue(values, "num_keep", 4),
                longValue(values, "seed", -1), (int) longValue(values, "num_predict", -1),
                (int) longValue(values, "top_k", 40), floatValue(values, "top_p", 0.9f), floatValue(values, "min_p", 0f),
                floatValue(values, "typical_p", 1f), (int) longValue(values, "repeat_last_n", 64),
                floatValue(values, "temperature", 0.8f), floatValue(values, "repeat_penalty", 1f),
                floatValue(values, "presence_penalty", 0f), floatValue(values, "frequency_penalty", 0f),
                stopValue(values));
    }

    /**
     * The PARAMETERs of a model being created, checked as values of their options: a wrong type is a 400 naming it;
     * a name that is no option is stored as given, as Ollama stores it. Stop sequences always become a list.
     */
    public static Map<String, Object> parameters(JsonNode parameters) {
        Map<String, Object> values = new LinkedHashMap<>();
        if (parameters == null || parameters.isNull()) {
            return values;
        }
        if (!parameters.isObject()) {
            throw ApiException.badRequest("parameters must be an object");
        }
        for (Map.Entry<String, JsonNode> e : parameters.properties()) {
            Kind kind = KEYS.get(e.getKey());
            if (kind == null) {
                // Ollama's CreateHandler stores what the JSON API gives; requests then ignore the name
                values.put(e.getKey(), GoJson.MAPPER.convertValue(e.getValue(), Object.class));
            } else if (!e.getValue().isNull()) {
                try {
                    values.put(e.getKey(), parse(e.getKey(), kind, e.getValue()));
                } catch (ApiException typeError) {
                    throw ApiException.badRequest(typeError.getMessage());
                }
            }
        }
        return values;
    }

    private static Object parse(String key, Kind kind, JsonNode value) {
        return switch (kind) {
            case INT -> {
                if (!value.isNumber()) {
                    throw typeError(key, "integer");
                }
                yield value.isIntegralNumber() ? value.asLong() : (long) value.asDouble();
            }
            case FLOAT -> {
                if (!value.isNumber()) {
                    throw typeError(key, "float32");
                }
                yield (float) value.asDouble();
            }
            case BOOL -> {
                if (!value.isBoolean()) {
                    throw typeError(key, "boolean");
                }
                yield value.asBoolean();
            }
            case STRINGS -> {
                if (value.isTextual()) {
                    yield List.of(value.asText());
                }
                if (!value.isArray()) {
                    throw typeError(key, "array");
                }
                List<String> strings = new ArrayList<>();
                for (JsonNode element : value) {
                    if (!element.isTextual()) {
                        throw new ApiException(500, "option \"" + key + "\" must be of an array of strings");
                    }
                    strings.add(element.asText());
                }
                yield List.copyOf(strings);
            }
        };
    }

    /** Model parameters come from our own JSON layer; numbers may be stored as int or float. */
    private static Object fromModelParameter(String key, Object value) {
        if (value instanceof List<?> list) {
            return list.stream().map(String::valueOf).toList();
        }
        if (value instanceof String s && KEYS.get(key) == Kind.STRINGS) {
            return List.of(s);
        }
        if (value instanceof Number n) {
            return KEYS.get(key) == Kind.FLOAT ? (Object) n.floatValue() : (Object) n.longValue();
        }
        return value;
    }

    private static ApiException typeError(String key, String type) {
        return new ApiException(500, "option \"" + key + "\" must be of type " + type);
    }

    private static long longValue(Map<String, Object> values, String key, long fallback) {
        Object v = values.get(key);
        return v instanceof Number n ? n.longValue() : fallback;
    }

    private static float floatValue(Map<String, Object> values, String key, float fallback) {
        Object v = values.get(key);
        return v instanceof Number n ? n.floatValue() : fallback;
    }

    @SuppressWarnings("unchecked")
    private static List<String> stopValue(Map<String, Object> values) {
        Object v = values.get("stop");
        return v instanceof List<?> list ? (List<String>) list : List.of();
    }
}
