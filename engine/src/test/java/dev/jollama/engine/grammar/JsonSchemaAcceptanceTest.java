package dev.jollama.engine.grammar;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import dev.jollama.engine.SharedTestData;
import dev.jollama.engine.generation.GenerationRequest;
import dev.jollama.engine.generation.GenerationResult;
import dev.jollama.engine.generation.Generator;
import dev.jollama.engine.model.Model;
import dev.jollama.engine.model.Sequence;
import dev.jollama.engine.sampling.SamplingOptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The acceptance test of structured outputs: random-weight models (which know nothing of JSON) sample at
 * temperature 1.0 under each schema, and every completed response validates with an independent validator
 * (networknt, draft 2020-12, formats asserted). Responses cut by the token limit are exempt but counted: at most 5%
 * under the schemas, whose strings are bounded; under format "json" a random model rarely closes a string, so
 * most of its responses run into the limit and only the completed ones are checked.
 *
 * <p>The default run is short: 20 seeds on syn-llama (vocabulary 512, under 1 ms a token) and 2 on syn-qwen2-gpt2
 * (GPT-2 vocabulary, 4 to 12 ms a token), at most 256 tokens. The acceptance run, 200 seeds, is
 * {@code -Djollama.grammar.seeds=200 -Djollama.grammar.maxTokens=512} (about 40 minutes on two cores, mostly
 * syn-qwen2-gpt2); a larger limit lets more format "json" responses complete.
 */
class JsonSchemaAcceptanceTest {
    private static final int MAX_TOKENS = Integer.getInteger("jollama.grammar.maxTokens", 256);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SchemaRegistry VALIDATORS = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
            builder -> builder.schemaRegistryConfig(SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build()));

    /** Increasing difficulty; null stands for format "json" (any object, checked by parsing). */
    static final List<String> SCHEMAS = Arrays.asList(
            // 1 flat object, bounded string and integer
            "{'type':'object','properties':{'name':{'type':'string','maxLength':12},'age':{'type':'integer','minimum':0,'maximum':120}},'required':['name','age']}",
            // 2 enum, boolean, an optional property
            "{'type':'object','properties':{'color':{'enum':['red','green','blue']},'active':{'type':'boolean'},'note':{'type':'string','maxLength':8}},'required':['color','active']}",
            // 3 nested objects and a bounded array of strings
            "{'type':'object','properties':{'user':{'type':'object','properties':{'id':{'type':'integer','minimum':1},'nick':{'type':['string','null'],'maxLength':6}},'required':['id','nick']},"
                    + "'tags':{'type':'array','items':{'type':'string','minLength':1,'maxLength':6},'maxItems':3}},'required':['user','tags']}",
            // 4 arrays with bounds, tuples
            "{'type':'object','properties':{'scores':{'type':'array','items':{'type':'number','minimum':0,'maximum':100},'minItems':2,'maxItems':4},"
                    + "'pair':{'type':'array','prefixItems':[{'type':'string','maxLength':4},{'type':'boolean'}],'items':false,'minItems':2}},'required':['scores','pair']}",
            // 5 anyOf and oneOf with disjoint alternatives
            "{'type':'object','properties':{'value':{'anyOf':[{'type':'integer'},{'type':'string','maxLength':5},{'type':'null'}]},"
                    + "'shape':{'oneOf':[{'type':'object','properties':{'r':{'type':'number','minimum':0,'maximum':10}},'required':['r']},{'type':'object','properties':{'w':{'type':'integer','minimum':0,'maximum':9},'h':{'type':'integer','minimum':0,'maximum':9}},'required':['w','h']}]}},'required':['value','shape']}",
            // 6 $ref recursion
            "{'$defs':{'node':{'type':'object','properties':{'v':{'type':'integer','minimum':-9,'maximum':9},'kids':{'type':'array','items':{'$ref':'#/$defs/node'},'maxItems':2}},'required':['v','kids']}},"
                    + "'$ref':'#/$defs/node'}",
            // 7 patterns
            "{'type':'object','properties':{'code':{'type':'string','pattern':'^[A-Z]{3}-\\\\d{4}$'},'slug':{'type':'string','pattern':'^[a-z0-9]+(-[a-z0-9]+)*$','maxLength':12},"
                    + "'word':{'type':'string','pattern':'\\\\w+@\\\\w+','maxLength':10}},'required':['code','slug','word']}",
            // 8 formats
            "{'type':'object','properties':{'day':{'type':'string','format':'date'},'at':{'type':'string','format':'time'},'when':{'type':'string','format':'date-time'},"
                    + "'id':{'type':'string','format':'uuid'}},'required':['day','at','when','id']}",
            // 9 numeric bounds, exclusive and fractional
            "{'type':'object','properties':{'a':{'type':'integer','exclusiveMinimum':-5,'exclusiveMaximum':5},'b':{'type':'number','minimum':0.5,'maximum':2.75},"
                    + "'c':{'type':'number','exclusiveMinimum':-1,'exclusiveMaximum':0},'d':{'type':'integer','minimum':1000,'maximum':1099}},'required':['a','b','c','d']}",
            // 10 allOf (the additionalProperties of one part applies to the other's properties), const, enum checked against maxLength
            "{'allOf':[{'type':'object','properties':{'kind':{'const':'point'}},'required':['kind']},{'properties':{'kind':{'type':'string'},"
                    + "'at':{'type':'array','items':{'type':'integer','minimum':0,'maximum':99},'minItems':2,'maxItems':2},"
                    + "'unit':{'type':'string','enum':['cm','mm','inch'],'maxLength':2}},'required':['at'],'additionalProperties':false}]}",
            null);

    @ParameterizedTest
    @CsvSource({"syn-llama-q8_0.gguf, 20", "syn-qwen2-gpt2-q8_0.gguf, 2"})
    void everyCompletedResponseValidates(String modelFile, int defaultSeeds) throws Exception {
        int seeds = Integer.getInteger("jollama.grammar.seeds", defaultSeeds);
        try (Model model = Model.load(SharedTestData.model(modelFile))) {
            Sequence sequence = model.newSequence(MAX_TOKENS + 32);
            int[] prompt = model.tokenizer().encode("Answer in JSON:", true, false);
            List<String> failures = new ArrayList<>();
            int[] cut = new int[SCHEMAS.size()];
            int total = 0;
            for (int s = 0; s < SCHEMAS.size(); s++) {
                String schemaText = SCHEMAS.get(s) == null ? null : SCHEMAS.get(s).replace('\'', '"');
                Grammar grammar = schemaText == null ? JsonGrammar.object() : JsonSchemaCompiler.compile(JSON.readValue(schemaText, Object.class), JsonSchemaCompilerTest.STRICT);
                Schema validator = schemaText == null ? null : VALIDATORS.getSchema(schemaText, InputFormat.JSON);
                for (int seed = 0; seed < seeds; seed++) {
                    StringBuilder text = new StringBuilder();
                    GenerationRequest request = GenerationRequest.of(prompt, sampling(seed), MAX_TOKENS, List.of())
                            .withConstraint(new GrammarConstraint(grammar, model.tokenizer()));
                    GenerationResult result = new Generator(model).generate(sequence, request, (piece, logprobs) -> text.append(piece), () -> false);
                    total++;
                    if (System.getProperty("jollama.grammar.debug") != null) {
                        System.out.printf("schema %d seed %d %s %d tokens %d ms: %s%n", s + 1, seed, result.doneReason(), result.generatedTokens(), result.generationNanos() / 1_000_000, text.length() > 300 ? text.substring(0, 300) + "..." : text);
                    }
                    if (result.doneReason().equals("length")) {
                        cut[s]++;
                        continue;
                    }
                    String problem = problem(text.toString(), validator);
                    if (problem != null) {
                        failures.add("schema " + (s + 1) + " seed " + seed + ": " + problem + " in " + text);
                    }
                }
            }
            int schemaCuts = Arrays.stream(cut, 0, cut.length - 1).sum();
            System.out.printf("%s: %d responses (%d seeds x %d formats), %d invalid; cut by the %d-token limit: %d of %d under the schemas %s, %d of %d under format json%n",
                    modelFile, total, seeds, SCHEMAS.size(), failures.size(), MAX_TOKENS, schemaCuts, seeds * (SCHEMAS.size() - 1),
                    Arrays.toString(Arrays.copyOf(cut, cut.length - 1)), cut[cut.length - 1], seeds);
            assertThat(failures).isEmpty();
            assertThat(schemaCuts).as("responses cut by the token limit under the schemas").isLessThanOrEqualTo(seeds * (SCHEMAS.size() - 1) / 20);
        }
    }

    /** Null when the text is valid: one JSON value, valid against the schema (or an object, for format "json"). */
    private static String problem(String text, Schema validator) {
        try {
            if (validator == null) {
                return JSON.readTree(text).isObject() ? null : "not an object";
            }
            List<Error> errors = validator.validate(text, InputFormat.JSON);
            return errors.isEmpty() ? null : errors.toString();
        } catch (Exception e) {
            return e.toString();
        }
    }

    private static SamplingOptions sampling(long seed) {
        return new SamplingOptions(1.0f, 0, 1.0f, 0f, 1f, 1f, 64, 0f, 0f, seed);
    }
}
