package dev.jollama.engine.grammar;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A set of Unicode code points as sorted, disjoint, non-adjacent ranges. Immutable. Surrogate code points
 * (U+D800..U+DFFF) are never members: they have no UTF-8 encoding.
 */
public final class CharClass {
    static final int MAX_CODE_POINT = 0x10FFFF;
    public static final CharClass NONE = new CharClass(new int[0]);
    public static final CharClass ANY = range(0, MAX_CODE_POINT);

    /** Pairs lo, hi (inclusive). */
    private final int[] bounds;

    private CharClass(int[] bounds) {
        this.bounds = bounds;
    }

    public static CharClass range(int lo, int hi) {
        if (lo < 0 || hi > MAX_CODE_POINT || lo > hi) {
            throw new IllegalArgumentException("bad code point range " + lo + ".." + hi);
        }
        return normalized(new int[] {lo, hi});
    }

    public static CharClass of(int codePoint) {
        return range(codePoint, codePoint);
    }

    /** The code points of a string, each one a member. */
    public static CharClass anyOf(String chars) {
        return NONE.union(chars.codePoints().mapToObj(CharClass::of).toArray(CharClass[]::new));
    }

    public CharClass union(CharClass... others) {
        int[] all = bounds;
        for (CharClass other : others) {
            int[] joined = Arrays.copyOf(all, all.length + other.bounds.length);
            System.arraycopy(other.bounds, 0, joined, all.length, other.bounds.length);
            all = joined;
        }
        return normalized(all);
    }

    public CharClass complement() {
        List<Integer> out = new ArrayList<>();
        int next = 0;
        for (int i = 0; i < bounds.length; i += 2) {
            if (bounds[i] > next) {
                out.add(next);
                out.add(bounds[i] - 1);
            }
            next = bounds[i + 1] + 1;
        }
        if (next <= MAX_CODE_POINT) {
            out.add(next);
            out.add(MAX_CODE_POINT);
        }
        return withoutSurrogates(out.stream().mapToInt(Integer::intValue).toArray());
    }

    public CharClass minus(CharClass other) {
        return intersect(other.complement());
    }

    public CharClass intersect(CharClass other) {
        return complement().union(other.complement()).complement();
    }

    public boolean contains(int codePoint) {
        for (int i = 0; i < bounds.length; i += 2) {
            if (codePoint >= bounds[i] && codePoint <= bounds[i + 1]) {
                return true;
            }
        }
        return false;
    }

    public boolean isEmpty() {
        return bounds.length == 0;
    }

    int rangeCount() {
        return bounds.length / 2;
    }

    int lo(int range) {
        return bounds[2 * range];
    }

    int hi(int range) {
        return bounds[2 * range + 1];
    }

    private static CharClass normalized(int[] pairs) {
        int n = pairs.length / 2;
        long[] sorted = new long[n];
        for (int i = 0; i < n; i++) {
            sorted[i] = (long) pairs[2 * i] << 32 | pairs[2 * i + 1];
        }
        Arrays.sort(sorted);
        int[] merged = new int[pairs.length];
        int count = 0;
        for (long range : sorted) {
            int lo = (int) (range >>> 32);
            int hi = (int) range;
            if (count > 0 && lo <= merged[count - 1] + 1) {
                merged[count - 1] = Math.max(merged[count - 1], hi);
            } else {
                merged[count++] = lo;
                merged[count++] = hi;
            }
        }
        return withoutSurrogates(Arrays.copyOf(merged, count));
    }

    private static int[] cut(int[] merged, int lo, int hi) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < merged.length; i += 2) {
            int a = merged[i];
            int b = merged[i + 1];
            if (b < lo || a > hi) {
                out.add(a);
                out.add(b);
                continue;
            }
            if (a < lo) {
                out.add(a);
                out.add(lo - 1);
            }
            if (b > hi) {
                out.add(hi + 1);
                out.add(b);
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    private static CharClass withoutSurrogates(int[] merged) {
        return new CharClass(cut(merged, 0xD800, 0xDFFF));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CharClass c && Arrays.equals(bounds, c.bounds);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bounds);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < bounds.length; i += 2) {
            s.append(String.format(bounds[i] == bounds[i + 1] ? "U+%04X " : "U+%04X-U+%04X ", bounds[i], bounds[i + 1]));
        }
        return s.toString().trim() + "]";
    }
}
