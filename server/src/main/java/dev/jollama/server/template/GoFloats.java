package dev.jollama.server.template;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Go's strconv.FormatFloat for the formats 'e', 'E', 'f', 'g' and 'G'. A precision of -1 asks for the fewest
 * digits that read back to the same value (Java's {@link Double#toString} finds those digits); other precisions
 * round the exact binary value half to even, as Go does.
 */
public final class GoFloats {

    private GoFloats() {
    }

    /** The decimal digits of |value| without leading or trailing zeros, and where the decimal point goes. */
    private record Digits(String digits, int pointPosition) {
        int count() {
            return digits.length();
        }

        char at(int i) {
            return digits.charAt(i);
        }
    }

    public static String format(double value, char format, int precision, boolean float32) {
        if (Double.isNaN(value)) {
            return "NaN";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "+Inf" : "-Inf";
        }
        boolean negative = (Double.doubleToRawLongBits(value) & Long.MIN_VALUE) != 0;
        StringBuilder out = new StringBuilder();
        if (negative) {
            out.append('-');
        }
        double magnitude = Math.abs(value);
        boolean shortest = precision < 0;
        Digits digits;
        int prec = precision;
        if (shortest) {
            digits = shortestDigits(magnitude, float32);
            prec = switch (format) {
                case 'e', 'E' -> digits.count() - 1;
                case 'f' -> Math.max(digits.count() - digits.pointPosition(), 0);
                default -> digits.count();
            };
        } else {
            BigDecimal exact = new BigDecimal(magnitude);
            digits = switch (format) {
                case 'e', 'E' -> rounded(exact.round(new MathContext(prec + 1, RoundingMode.HALF_EVEN)));
                case 'f' -> rounded(exact.setScale(prec, RoundingMode.HALF_EVEN));
                default -> {
                    if (prec == 0) {
                        prec = 1;
                    }
                    yield rounded(exact.round(new MathContext(prec, RoundingMode.HALF_EVEN)));
                }
            };
        }
        switch (format) {
            case 'e', 'E' -> appendExponential(out, digits, prec, format);
            case 'f' -> appendFixed(out, digits, prec);
            case 'g', 'G' -> {
                int eprec = prec;
                if (eprec > digits.count() && digits.count() >= digits.pointPosition()) {
                    eprec = digits.count();
                }
                if (shortest) {
                    eprec = 6;
                }
                int exponent = digits.pointPosition() - 1;
                if (exponent < -4 || exponent >= eprec) {
                    appendExponential(out, digits, Math.min(prec, digits.count()) - 1, format == 'g' ? 'e' : 'E');
                } else {
                    appendFixed(out, digits, Math.max((prec > digits.pointPosition() ? digits.count() : prec)
                            - digits.pointPosition(), 0));
                }
            }
            default -> throw new IllegalArgumentException("unsupported float format " + format);
        }
        return out.toString();
    }

    private static Digits shortestDigits(double magnitude, boolean float32) {
        if (magnitude == 0) {
            return new Digits("", 0);
        }
        String text = float32 ? Float.toString((float) magnitude) : Double.toString(magnitude);
        return rounded(new BigDecimal(text));
    }

    private static Digits rounded(BigDecimal value) {
        if (value.signum() == 0) {
            return new Digits("", 0);
        }
        BigDecimal stripped = value.stripTrailingZeros();
        String digits = stripped.unscaledValue().abs().toString();
        return new Digits(digits, digits.length() - stripped.scale());
    }

    /** d.ddddde±dd with {@code prec} digits after the point. */
    private static void appendExponential(StringBuilder out, Digits d, int prec, char e) {
        out.append(d.count() == 0 ? '0' : d.at(0));
        if (prec > 0) {
            out.append('.');
            for (int i = 1; i <= prec; i++) {
                out.append(i < d.count() ? d.at(i) : '0');
            }
        }
        int exponent = d.count() == 0 ? 0 : d.pointPosition() - 1;
        out.append(e).append(exponent < 0 ? '-' : '+');
        int abs = Math.abs(exponent);
        if (abs < 10) {
            out.append('0');
        }
        out.append(abs);
    }

    /** ddd.ddd with {@code prec} digits after the point. */
    private static void appendFixed(StringBuilder out, Digits d, int prec) {
        if (d.pointPosition() > 0) {
            for (int i = 0; i < d.pointPosition(); i++) {
                out.append(i < d.count() ? d.at(i) : '0');
            }
        } else {
            out.append('0');
        }
        if (prec > 0) {
            out.append('.');
            for (int i = 0; i < prec; i++) {
                int j = d.pointPosition() + i;
                out.append(j >= 0 && j < d.count() ? d.at(j) : '0');
            }
        }
    }
}
