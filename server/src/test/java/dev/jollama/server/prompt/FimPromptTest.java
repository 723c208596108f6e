package dev.jollama.server.prompt;

import dev.jollama.server.store.Manifest;
import dev.jollama.server.store.ModelName;
import dev.jollama.server.store.StoredModel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Fill-in-the-middle through the templates of the common code-model families (Ollama's, with .Suffix). */
class FimPromptTest {

    private static StoredModel modelWithTemplate(String template) {
        return new StoredModel(ModelName.parse("coder"), new Manifest(2, Manifest.MEDIA_TYPE, null, List.of()), "0", Instant.EPOCH,
                null, null, template, "You are a coder.", Map.of(), List.of(), List.of(), Map.of());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "qwen2.5-coder | `{{- if .Suffix }}<|fim_prefix|>{{ .Prompt }}<|fim_suffix|>{{ .Suffix }}<|fim_middle|>{{- else }}{{ .Prompt }}{{- end }}`"
                    + " | `<|fim_prefix|>def add(<|fim_suffix|>    return c<|fim_middle|>`",
            "codellama     | `{{- if .Suffix }}<PRE> {{ .Prompt }} <SUF>{{ .Suffix }} <MID>{{- else }}{{ .Prompt }}{{- end }}`"
                    + " | `<PRE> def add( <SUF>    return c <MID>`",
            "starcoder2    | `{{- if .Suffix }}<fim_prefix>{{ .Prompt }}<fim_suffix>{{ .Suffix }}<fim_middle>{{- else }}{{ .Prompt }}{{- end }}`"
                    + " | `<fim_prefix>def add(<fim_suffix>    return c<fim_middle>`",
    })
    void suffixRendersPrefixSuffixMiddleAndIgnoresTheSystemPrompt(String family, String template, String expected) {
        PromptBuilder prompts = new PromptBuilder(modelWithTemplate(template), "");
        assertThat(prompts.supportsInsert()).isTrue();
        assertThat(prompts.capabilities()).contains("insert");
        PromptRequest fim = new PromptRequest("def add(", "    return c", "", 0, false, false, "", false);
        assertThat(prompts.render(fim)).isEqualTo(expected);
        assertThat(prompts.render(PromptRequest.of("def add("))).isEqualTo("def add(");
    }
}
