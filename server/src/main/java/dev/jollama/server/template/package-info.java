/**
 * Go's text/template, as Ollama uses it for model prompt templates, rendered byte for byte as Go renders it.
 *
 * <p>The engine: {@link dev.jollama.server.template.TemplateLexer} (tokens, trim markers, comments) →
 * {@link dev.jollama.server.template.TemplateParser} (the {@link dev.jollama.server.template.Node} tree) →
 * {@link dev.jollama.server.template.TemplateExecutor}, behind {@link dev.jollama.server.template.GoTemplate}.
 * Go's value rules live in {@code GoValues} (data model, truth, comparison), {@code GoFmt} and {@code GoFloats}
 * (fmt), {@code GoJson} (encoding/json) and {@code GoStrings} (strconv quoting);
 * {@link dev.jollama.server.template.TemplateFunctions} holds the callable functions.
 *
 * <p>Ollama's layer: {@link dev.jollama.server.template.PromptTemplate} (render paths, collate, Vars, thinking
 * tags) with {@link dev.jollama.server.template.PromptValues}, the template-facing values
 * {@link dev.jollama.server.template.TemplateMessage}, {@link dev.jollama.server.template.TemplateTool} and friends,
 * and {@link dev.jollama.server.template.TemplateRecognizer} for mapping a GGUF's Jinja chat template to a named
 * template. {@link dev.jollama.server.template.ModelTemplate} is the seam prompts are rendered through; the GGUF's own
 * Jinja template is the other kind behind it ({@code dev.jollama.server.jinja}).
 *
 * <p>Where this differs from Go, knowingly:
 * <ul>
 * <li>parse errors carry a column as well as the line ({@code template: NAME:LINE:COL: ...});</li>
 * <li>a {@link java.util.Map} is always {@code map[string]any}: a missing key is nil ({@code <no value>}), never
 * the zero value of a narrower element type;</li>
 * <li>data values have fields (record components, map keys) but no methods; {@code call} calls only
 * {@link dev.jollama.server.template.TemplateFunction} values;</li>
 * <li>no complex numbers (a parse error) and no unsigned integers;</li>
 * <li>printf lacks {@code %#v}, {@code %p}, hexadecimal floats and explicit argument indexes;</li>
 * <li>a pointer ({@link dev.jollama.server.template.GoPointer}) inside a list or map prints as {@code &{...}}
 * where Go prints its address, and a null record component of record type prints {@code <nil>} where Go would
 * have a zero struct;</li>
 * <li>nested {@code {{template}}} calls stop at depth 1000 rather than 100000;</li>
 * <li>where Ollama's legacy cut at {@code .Response} would crash (the cut falls inside a branch with an else),
 * the else branch is dropped.</li>
 * </ul>
 */
package dev.jollama.server.template;
