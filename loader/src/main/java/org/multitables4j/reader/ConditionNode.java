package org.multitables4j.reader;

/**
 * A typed node of a compiled {@link TableCondition}, typed as numexpr (which evaluates PyTables'
 * conditions) types it, so that a condition selects the rows PyTables selects:
 * <ul>
 * <li>kinds, in promotion order: {@code bool}, {@code int} (32 bits: int8, int16, int32, uint8,
 *     uint16 columns and integer literals that fit), {@code long} (int64 and uint32 columns,
 *     larger literals, integers bound from Java), {@code float} (float32, float16 and bfloat16
 *     columns), {@code double} (float64 columns, float literals, doubles bound from Java);</li>
 * <li>an operation runs in the larger kind of its operands ({@code bool} counts as {@code int}):
 *     {@code int} arithmetic wraps at 32 bits, {@code long} at 64, {@code float} rounds to
 *     float32 after each step, and comparisons compare in that kind (so int64 values beyond
 *     2^53 compare exactly);</li>
 * <li>{@code /} of two integers is true division in {@code double}; integer {@code %} takes the
 *     dividend's sign (C's rule) and {@code x % 0} is 0; floating {@code %} takes the divisor's
 *     sign (Python's rule).</li>
 * </ul>
 * Integral kinds evaluate through {@link #l}, floating kinds through {@link #d}.
 */
abstract class ConditionNode {
    /** numexpr's kinds, in promotion order. */
    enum Kind {
        BOOL, INT, LONG, FLOAT, DOUBLE;

        boolean integral() {
            return this != FLOAT && this != DOUBLE;
        }

        static Kind max(Kind a, Kind b) {
            Kind k = a.ordinal() >= b.ordinal() ? a : b;
            return k == BOOL ? INT : k;
        }
    }

    /** The values of one record's columns: {@code l[i]} for integral columns, {@code d[i]} for floating ones. */
    static final class Values {
        final long[] l;
        final double[] d;

        Values(int columns) {
            l = new long[columns];
            d = new double[columns];
        }
    }

    final Kind kind;
    /**
     * A literal (a number, {@code True}, {@code False}, or literals folded by
     * {@link ConstantFolding}); a column or a value bound from Java is not.
     */
    boolean constant;

    ConditionNode(Kind kind) {
        this.kind = kind;
    }

    /** @return this literal node, marked constant */
    ConditionNode literal() {
        constant = true;
        return this;
    }

    /** @return the value of an integral node ({@code bool}: 0 or 1) */
    abstract long l(Values v);

    /** @return the value of a floating node ({@code float}: a float32 value) */
    abstract double d(Values v);

    /** @return true when the value is not zero, as a condition reads it */
    final boolean truth(Values v) {
        return kind.integral() ? l(v) != 0 : d(v) != 0;
    }

    /** @return this node's value converted to {@code kind} (a floating kind) */
    final double as(Kind to, Values v) {
        if (kind.integral()) {
            long n = l(v); // evaluated once: an integer subtree is not computed twice per row
            return to == Kind.FLOAT ? (float) n : (double) n;
        }
        double x = d(v);
        return to == Kind.FLOAT && kind != Kind.FLOAT ? (float) x : x;
    }

    static long wrap(Kind k, long x) {
        return k == Kind.INT ? (int) x : x;
    }

    // ---- leaves -------------------------------------------------------------------------------

    static ConditionNode integer(Kind kind, long value) {
        return new ConditionNode(kind) {
            long l(Values v) {
                return value;
            }

            double d(Values v) {
                return value;
            }
        };
    }

    static ConditionNode floating(Kind kind, double value) {
        double x = kind == Kind.FLOAT ? (float) value : value;
        return new ConditionNode(kind) {
            long l(Values v) {
                throw new IllegalStateException("a floating node");
            }

            double d(Values v) {
                return x;
            }
        };
    }

    static ConditionNode column(Kind kind, int index) {
        return new ConditionNode(kind) {
            long l(Values v) {
                return v.l[index];
            }

            double d(Values v) {
                return v.d[index];
            }
        };
    }

    // ---- operations -----------------------------------------------------------------------------

    /** @return {@code a op b} for op one of {@code + - * / %}, or {@code p} for {@code **} */
    static ConditionNode arithmetic(char op, ConditionNode a, ConditionNode b) {
        Kind k = Kind.max(a.kind, b.kind);
        if (op == '/' && k.integral()) {
            k = Kind.DOUBLE; // true division
        }
        Kind kind = k;
        if (kind.integral()) {
            return new ConditionNode(kind) {
                long l(Values v) {
                    long x = a.l(v);
                    long y = b.l(v);
                    return wrap(kind, switch (op) {
                        case '+' -> x + y;
                        case '-' -> x - y;
                        case '*' -> x * y;
                        case '%' -> y == 0 ? 0 : x % y;
                        default -> power(x, y);
                    });
                }

                double d(Values v) {
                    return l(v);
                }
            };
        }
        boolean single = kind == Kind.FLOAT;
        return new ConditionNode(kind) {
            long l(Values v) {
                throw new IllegalStateException("a floating node");
            }

            double d(Values v) {
                double x = a.as(kind, v);
                double y = b.as(kind, v);
                if (single) {
                    float fx = (float) x;
                    float fy = (float) y;
                    return switch (op) {
                        case '+' -> fx + fy;
                        case '-' -> fx - fy;
                        case '*' -> fx * fy;
                        case '/' -> fx / fy;
                        case '%' -> fx - (float) Math.floor(fx / fy) * fy;
                        default -> (float) Math.pow(fx, fy);
                    };
                }
                return switch (op) {
                    case '+' -> x + y;
                    case '-' -> x - y;
                    case '*' -> x * y;
                    case '/' -> x / y;
                    case '%' -> x - Math.floor(x / y) * y;
                    default -> Math.pow(x, y);
                };
            }
        };
    }

    /** Integer power by repeated multiplication (wrapping as numexpr's); a negative exponent gives 0 unless the base is 1 or -1. */
    static long power(long x, long y) {
        if (y < 0) {
            return x == 1 ? 1 : x == -1 ? ((y & 1) == 0 ? 1 : -1) : 0;
        }
        long r = 1;
        long b = x;
        long e = y;
        while (e > 0) {
            if ((e & 1) == 1) {
                r *= b;
            }
            b *= b;
            e >>= 1;
        }
        return r;
    }

    static ConditionNode negate(ConditionNode a) {
        Kind kind = Kind.max(a.kind, Kind.BOOL);
        if (kind.integral()) {
            return new ConditionNode(kind) {
                long l(Values v) {
                    return wrap(kind, -a.l(v));
                }

                double d(Values v) {
                    return l(v);
                }
            };
        }
        return new ConditionNode(kind) {
            long l(Values v) {
                throw new IllegalStateException("a floating node");
            }

            double d(Values v) {
                return -a.d(v);
            }
        };
    }

    /** @return the comparison {@code a op b} in the larger kind of the two (the operator resolved once) */
    static ConditionNode compare(String op, ConditionNode a, ConditionNode b) {
        Kind k = Kind.max(a.kind, b.kind);
        if (k.integral()) {
            java.util.function.IntPredicate t = switch (op) {
                case "<" -> c -> c < 0;
                case "<=" -> c -> c <= 0;
                case ">" -> c -> c > 0;
                case ">=" -> c -> c >= 0;
                case "==" -> c -> c == 0;
                default -> c -> c != 0;
            };
            return bool(v -> t.test(Long.compare(a.l(v), b.l(v))));
        }
        FloatingComparison t = switch (op) {
            case "<" -> (x, y) -> x < y;
            case "<=" -> (x, y) -> x <= y;
            case ">" -> (x, y) -> x > y;
            case ">=" -> (x, y) -> x >= y;
            case "==" -> (x, y) -> x == y;
            default -> (x, y) -> x != y;
        };
        return bool(v -> t.test(a.as(k, v), b.as(k, v)));
    }

    /** A comparison of two floating values as Java's operators make it (NaN compares false but for !=). */
    private interface FloatingComparison {
        boolean test(double x, double y);
    }

    /** A boolean test of one record. */
    interface Test {
        boolean on(Values v);
    }

    static ConditionNode bool(Test t) {
        return new ConditionNode(Kind.BOOL) {
            long l(Values v) {
                return t.on(v) ? 1 : 0;
            }

            double d(Values v) {
                return l(v);
            }
        };
    }
}
