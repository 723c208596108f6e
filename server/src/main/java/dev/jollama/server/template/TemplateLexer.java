package dev.jollama.server.template;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;

/**
 * Splits template text into tokens on demand, following Go's text/template lexer: text outside the delimiters,
 * trim markers (a dash right after the opening delimiter or right before the closing one, with white space on its
 * other side) that eat the white space of the adjacent text, comments (slash-star directly after the opening
 * delimiter) that produce no token, and inside actions the operands, keywords and punctuation. A lexical error
 * becomes an {@link Kind#ERROR} token, after which only {@link Kind#EOF} follows; the parser reports it when it
 * reaches it, as Go does.
 */
final class TemplateLexer {

    enum Kind {
        ERROR, BOOL, CHAR, CHAR_CONSTANT, COMPLEX, ASSIGN, DECLARE, EOF, FIELD, IDENTIFIER, LEFT_DELIM, LEFT_PAREN,
        NUMBER, PIPE, RAW_STRING, RIGHT_DELIM, RIGHT_PAREN, SPACE, STRING, TEXT, VARIABLE,
        // keywords, printed as <word> in error messages
        BLOCK, BREAK, CONTINUE, DOT, DEFINE, ELSE, END, IF, NIL, RANGE, TEMPLATE, WITH;

        boolean isKeyword() {
            return ordinal() >= BLOCK.ordinal();
        }
    }

    record Token(Kind kind, int pos, String value) {
        /** Go's item.String(), which parse errors quote. */
        @Override
        public String toString() {
            if (kind == Kind.EOF) {
                return "EOF";
            }
            if (kind == Kind.ERROR) {
                return value;
            }
            if (kind.isKeyword()) {
                return "<" + value + ">";
            }
            if (GoStrings.utf8Length(value) > 10) {
                return GoStrings.quote(GoStrings.firstRunes(value, 10)) + "...";
            }
            return GoStrings.quote(value);
        }
    }

    private static final String LEFT_DELIM = "{{";
    private static final String RIGHT_DELIM = "}}";
    private static final String LEFT_COMMENT = "/*";
    private static final String RIGHT_COMMENT = "*/";
    private static final int TRIM_MARKER_LENGTH = 2; // the dash and the space beside it

    private static final Map<String, Kind> KEYWORDS = Map.ofEntries(
            Map.entry("block", Kind.BLOCK), Map.entry("break", Kind.BREAK), Map.entry("continue", Kind.CONTINUE),
            Map.entry("define", Kind.DEFINE), Map.entry("else", Kind.ELSE), Map.entry("end", Kind.END),
            Map.entry("if", Kind.IF), Map.entry("range", Kind.RANGE), Map.entry("nil", Kind.NIL),
            Map.entry("template", Kind.TEMPLATE), Map.entry("with", Kind.WITH));

    private final String input;
    private final Deque<Token> pending = new ArrayDeque<>();
    private int pos;
    private boolean insideAction;
    private int parenDepth;
    private boolean finished;

    TemplateLexer(String input) {
        this.input = input;
    }

    Token next() {
        while (pending.isEmpty()) {
            if (finished) {
                return new Token(Kind.EOF, input.length(), "");
            }
            if (insideAction) {
                lexInsideAction();
            } else {
                lexText();
            }
        }
        return pending.poll();
    }

    private void emit(Kind kind, int start, int end) {
        pending.add(new Token(kind, start, input.substring(start, end)));
    }

    private void error(int at, String message) {
        pending.add(new Token(Kind.ERROR, at, message));
        finished = true;
    }

    // ---- outside actions

    private void lexText() {
        int start = pos;
        int delim = input.indexOf(LEFT_DELIM, pos);
        if (delim < 0) {
            if (start < input.length()) {
                emit(Kind.TEXT, start, input.length());
            }
            pos = input.length();
            pending.add(new Token(Kind.EOF, pos, ""));
            finished = true;
            return;
        }
        int afterDelim = delim + LEFT_DELIM.length();
        boolean trimLeft = hasLeftTrimMarker(afterDelim);
        int textEnd = trimLeft ? delim - trailingSpaceLength(start, delim) : delim;
        if (textEnd > start) {
            emit(Kind.TEXT, start, textEnd);
        }
        int afterMarker = afterDelim + (trimLeft ? TRIM_MARKER_LENGTH : 0);
        if (input.startsWith(LEFT_COMMENT, afterMarker)) {
            lexComment(afterMarker);
            return;
        }
        emit(Kind.LEFT_DELIM, delim, afterDelim);
        pos = afterMarker;
        insideAction = true;
        parenDepth = 0;
    }

    private void lexComment(int commentStart) {
        int close = input.indexOf(RIGHT_COMMENT, commentStart + LEFT_COMMENT.length());
        if (close < 0) {
            error(commentStart, "unclosed comment");
            return;
        }
        pos = close + RIGHT_COMMENT.length();
        int delim = rightDelimAt(pos);
        if (delim == 0) {
            error(commentStart, "comment ends before closing delimiter");
            return;
        }
        boolean trimRight = delim == 2;
        pos += (trimRight ? TRIM_MARKER_LENGTH : 0) + RIGHT_DELIM.length();
        if (trimRight) {
            pos += leadingSpaceLength(pos);
        }
    }

    // ---- inside actions

    private void lexInsideAction() {
        int delim = rightDelimAt(pos);
        if (delim != 0) {
            if (parenDepth != 0) {
                error(pos, "unclosed left paren");
                return;
            }
            boolean trimRight = delim == 2;
            int delimStart = pos + (trimRight ? TRIM_MARKER_LENGTH : 0);
            emit(Kind.RIGHT_DELIM, delimStart, delimStart + RIGHT_DELIM.length());
            pos = delimStart + RIGHT_DELIM.length();
            if (trimRight) {
                pos += leadingSpaceLength(pos);
            }
            insideAction = false;
            return;
        }
        if (pos >= input.length()) {
            error(pos, "unclosed action");
            return;
        }
        int start = pos;
        int c = input.codePointAt(pos);
        pos += Character.charCount(c);
        if (isSpace(c)) {
            lexSpace(start);
        } else if (c == '=') {
            emit(Kind.ASSIGN, start, pos);
        } else if (c == ':') {
            if (pos >= input.length() || input.charAt(pos) != '=') {
                error(start, "expected :=");
                return;
            }
            pos++;
            emit(Kind.DECLARE, start, pos);
        } else if (c == '|') {
            emit(Kind.PIPE, start, pos);
        } else if (c == '"') {
            lexQuote(start);
        } else if (c == '`') {
            lexRawQuote(start);
        } else if (c == '$') {
            lexFieldOrVariable(start, Kind.VARIABLE);
        } else if (c == '\'') {
            lexChar(start);
        } else if (c == '.' && !(pos < input.length() && isAsciiDigit(input.charAt(pos)))) {
            lexFieldOrVariable(start, Kind.FIELD);
        } else if (c == '.' || c == '+' || c == '-' || isAsciiDigit(c)) {
            pos = start;
            lexNumber(start);
        } else if (isAlphaNumeric(c)) {
            lexIdentifier(start);
        } else if (c == '(') {
            emit(Kind.LEFT_PAREN, start, pos);
            parenDepth++;
        } else if (c == ')') {
            emit(Kind.RIGHT_PAREN, start, pos);
            parenDepth--;
            if (parenDepth < 0) {
                error(start, "unexpected right paren " + formatRune(c));
            }
        } else if (c < 0x80 && GoStrings.isPrint(c)) {
            emit(Kind.CHAR, start, pos);
        } else {
            error(start, "unrecognized character in action: " + formatRune(c));
        }
    }

    private void lexSpace(int start) {
        while (pos < input.length() && isSpace(input.charAt(pos))) {
            pos++;
        }
        // A space followed by "-}}" belongs to the trim-marked delimiter, not to the run of spaces.
        if (hasRightTrimMarker(pos - 1) && input.startsWith(RIGHT_DELIM, pos - 1 + TRIM_MARKER_LENGTH)) {
            pos--;
            if (pos == start) {
                return;
            }
        }
        emit(Kind.SPACE, start, pos);
    }

    private void lexIdentifier(int start) {
        while (pos < input.length() && isAlphaNumeric(input.codePointAt(pos))) {
            pos += Character.charCount(input.codePointAt(pos));
        }
        if (!atTerminator()) {
            error(start, "bad character " + formatRune(input.codePointAt(pos)));
            return;
        }
        String word = input.substring(start, pos);
        Kind keyword = KEYWORDS.get(word);
        if (keyword != null) {
            emit(keyword, start, pos);
        } else if (word.equals("true") || word.equals("false")) {
            emit(Kind.BOOL, start, pos);
        } else {
            emit(Kind.IDENTIFIER, start, pos);
        }
    }

    /** After the '.' or '$': a lone one is dot or the root variable, else a name follows. */
    private void lexFieldOrVariable(int start, Kind kind) {
        if (atTerminator()) {
            emit(kind == Kind.VARIABLE ? Kind.VARIABLE : Kind.DOT, start, pos);
            return;
        }
        while (pos < input.length() && isAlphaNumeric(input.codePointAt(pos))) {
            pos += Character.charCount(input.codePointAt(pos));
        }
        if (!atTerminator()) {
            error(start, "bad character " + formatRune(input.codePointAt(pos)));
            return;
        }
        emit(kind, start, pos);
    }

    /** Whether the next character may end a name: this is what splits {@code .X.Y} into two fields. */
    private boolean atTerminator() {
        if (pos >= input.length()) {
            return true;
        }
        char c = input.charAt(pos);
        return isSpace(c) || c == '.' || c == ',' || c == '|' || c == ':' || c == ')' || c == '('
                || c == RIGHT_DELIM.charAt(0);
    }

    private void lexChar(int start) {
        while (true) {
            if (pos >= input.length() || input.charAt(pos) == '\n') {
                error(start, "unterminated character constant");
                return;
            }
            char c = input.charAt(pos++);
            if (c == '\\') {
                if (pos >= input.length() || input.charAt(pos) == '\n') {
                    error(start, "unterminated character constant");
                    return;
                }
                pos++;
            } else if (c == '\'') {
                break;
            }
        }
        emit(Kind.CHAR_CONSTANT, start, pos);
    }

    private void lexNumber(int start) {
        if (!scanNumber()) {
            error(start, "bad number syntax: " + GoStrings.quote(input.substring(start, pos)));
            return;
        }
        if (pos < input.length() && (input.charAt(pos) == '+' || input.charAt(pos) == '-')) {
            // a complex constant such as 1+2i: no spaces, and it must end in 'i'
            if (!scanNumber() || input.charAt(pos - 1) != 'i') {
                error(start, "bad number syntax: " + GoStrings.quote(input.substring(start, pos)));
                return;
            }
            emit(Kind.COMPLEX, start, pos);
        } else {
            emit(Kind.NUMBER, start, pos);
        }
    }

    /** Accepts more than the valid numbers (like Go's); the parser rejects what does not convert. */
    private boolean scanNumber() {
        accept("+-");
        String digits = "0123456789_";
        if (accept("0")) {
            if (accept("xX")) {
                digits = "0123456789abcdefABCDEF_";
            } else if (accept("oO")) {
                digits = "01234567_";
            } else if (accept("bB")) {
                digits = "01_";
            }
        }
        acceptRun(digits);
        if (accept(".")) {
            acceptRun(digits);
        }
        if (digits.length() == 11 && accept("eE")) {
            accept("+-");
            acceptRun("0123456789_");
        }
        if (digits.length() == 23 && accept("pP")) {
            accept("+-");
            acceptRun("0123456789_");
        }
        accept("i");
        if (pos < input.length() && isAlphaNumeric(input.codePointAt(pos))) {
            pos += Character.charCount(input.codePointAt(pos));
            return false;
        }
        return true;
    }

    private boolean accept(String valid) {
        if (pos < input.length() && valid.indexOf(input.charAt(pos)) >= 0) {
            pos++;
            return true;
        }
        return false;
    }

    private void acceptRun(String valid) {
        while (accept(valid)) {
            // consume the run
        }
    }

    private void lexQuote(int start) {
        while (true) {
            if (pos >= input.length() || input.charAt(pos) == '\n') {
                error(start, "unterminated quoted string");
                return;
            }
            char c = input.charAt(pos++);
            if (c == '\\') {
                if (pos >= input.length() || input.charAt(pos) == '\n') {
                    error(start, "unterminated quoted string");
                    return;
                }
                pos++;
            } else if (c == '"') {
                break;
            }
        }
        emit(Kind.STRING, start, pos);
    }

    private void lexRawQuote(int start) {
        int close = input.indexOf('`', pos);
        if (close < 0) {
            error(start, "unterminated raw quoted string");
            return;
        }
        pos = close + 1;
        emit(Kind.RAW_STRING, start, pos);
    }

    // ---- delimiters and white space

    /** 0 when no right delimiter starts at {@code at}, 1 for a plain one, 2 for one with a trim marker. */
    private int rightDelimAt(int at) {
        if (hasRightTrimMarker(at) && input.startsWith(RIGHT_DELIM, at + TRIM_MARKER_LENGTH)) {
            return 2;
        }
        return input.startsWith(RIGHT_DELIM, at) ? 1 : 0;
    }

    private boolean hasLeftTrimMarker(int at) {
        return at + 1 < input.length() && input.charAt(at) == '-' && isSpace(input.charAt(at + 1));
    }

    private boolean hasRightTrimMarker(int at) {
        return at >= 0 && at + 1 < input.length() && isSpace(input.charAt(at)) && input.charAt(at + 1) == '-';
    }

    private int trailingSpaceLength(int start, int end) {
        int i = end;
        while (i > start && isSpace(input.charAt(i - 1))) {
            i--;
        }
        return end - i;
    }

    private int leadingSpaceLength(int start) {
        int i = start;
        while (i < input.length() && isSpace(input.charAt(i))) {
            i++;
        }
        return i - start;
    }

    /** Go's template white space: what trim markers remove and what separates operands. */
    private static boolean isSpace(int c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
    }

    private static boolean isAsciiDigit(int c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isAlphaNumeric(int c) {
        return c == '_' || Character.isLetter(c) || Character.isDigit(c);
    }

    /** Go's {@code %#U}: {@code U+0078 'x'}. */
    private static String formatRune(int c) {
        String hex = String.format("U+%04X", c);
        return GoStrings.isPrint(c) ? hex + " '" + new String(Character.toChars(c)) + "'" : hex;
    }
}
