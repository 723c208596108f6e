package dev.jollama.engine.grammar;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/** Schemas compiled to grammars: table of schema, texts it must accept, texts it must reject. */
class JsonSchemaCompilerTest {
    /** For schemas that use nothing the grammar cannot express: an ignored keyword fails the test. */
    static final Consumer<SchemaException> STRICT = e -> {
        throw e;
    };
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Case(String schema, List<String> accepted, List<String> rejected) {}

    private static Case of(String schema, List<String> accepted, List<String> rejected) {
        return new Case(schema.replace('\'', '"'), accepted.stream().map(s -> s.replace('\'', '"')).toList(),
                rejected.stream().map(s -> s.replace('\'', '"')).toList());
    }

    private static final List<Case> CASES = List.of(
            of("{'type':'object','properties':{'a':{'type':'string'},'b':{'type':'integer'}},'required':['a']}",
                    List.of("{'a':'x'}", "{'a':'x','b':1}", "{ 'a' : 'x' , 'b' : -12 }", " {'a':''}"),
                    List.of("{}", "{'b':1}", "{'b':1,'a':'x'}", "{'a':'x','c':1}", "{'a':1}", "{'a':'x',}", "{'a':'x'} ")),
            of("{'properties':{'a':{'type':'boolean'},'b':{'type':'null'},'c':{'enum':[1,'two',null]}}}",
                    List.of("{}", "{'a':true}", "{'b':null}", "{'a':false,'c':'two'}", "{'c':null}", "{'a':true,'b':null,'c':1}"),
                    List.of("{,'b':null}", "{'c':2}", "{'c':'three'}", "{'b':null,'a':true}")),
            of("{'type':'object'}", List.of("{}", "{'any':[1,{'x':null}]}"), List.of("[]")),
            of("{'type':'object','properties':{'a':{'type':'integer'}},'additionalProperties':{'type':'string'}}",
                    List.of("{}", "{'a':1}", "{'a':1,'zz':'s'}", "{'zz':'s','yy':''}", "{'ab':'s'}"),
                    List.of("{'zz':1}", "{'a':'s'}", "{'a':1,'a':'s'}")),
            of("{'type':'array','items':{'type':'integer','minimum':-3,'maximum':12},'minItems':1,'maxItems':3}",
                    List.of("[0]", "[-3,12]", "[1, 2, 3]", "[ 7 ]"),
                    List.of("[]", "[1,2,3,4]", "[13]", "[-4]", "[01]", "[-0]", "[1.5]")),
            of("{'type':'array','prefixItems':[{'type':'string'},{'type':'number'}],'items':false}",
                    List.of("[]", "['a']", "['a',1.5]"), List.of("[1]", "['a','b']", "['a',1,2]")),
            of("{'type':'array','prefixItems':[{'const':'x'}],'items':{'type':'boolean'},'minItems':2}",
                    List.of("['x',true]", "['x',true,false]"), List.of("['x']", "[true,true]")),
            of("{'type':'string','minLength':2,'maxLength':4}", List.of("'ab'", "'abcd'", "'é😀'", "'\\n\\u00e9'"),
                    List.of("'a'", "'abcde'", "''")),
            of("{'type':'string','pattern':'^[a-z]+\\\\d{2}$'}", List.of("'abc12'", "'z00'"), List.of("'abc1'", "'ABC12'", "'abc123'", "'12'")),
            of("{'type':'string','pattern':'^(?<year>\\\\d{2})(?:-[\\\\w.]+)?x{2,}?\\\\{$'}", List.of("'12xx{'", "'12-a_.9xxx{'"),
                    List.of("'12x{'", "'12-x{'", "'1xx{'", "'12xx'")),
            of("{'type':'string','pattern':'o+b'}", List.of("'ob'", "'xoobz'", "'foob'"), List.of("'oa'", "'b'")),
            of("{'type':'string','pattern':'^(ab|c\\\\.)*$','maxLength':3}", List.of("''", "'ab'", "'c.'"),
                    List.of("'abc'", "'abc.'", "'ababab'", "'cx'")),
            of("{'type':'string','pattern':'^[^a-z\\\"]{1,2}$'}", List.of("'A'", "'\\n'", "'\\\\'", "'1é'"), List.of("'a'", "'\\\"'", "'ABC'")),
            of("{'type':'string','format':'date'}", List.of("'2024-02-29'", "'2023-12-31'", "'2000-02-29'", "'1999-04-30'"),
                    List.of("'2023-02-29'", "'1900-02-29'", "'2024-04-31'", "'2024-13-01'", "'24-01-01'")),
            of("{'type':'string','format':'date-time'}", List.of("'2024-05-06T07:08:09Z'", "'2024-05-06T23:59:59.123+05:30'"),
                    List.of("'2024-05-06T24:00:00Z'", "'2024-05-06T07:08:09'", "'2024-05-06 07:08:09Z'")),
            of("{'type':'string','format':'uuid'}", List.of("'123e4567-e89b-12d3-a456-426614174000'"), List.of("'123e4567e89b12d3a456426614174000'")),
            of("{'type':'integer','exclusiveMinimum':-10,'exclusiveMaximum':100}", List.of("-9", "0", "99", "42"),
                    List.of("-10", "100", "1000", "-0", "5.0")),
            of("{'type':'integer','minimum':1000}", List.of("1000", "99999"), List.of("999", "0", "-1000")),
            of("{'type':'number','minimum':-1.5,'maximum':2.25}", List.of("-1.5", "-1", "0", "0.5", "2.25", "2.2499", "2", "-1.49"),
                    List.of("-1.51", "2.26", "2.250001", "3", "-2", "-0")),
            of("{'type':'number','exclusiveMinimum':0,'exclusiveMaximum':1}", List.of("0.5", "0.0001", "0.999"),
                    List.of("0", "0.0", "1", "1.0", "-0.5")),
            of("{'type':['string','null']}", List.of("'x'", "null"), List.of("1", "true")),
            of("{'anyOf':[{'type':'integer'},{'type':'object','properties':{'k':{'const':true}},'required':['k']}]}",
                    List.of("3", "{'k':true}"), List.of("{}", "'s'")),
            of("{'allOf':[{'properties':{'a':{'type':'string'}},'required':['a']},{'properties':{'b':{'type':'integer'}},'required':['b']}]}",
                    List.of("{'a':'x','b':1}"), List.of("{'a':'x'}", "{'b':1}")),
            of("{'allOf':[{'type':'string','maxLength':3},{'type':'string','pattern':'^a'}]}", List.of("'a'", "'abc'"), List.of("'abcd'", "'ba'")),
            of("{'type':'string','enum':['a','bb','ccc'],'maxLength':2}", List.of("'a'", "'bb'"), List.of("'ccc'")),
            of("{'$defs':{'node':{'type':'object','properties':{'v':{'type':'integer'},'next':{'anyOf':[{'$ref':'#/$defs/node'},{'type':'null'}]}},'required':['v','next']}},'$ref':'#/$defs/node'}",
                    List.of("{'v':1,'next':null}", "{'v':1,'next':{'v':2,'next':{'v':3,'next':null}}}"),
                    List.of("{'v':1}", "{'v':1,'next':{'v':2}}")),
            of("{'definitions':{'tree':{'type':'array','items':{'anyOf':[{'type':'integer'},{'$ref':'#/definitions/tree'}]}}},'type':'object','properties':{'t':{'$ref':'#/definitions/tree'}},'required':['t']}",
                    List.of("{'t':[]}", "{'t':[1,[2,[3,[]]]]}"), List.of("{'t':[1,[2,'x']]}")),
            of("{'const':{'a':[1,'b']}}", List.of("{'a':[1,'b']}"), List.of("{'a':[1]}", "{ 'a':[1,'b']}x")),
            of("true", List.of("1", "'s'", "{}", "[null]"), List.of("")),
            of("{'type':'array','items':{'type':'string','maxLength':100000},'maxItems':100000}",
                    List.of("[]", "['" + "x".repeat(1000) + "']"), List.of("['" + "x".repeat(1001) + "']")));

    @Test
    void acceptsValidAndRejectsInvalidTexts() throws Exception {
        for (Case c : CASES) {
            Grammar grammar = JsonSchemaCompiler.compile(JSON.readValue(c.schema(), Object.class), STRICT);
            for (String text : c.accepted()) {
                assertThat(GrammarMatcherTest.matches(grammar, text)).as("%s accepts %s", c.schema(), text).isTrue();
            }
            for (String text : c.rejected()) {
                assertThat(GrammarMatcherTest.matches(grammar, text)).as("%s rejects %s", c.schema(), text).isFalse();
            }
        }
    }
}
