/**
 * Structured outputs: grammars over bytes, matched incrementally, constraining token sampling.
 *
 * <h2>Pieces</h2>
 * <ul>
 *   <li>{@link dev.jollama.engine.grammar.Expression}: sequences, alternatives, bounded repetition, byte ranges,
 *       UTF-8 character classes ({@link dev.jollama.engine.grammar.CharClass}), references to named (recursive)
 *       rules, and intersections of rule-free parts.</li>
 *   <li>{@link dev.jollama.engine.grammar.Grammar}: expressions compiled, right to left, into a recursive transition
 *       network (an NFA whose edges read a byte, do nothing, or call a rule), trimmed of dead ends and checked for
 *       left recursion.</li>
 *   <li>{@link dev.jollama.engine.grammar.GrammarMatcher}: the current state is an interned set of threads (NFA
 *       state plus return stack); each state caches its successor per byte class, so matching becomes a DFA built
 *       on demand, and copying a matcher copies a reference.</li>
 *   <li>{@link dev.jollama.engine.grammar.TokenTrie} and {@link dev.jollama.engine.grammar.GrammarConstraint}: the
 *       sampler samples first and checks only the chosen token (its bytes through the cached states); on rejection
 *       the constraint masks the whole vocabulary in one preorder walk of the token trie that skips every subtree
 *       the grammar rejects. End-of-generation tokens are allowed only when the match is complete.</li>
 *   <li>{@link dev.jollama.engine.grammar.JsonGrammar}: format {@code "json"}, one object (from its brace) with bounded
 *       whitespace and nothing after it; {@link dev.jollama.engine.grammar.JsonSchemaCompiler}: JSON Schema to grammar, or a
 *       {@link dev.jollama.engine.grammar.SchemaException} naming the keyword and its JSON pointer.</li>
 *   <li>{@link dev.jollama.engine.grammar.GrammarAfterThinking}: the grammar for the answer of a model that may
 *       think in tags first, airtight where the output decides between thinking and answering.</li>
 * </ul>
 *
 * <h2>JSON Schema support</h2>
 * {@code type} (and arrays of types), {@code properties}, {@code required}, {@code additionalProperties} (absent
 * means none when {@code properties} is given), {@code enum}, {@code const}, {@code anyOf}, {@code oneOf},
 * {@code allOf} (merged keyword by keyword), local {@code $ref} into {@code $defs}/{@code definitions} or anywhere
 * in the document (recursion allowed after content), {@code items}, {@code prefixItems} (and the older tuple
 * {@code items}/{@code additionalItems}), {@code minItems}, {@code maxItems}, {@code minLength}, {@code maxLength},
 * {@code pattern} (ECMA-262 subset, see {@link dev.jollama.engine.grammar.RegexPattern}), {@code format} date, time,
 * date-time and uuid, {@code minimum}, {@code maximum}, {@code exclusiveMinimum}, {@code exclusiveMaximum} (exact
 * for integers and decimals). Read but not expressible, so ignored and reported to the caller (as the reference's
 * converter ignores them): {@code not}, {@code if}/{@code then}/{@code else}, {@code uniqueItems: true},
 * {@code contains}, {@code patternProperties}, {@code propertyNames}, {@code dependentRequired},
 * {@code dependentSchemas}, {@code minProperties > 0}, {@code maxProperties}, {@code multipleOf},
 * {@code unevaluated*}, dynamic references, unknown formats, and patterns using lookaround, backreferences, word
 * boundaries or other features beyond the subset. Refused: malformed values, remote references, unsatisfiable
 * schemas. Unknown keywords are ignored, as JSON Schema treats them. Where the schema leaves freedom the grammar generates a subset of the valid values; see
 * {@link dev.jollama.engine.grammar.JsonSchemaCompiler} for that subset and the known approximations.
 */
package dev.jollama.engine.grammar;
