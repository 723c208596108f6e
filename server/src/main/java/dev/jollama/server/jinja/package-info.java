/**
 * The Jinja chat templates GGUF files carry ({@code tokenizer.chat_template}), rendered as Hugging Face's
 * apply_chat_template renders them: {@link dev.jollama.server.jinja.JinjaTemplate} (one kind of
 * {@link dev.jollama.server.template.ModelTemplate}, beside Ollama's Go templates) on jinjava, with what Hugging Face's
 * renderer adds to Jinja: {@code PythonStrings} (str methods), {@code PythonJson} ({@code tojson}) and
 * {@link dev.jollama.server.jinja.TemplateGlobals} ({@code raise_exception}, {@code strftime_now}).
 */
package dev.jollama.server.jinja;
