package dev.jollama.engine.grammar;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Encodes a character class as alternatives of byte-range sequences that match exactly the UTF-8 encodings of its
 * members (no overlong forms, no surrogates), in the manner of RE2's and Rust's UTF-8 range compilers.
 */
final class Utf8Ranges {
    /** The last code point of each encoded length. */
    private static final int[] LENGTH_ENDS = {0x7F, 0x7FF, 0xFFFF, CharClass.MAX_CODE_POINT};

    private Utf8Ranges() {
    }

    static Expression of(CharClass chars) {
        List<Expression> alternatives = new ArrayList<>();
        for (int r = 0; r < chars.rangeCount(); r++) {
            int lo = chars.lo(r);
            int hi = chars.hi(r);
            for (int end : LENGTH_ENDS) {
                if (lo <= hi && lo <= end) {
                    addSameLength(lo, Math.min(hi, end), alternatives);
                    lo = end + 1;
                }
            }
        }
        return Expression.choice(alternatives);
    }

    /** Splits a range of equally long encodings until every byte position varies independently. */
    private static void addSameLength(int lo, int hi, List<Expression> out) {
        Deque<int[]> pending = new ArrayDeque<>();
        pending.push(new int[] {lo, hi});
        next:
        while (!pending.isEmpty()) {
            int[] range = pending.pop();
            int a = range[0];
            int b = range[1];
            int length = encodedLength(a);
            for (int i = 1; i < length; i++) {
                int low = (1 << (6 * i)) - 1;
                if ((a & ~low) != (b & ~low)) {
                    if ((a & low) != 0) {
                        pending.push(new int[] {(a | low) + 1, b});
                        pending.push(new int[] {a, a | low});
                        continue next;
                    }
                    if ((b & low) != low) {
                        pending.push(new int[] {b & ~low, b});
                        pending.push(new int[] {a, (b & ~low) - 1});
                        continue next;
                    }
                }
            }
            byte[] first = new String(Character.toChars(a)).getBytes(StandardCharsets.UTF_8);
            byte[] last = new String(Character.toChars(b)).getBytes(StandardCharsets.UTF_8);
            List<Expression> bytes = new ArrayList<>(length);
            for (int k = 0; k < length; k++) {
                bytes.add(new Expression.ByteRange(first[k] & 0xFF, last[k] & 0xFF));
            }
            out.add(Expression.sequence(bytes));
        }
    }

    private static int encodedLength(int codePoint) {
        return codePoint <= 0x7F ? 1 : codePoint <= 0x7FF ? 2 : codePoint <= 0xFFFF ? 3 : 4;
    }
}
