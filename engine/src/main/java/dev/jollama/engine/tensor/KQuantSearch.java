package dev.jollama.engine.tensor;

/**
 * The scale searches the reference's K-quant quantizers share (ggml-quants.c without an importance matrix): each
 * picks codes for a group of values and the scale (and min) that fit them best. The arithmetic is float, in the
 * reference's order and with its rounding, because the written files must equal the reference's byte for byte.
 */
final class KQuantSearch {
    /** Below this largest magnitude a group counts as all zero. */
    static final float GROUP_MAX_EPS = 1e-15f;

    private KQuantSearch() {
    }

    /**
     * Round to nearest, ties to even, as the reference's {@code nearest_int} does by adding 1.5·2^23 (valid for
     * magnitudes below 2^22).
     */
    static int nearestInt(float value) {
        return (Float.floatToRawIntBits(value + 12582912f) & 0x007fffff) - 0x00400000;
    }

    /** The value after a round trip through fp16, as the quantizers reread the scales they store. */
    static float fp16(float value) {
        return Float.float16ToFloat(Float.floatToFloat16(value));
    }

    /**
     * Signed codes in [-nmax, nmax) for {@code n} values with weights x² ({@code make_qx_quants}, rmse_type 1): the
     * value of largest magnitude starts at -nmax, then 18 nearby scales are tried and the one with the least weighted
     * error kept. Writes the codes plus nmax to {@code codes}; returns the scale (0 for an all-zero group, whose
     * codes are then 0).
     */
    static float signedCodes(int n, int nmax, float[] x, int from, int[] codes, int at) {
        float[] sums = new float[2];
        float max = firstFit(n, nmax, x, from, codes, at, sums);
        if (max == 0f) {
            return 0f;
        }
        for (int i = 0; i < n; i++) {
            codes[at + i] += nmax;
        }
        float scale = sums[1] != 0f ? sums[0] / sums[1] : 0f;
        float best = scale * sums[0];
        for (int is = -9; is <= 9; is++) {
            if (is == 0) {
                continue;
            }
            float iscale = -(nmax + 0.1f * is) / max;
            fit(iscale, n, nmax, x, from, null, 0, sums);
            float sumlx = sums[0], suml2 = sums[1];
            if (suml2 > 0f && sumlx * sumlx > best * suml2) {
                for (int i = 0; i < n; i++) {
                    codes[at + i] = nmax + Math.clamp(nearestInt(iscale * x[from + i]), -nmax, nmax - 1);
                }
                scale = sumlx / suml2;
                best = scale * sumlx;
            }
        }
        return scale;
    }

    /**
     * Signed codes in [-nmax, nmax) for {@code n} values ({@code make_q3_quants} with its rmse refinement): start from
     * the value of largest magnitude at -nmax, then move single codes while that lowers the error weighted by x², up to
     * five rounds. Writes the codes plus nmax (0 for an all-zero group); returns the scale.
     */
    static float refinedSignedCodes(int n, int nmax, float[] x, int from, int[] codes, int at) {
        float[] sums = new float[2];
        float max = firstFit(n, nmax, x, from, codes, at, sums);
        if (max == 0f) {
            return 0f;
        }
        float sumlx = sums[0], suml2 = sums[1];
        for (int round = 0; round < 5; round++) {
            int changed = 0;
            for (int i = 0; i < n; i++) {
                float xi = x[from + i];
                float w = xi * xi;
                float slx = sumlx - w * xi * codes[at + i];
                if (slx > 0f) {
                    float sl2 = suml2 - w * codes[at + i] * codes[at + i];
                    int l = Math.clamp(nearestInt(xi * sl2 / slx), -nmax, nmax - 1);
                    if (l != codes[at + i]) {
                        slx += w * xi * l;
                        sl2 += w * l * l;
                        if (sl2 > 0f && slx * slx * suml2 > sumlx * sumlx * sl2) {
                            codes[at + i] = l;
                            sumlx = slx;
                            suml2 = sl2;
                            changed++;
                        }
                    }
                }
            }
            if (changed == 0) {
                break;
            }
        }
        for (int i = 0; i < n; i++) {
            codes[at + i] += nmax;
        }
        return suml2 > 0f ? sumlx / suml2 : 0f;
    }

    /**
     * The start of both signed searches: the value of largest magnitude at -nmax, {@link #fit} at that scale. Returns
     * that value, or 0 for an all-zero group (whose codes are then 0).
     */
    private static float firstFit(int n, int nmax, float[] x, int from, int[] codes, int at, float[] sums) {
        float max = Quantizers.signedMax(x, from, n);
        if (Math.abs(max) < GROUP_MAX_EPS) {
            java.util.Arrays.fill(codes, at, at + n, 0);
            return 0f;
        }
        fit(-nmax / max, n, nmax, x, from, codes, at, sums);
        return max;
    }

    /**
     * The signed codes in [-nmax, nmax) of {@code x·iscale} (written to {@code codes} unless it is null) and, with
     * weights x², Σ w·x·l and Σ w·l² in {@code sums}.
     */
    private static void fit(float iscale, int n, int nmax, float[] x, int from, int[] codes, int at, float[] sums) {
        float sumlx = 0f, suml2 = 0f;
        for (int i = 0; i < n; i++) {
            float xi = x[from + i];
            int l = Math.clamp(nearestInt(iscale * xi), -nmax, nmax - 1);
            if (codes != null) {
                codes[at + i] = l;
            }
            float w = xi * xi;
            sumlx += w * xi * l;
            suml2 += w * l * l;
        }
        sums[0] = sumlx;
        sums[1] = suml2;
    }

    /**
     * Codes in [0, nmax] with a scale and a min for {@code n} values ({@code make_qkx2_quants}): the range [min(0,
     * lowest), highest] in nmax steps, then {@code steps + 1} scales around it fitted by weighted least squares, the
     * one of least weighted error (absolute when {@code absolute}, else squared) kept. Writes the codes; returns the
     * scale and puts the min, negated as the reference stores it, in {@code negatedMin[minAt]}.
     */
    static float codesWithMin(int n, int nmax, float[] x, int from, float[] weights, int[] codes, int at, int[] scratch,
                              float[] negatedMin, int minAt, float rmin, float rdelta, int steps, boolean absolute) {
        float min = x[from], max = x[from];
        float sumW = weights[0];
        float sumX = sumW * x[from];
        for (int i = 1; i < n; i++) {
            float xi = x[from + i];
            if (xi < min) {
                min = xi;
            }
            if (xi > max) {
                max = xi;
            }
            float w = weights[i];
            sumW += w;
            sumX += w * xi;
        }
        if (min > 0f) {
            min = 0f;
        }
        if (max == min) {
            java.util.Arrays.fill(codes, at, at + n, 0);
            negatedMin[minAt] = -min;
            return 0f;
        }
        float iscale = nmax / (max - min);
        float scale = 1f / iscale;
        float bestError = 0f;
        for (int i = 0; i < n; i++) {
            int l = Math.clamp(nearestInt(iscale * (x[from + i] - min)), 0, nmax);
            codes[at + i] = l;
            bestError += weights[i] * error(scale * l + min - x[from + i], absolute);
        }
        for (int is = 0; is <= steps; is++) {
            iscale = (rmin + rdelta * is + nmax) / (max - min);
            float sumL = 0f, sumL2 = 0f, sumXL = 0f;
            for (int i = 0; i < n; i++) {
                float xi = x[from + i];
                int l = Math.clamp(nearestInt(iscale * (xi - min)), 0, nmax);
                scratch[i] = l;
                float w = weights[i];
                sumL += w * l;
                sumL2 += w * l * l;
                sumXL += w * l * xi;
            }
            float det = sumW * sumL2 - sumL * sumL;
            if (det > 0f) {
                float thisScale = (sumW * sumXL - sumX * sumL) / det;
                float thisMin = (sumL2 * sumX - sumL * sumXL) / det;
                if (thisMin > 0f) {
                    thisMin = 0f;
                    thisScale = sumXL / sumL2;
                }
                float error = 0f;
                for (int i = 0; i < n; i++) {
                    error += weights[i] * error(thisScale * scratch[i] + thisMin - x[from + i], absolute);
                }
                if (error < bestError) {
                    System.arraycopy(scratch, 0, codes, at, n);
                    bestError = error;
                    scale = thisScale;
                    min = thisMin;
                }
            }
        }
        negatedMin[minAt] = -min;
        return scale;
    }

    private static float error(float diff, boolean absolute) {
        return absolute ? Math.abs(diff) : diff * diff;
    }
}
