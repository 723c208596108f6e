package dev.jollama.engine.tokenizer;

import dev.jollama.engine.gguf.GgufFile;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.stream.IntStream;

/**
 * WordPiece ({@code tokenizer.ggml.model = "bert"}) as llama.cpp runs it. The text is normalised (lowercased and
 * stripped of accents unless {@code tokenizer.ggml.normalizer.lowercase} / {@code strip_accents} say otherwise,
 * control characters dropped) and cut into words at whitespace; every punctuation character, ASCII symbol and CJK
 * ideograph is a word of its own. A word is spelled from the left by the longest vocabulary entry each time, the
 * first one with the U+2581 mark that entries starting a word carry (the GGUF form of Hugging Face's "##" on the
 * others). A word that cannot be spelled to the end becomes the unknown token as a whole. With add_special, [CLS]
 * (the BOS) goes first and [SEP] (the separator) last.
 */
final class WordPieceTokenizer extends AbstractTokenizer {
    private static final char WORD_MARK = '\u2581';

    private final boolean lowercase;
    private final boolean stripAccents;
    /** The length of the longest vocabulary entry in chars: no longer piece needs looking up. */
    private final int longestEntry;

    private WordPieceTokenizer(Vocabulary vocabulary, boolean lowercase, boolean stripAccents) {
        super(vocabulary);
        this.lowercase = lowercase;
        this.stripAccents = stripAccents;
        int longest = 0;
        for (int token = 0; token < vocabulary.size(); token++) {
            longest = Math.max(longest, vocabulary.text(token).length());
        }
        this.longestEntry = longest;
    }

    static WordPieceTokenizer read(GgufFile file) {
        // BERT's ids: [UNK] 100, [CLS] 101, [SEP] 102
        Vocabulary vocabulary = Vocabulary.read(file, new Vocabulary.Defaults(101, -1, 100, 102, true, true));
        boolean lowercase = file.getBoolean("tokenizer.ggml.normalizer.lowercase", true);
        // as in Hugging Face's BertNormalizer, whose settings these keys carry: accents go when the case goes
        boolean stripAccents = file.getBoolean("tokenizer.ggml.normalizer.strip_accents", lowercase);
        return new WordPieceTokenizer(vocabulary, lowercase, stripAccents);
    }

    @Override
    boolean addsSpacePrefix() {
        return false; // every word's mark decodes to a space; decode drops the first one itself
    }

    @Override
    void encodeText(String text, boolean startsSegment, IntStream.Builder out) {
        // NFD splits accented letters into the letter and combining marks, which are then dropped
        String source = stripAccents ? Normalizer.normalize(text, Normalizer.Form.NFD) : text;
        StringBuilder word = new StringBuilder(source.length() + 1).append(WORD_MARK);
        int[] pieces = new int[source.length() + 1];
        for (int i = 0; i < source.length(); ) {
            int c = source.codePointAt(i);
            i += Character.charCount(c);
            int type = Character.getType(c);
            if (isWhitespace(c)) {
                encodeWord(word, pieces, out);
            } else if (isWordByItself(c, type)) {
                encodeWord(word, pieces, out);
                word.appendCodePoint(c);
                encodeWord(word, pieces, out);
            } else if (!isDropped(c, type)) {
                word.appendCodePoint(lowercase ? Character.toLowerCase(c) : c);
            }
        }
        encodeWord(word, pieces, out);
    }

    /**
     * Spells the word collected after the mark in {@code word} and empties {@code word} down to the mark again.
     * {@code pieces} holds the word's tokens until it is known that the whole word can be spelled.
     */
    private void encodeWord(StringBuilder word, int[] pieces, IntStream.Builder out) {
        if (word.length() == 1) {
            return;
        }
        String marked = word.toString();
        word.setLength(1);
        int count = 0;
        for (int start = 0; start < marked.length(); ) {
            int end = Math.min(marked.length(), start + longestEntry);
            int token = -1;
            while (end > start && (token = vocabulary.id(marked.substring(start, end))) < 0) {
                end--;
            }
            if (token < 0) { // the pieces found so far are dropped: the whole word is unknown
                if (vocabulary.unknown() >= 0) {
                    out.add(vocabulary.unknown());
                }
                return;
            }
            pieces[count++] = token;
            start = end;
        }
        for (int i = 0; i < count; i++) {
            out.add(pieces[i]);
        }
    }

    /** Unicode's White_Space, where llama.cpp splits (Java's isWhitespace leaves out the no-break spaces). */
    private static boolean isWhitespace(int c) {
        return c >= '\t' && c <= '\r' || c == 0x85 || Character.isSpaceChar(c);
    }

    /**
     * Control, format, private-use and surrogate characters (Unicode's categories C, as llama.cpp groups them), U+FFFD,
     * and when stripping accents the combining marks.
     */
    private boolean isDropped(int c, int type) {
        return type == Character.CONTROL || type == Character.FORMAT || type == Character.PRIVATE_USE
                || type == Character.SURROGATE || c == 0xFFFD || stripAccents && type == Character.NON_SPACING_MARK;
    }

    /** Punctuation, ASCII symbols and CJK ideographs: each is a word of its own. */
    private static boolean isWordByItself(int c, int type) {
        return switch (type) {
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                 Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                 Character.OTHER_PUNCTUATION -> true;
            case Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL, Character.MODIFIER_SYMBOL, Character.OTHER_SYMBOL -> c < 0x7F;
            default -> isCjkIdeograph(c);
        };
    }

    /** The CJK blocks of BERT's tokenizer (llama.cpp and Hugging Face start the last extension range at U+2B920). */
    private static boolean isCjkIdeograph(int c) {
        return c >= 0x4E00 && c <= 0x9FFF || c >= 0x3400 && c <= 0x4DBF || c >= 0x20000 && c <= 0x2A6DF
                || c >= 0x2A700 && c <= 0x2B73F || c >= 0x2B740 && c <= 0x2B81F || c >= 0x2B920 && c <= 0x2CEAF
                || c >= 0xF900 && c <= 0xFAFF || c >= 0x2F800 && c <= 0x2FA1F;
    }

    /** Word-initial pieces (the whole text's first one aside) are preceded by a space, continuation pieces join on. */
    @Override
    public String decode(int[] tokens) {
        String text = super.decode(tokens);
        return text.startsWith(" ") ? text.substring(1) : text;
    }

    @Override
    byte[] normalTokenBytes(int token) {
        return vocabulary.text(token).replace(WORD_MARK, ' ').getBytes(StandardCharsets.UTF_8);
    }
}
