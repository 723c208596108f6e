package dev.jollama.engine.tokenizer;

import dev.jollama.engine.gguf.GgufFile;
import dev.jollama.engine.gguf.GgufFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Small hand-made vocabularies: what the metadata selects, merge order, and errors for broken vocabularies. */
class TokenizerMetadataTest {
    @TempDir
    Path dir;

    @Test
    void spmMergesTheHighestScoringPairFirstAndTheLeftmostOnTies() {
        assertThat(spm(1f, 1f).encode("abb", false, false)).containsExactly(6, 4);  // "ab" "b"
        assertThat(spm(1f, 2f).encode("abb", false, false)).containsExactly(3, 7);  // "a" "bb"
    }

    @Test
    void spmSpellsCharactersWithoutATokenAsBytes() {
        Tokenizer spm = spm(1f, 1f);
        assertThat(spm.encode("é", false, false)).containsExactly(8, 9);
        assertThat(spm.decode(new int[] {8, 9})).isEqualTo("é");
    }

    @Test
    void bpeMergesTheLowestRankFirstAndTheLeftmostOnTies() {
        Tokenizer bpe = bpe("gpt-2");
        assertThat(text(bpe, bpe.encode("aaa", false, false))).containsExactly("aa", "a");
        assertThat(text(bpe, bpe.encode("aab", false, false))).containsExactly("a", "ab"); // "a b" ranks before "a a"
    }

    @Test
    void unknownOrMissingPreTokenizerFallsBackToGpt2() {
        for (String pre : new String[] {"no-such-pre-tokenizer", null}) {
            Tokenizer bpe = bpe(pre);
            // GPT-2 keeps digits together (Qwen 2 or StarCoder would split "123" into single digits)
            assertThat(text(bpe, bpe.encode("ab 123", false, false))).containsExactly("ab", "Ġ", "12", "3");
        }
    }

    @Test
    void wordPieceNormalisesAsTheFileSays() {
        // lowercase and strip accents unless told otherwise; a key that turns lowercasing off also keeps accents
        assertThat(wordPiece(null, null).encode("CAFÉs!", true, false)).containsExactly(1, 3, 7, 8, 2);
        assertThat(wordPiece(false, null).encode("Cafés", false, false)).containsExactly(6, 7);
        assertThat(wordPiece(true, false).encode("Cafés", false, false)).containsExactly(4, 7);
        assertThat(wordPiece(false, true).encode("Cafés", false, false)).containsExactly(5, 7);
    }

    @Test
    void wordPieceSpellsAWordItCannotFinishAsOneUnknownToken() {
        Tokenizer wordPiece = wordPiece(null, null);
        assertThat(wordPiece.encode("cafes cafex !", false, false)).containsExactly(3, 7, 0, 8); // not "▁cafe" [UNK]
        assertThat(wordPiece.decode(new int[] {1, 3, 7, 0, 8, 2})).isEqualTo("cafes !");
    }

    @Test
    void brokenVocabulariesAreFormatErrorsNamingTheProblem() {
        assertError(new Gguf(), "'tokenizer.ggml.model' is missing");
        assertError(new Gguf().string("tokenizer.ggml.model", "t5"), "tokenizer type 't5' is not supported");
        assertError(new Gguf().string("tokenizer.ggml.model", "llama"), "'tokenizer.ggml.tokens' is missing");
        assertError(new Gguf().string("tokenizer.ggml.model", "llama").strings("tokenizer.ggml.tokens", "<unk>", "<s>", "</s>")
                .floats("tokenizer.ggml.scores", 0f, 0f), "'tokenizer.ggml.scores' has 2 entries but 'tokenizer.ggml.tokens' has 3");
        assertError(new Gguf().string("tokenizer.ggml.model", "llama").strings("tokenizer.ggml.tokens", "a", "b", "a"),
                "holds 'a' twice");
        assertError(new Gguf().string("tokenizer.ggml.model", "gpt2").strings("tokenizer.ggml.tokens", "a", "b"),
                "'tokenizer.ggml.merges' is missing");
        assertError(new Gguf().string("tokenizer.ggml.model", "gpt2").strings("tokenizer.ggml.tokens", "a", "b")
                .strings("tokenizer.ggml.merges", "a b").bool("tokenizer.ggml.add_bos_token", true), "no BOS token");
    }

    /** An SPM vocabulary: 0-2 specials, a, b, ab, bb, two byte tokens; scores of "ab" and "bb" as given. */
    private Tokenizer spm(float abScore, float bbScore) {
        return load(new Gguf().string("tokenizer.ggml.model", "llama")
                .strings("tokenizer.ggml.tokens", "<unk>", "<s>", "</s>", "a", "b", "▁", "ab", "bb", "<0xC3>", "<0xA9>")
                .floats("tokenizer.ggml.scores", 0, 0, 0, 0, 0, 0, abScore, bbScore, 0, 0)
                .ints("tokenizer.ggml.token_type", 2, 3, 3, 1, 1, 1, 1, 1, 6, 6)
                .bool("tokenizer.ggml.add_space_prefix", false));
    }

    /** A byte-level BPE vocabulary: all 256 byte spellings, then "ab", "aa", "12", with merges in that order. */
    private Tokenizer bpe(String pre) {
        List<String> tokens = new ArrayList<>();
        for (int b = 0; b < 256; b++) {
            tokens.add(String.valueOf(GptByteMap.charOf(b)));
        }
        tokens.addAll(List.of("ab", "aa", "12"));
        Gguf gguf = new Gguf().string("tokenizer.ggml.model", "gpt2")
                .strings("tokenizer.ggml.tokens", tokens.toArray(String[]::new))
                .strings("tokenizer.ggml.merges", "a b", "a a", "1 2");
        return load(pre == null ? gguf : gguf.string("tokenizer.ggml.pre", pre));
    }

    /** A WordPiece vocabulary: [UNK] [CLS] [SEP], word starts, the continuation "s"; normaliser keys as given (null: none). */
    private Tokenizer wordPiece(Boolean lowercase, Boolean stripAccents) {
        Gguf gguf = new Gguf().string("tokenizer.ggml.model", "bert")
                .strings("tokenizer.ggml.tokens", "[UNK]", "[CLS]", "[SEP]", "▁cafe", "▁café", "▁Cafe", "▁Café", "s", "▁!")
                .ints("tokenizer.ggml.token_type", 3, 3, 3, 1, 1, 1, 1, 1, 1)
                .uint32("tokenizer.ggml.unknown_token_id", 0)
                .uint32("tokenizer.ggml.bos_token_id", 1)
                .uint32("tokenizer.ggml.seperator_token_id", 2);
        if (lowercase != null) {
            gguf.bool("tokenizer.ggml.normalizer.lowercase", lowercase);
        }
        if (stripAccents != null) {
            gguf.bool("tokenizer.ggml.normalizer.strip_accents", stripAccents);
        }
        return load(gguf);
    }

    private static List<String> text(Tokenizer tokenizer, int[] tokens) {
        return java.util.Arrays.stream(tokens).mapToObj(tokenizer::tokenText).toList();
    }

    private Tokenizer load(Gguf gguf) {
        return TokenizerTestData.load(gguf.write(dir));
    }

    private void assertError(Gguf gguf, String message) {
        Path file = gguf.write(dir);
        try (GgufFile opened = GgufFile.open(file)) {
            assertThatThrownBy(() -> Tokenizer.fromGguf(opened)).isInstanceOf(GgufFormatException.class).hasMessageContaining(message);
        }
    }

    /** Writes a GGUF version 3 file holding only metadata. */
    private static final class Gguf {
        private static int files;
        private final ByteArrayOutputStream entries = new ByteArrayOutputStream();
        private int count;

        Gguf string(String key, String value) {
            key(key, 8);
            text(value);
            return this;
        }

        Gguf uint32(String key, int value) {
            key(key, 4);
            bytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(value).array());
            return this;
        }

        Gguf bool(String key, boolean value) {
            key(key, 7);
            entries.write(value ? 1 : 0);
            return this;
        }

        Gguf strings(String key, String... values) {
            array(key, 8, values.length);
            for (String value : values) {
                text(value);
            }
            return this;
        }

        Gguf floats(String key, float... values) {
            array(key, 6, values.length);
            for (float value : values) {
                bytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(value).array());
            }
            return this;
        }

        Gguf ints(String key, int... values) {
            array(key, 5, values.length);
            for (int value : values) {
                bytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(value).array());
            }
            return this;
        }

        Path write(Path dir) {
            ByteBuffer header = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
            header.put("GGUF".getBytes(StandardCharsets.US_ASCII)).putInt(3).putLong(0).putLong(count);
            ByteArrayOutputStream file = new ByteArrayOutputStream();
            file.writeBytes(header.array());
            file.writeBytes(entries.toByteArray());
            try {
                return Files.write(dir.resolve("vocab-" + files++ + ".gguf"), file.toByteArray());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        private void key(String key, int type) {
            count++;
            text(key);
            bytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(type).array());
        }

        private void array(String key, int elementType, int length) {
            key(key, 9);
            bytes(ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putInt(elementType).putLong(length).array());
        }

        private void text(String value) {
            byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
            bytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(utf8.length).array());
            bytes(utf8);
        }

        private void bytes(byte[] bytes) {
            entries.writeBytes(bytes);
        }
    }
}
