package dev.jollama.engine.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.stream.IntStream;

/**
 * What SentencePiece, byte-level BPE and WordPiece tokenizers share: cutting out special tokens, adding BOS, EOS and
 * the separator, and rendering tokens as bytes. Subclasses tokenize the plain text between special tokens and spell
 * their normal tokens.
 */
abstract sealed class AbstractTokenizer implements Tokenizer permits SpmTokenizer, BpeTokenizer, WordPieceTokenizer {
    private static final byte[] NOTHING = new byte[0];

    final Vocabulary vocabulary;

    AbstractTokenizer(Vocabulary vocabulary) {
        this.vocabulary = vocabulary;
    }

    /**
     * Appends the tokens for plain text that holds no special token. {@code startsSegment}: the text begins the
     * input or directly follows a special token.
     */
    abstract void encodeText(String text, boolean startsSegment, IntStream.Builder out);

    /** The bytes of a token of type {@link TokenType#NORMAL}. */
    abstract byte[] normalTokenBytes(int token);

    /** Whether encoding puts a space before the text, which decoding after a leading BOS takes away again. */
    abstract boolean addsSpacePrefix();

    @Override
    public final int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
        IntStream.Builder out = IntStream.builder();
        if (addSpecial && vocabulary.addBos()) {
            out.add(vocabulary.bos());
        }
        boolean startsSegment = true;
        for (Vocabulary.Fragment fragment : vocabulary.splitOnSpecialTokens(text, parseSpecial)) {
            if (fragment.isText()) {
                encodeText(text.substring(fragment.start(), fragment.end()), startsSegment, out);
                startsSegment = false;
            } else {
                out.add(fragment.token());
                startsSegment = true;
            }
        }
        if (addSpecial && vocabulary.addEos()) {
            out.add(vocabulary.eos());
        }
        if (addSpecial && vocabulary.addSeparator()) {
            out.add(vocabulary.separator());
        }
        return out.build().toArray();
    }

    @Override
    public String decode(int[] tokens) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < tokens.length; i++) {
            byte[] piece = pieceBytes(tokens[i]);
            boolean addedSpace = i == 1 && tokens[0] == vocabulary.bos() && addsSpacePrefix() && piece.length > 0 && piece[0] == ' ';
            out.write(piece, addedSpace ? 1 : 0, addedSpace ? piece.length - 1 : piece.length);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The bytes a token contributes to decoded text: nothing for control, unknown and unused tokens. */
    final byte[] pieceBytes(int token) {
        Objects.checkIndex(token, vocabulary.size());
        return switch (vocabulary.type(token)) {
            case NORMAL -> normalTokenBytes(token);
            case BYTE -> byteTokenBytes(token);
            case USER_DEFINED -> vocabulary.text(token).getBytes(StandardCharsets.UTF_8);
            case CONTROL, UNKNOWN, UNUSED, UNDEFINED -> NOTHING;
        };
    }

    /** A byte token is spelled {@code <0xHH>}; one spelled otherwise stands for its text. */
    private byte[] byteTokenBytes(int token) {
        String text = vocabulary.text(token);
        if (text.length() == 6 && text.startsWith("<0x") && text.endsWith(">")) {
            int high = Character.digit(text.charAt(3), 16);
            int low = Character.digit(text.charAt(4), 16);
            if (high >= 0 && low >= 0) {
                return new byte[] {(byte) (high << 4 | low)};
            }
        }
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public final byte[] tokenBytes(int token) {
        Objects.checkIndex(token, vocabulary.size());
        TokenType type = vocabulary.type(token);
        if (type == TokenType.CONTROL || type == TokenType.UNKNOWN) {
            return vocabulary.text(token).getBytes(StandardCharsets.UTF_8);
        }
        return pieceBytes(token);
    }

    @Override
    public final String tokenText(int token) {
        Objects.checkIndex(token, vocabulary.size());
        return vocabulary.text(token);
    }

    @Override
    public final int vocabularySize() {
        return vocabulary.size();
    }

    @Override
    public final int bosToken() {
        return vocabulary.bos();
    }

    @Override
    public final int eosToken() {
        return vocabulary.eos();
    }

    @Override
    public final boolean isEndOfGeneration(int token) {
        return vocabulary.isEndOfGeneration(token);
    }

    @Override
    public final boolean isControl(int token) {
        return token >= 0 && token < vocabulary.size() && vocabulary.type(token) == TokenType.CONTROL;
    }

    @Override
    public final StreamingDecoder streamingDecoder() {
        return new StreamingDecoder(this::pieceBytes);
    }

    @Override
    public final StreamingDecoder streamingDecoderWithControlTokens() {
        return new StreamingDecoder(this::tokenBytes);
    }
}
