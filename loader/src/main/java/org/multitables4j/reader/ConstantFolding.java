package org.multitables4j.reader;

import org.multitables4j.reader.ConditionNode.Kind;

/**
 * Arithmetic of literals in a {@link TableCondition}, done as PyTables does it: its condition is
 * evaluated by Python before numexpr sees it, so an operation whose operands are all literals is
 * Python's arithmetic, not numexpr's. Integers are exact (a result beyond 64 bits is refused, as
 * PyTables refuses it), {@code /} is true division, {@code %} takes the divisor's sign, and an
 * integer to a negative integer power is a float ({@code 2 ** -1} is 0.5). The result is a
 * literal of the kind numexpr gives that value: {@code int} when it fits 32 bits, else
 * {@code long}; floats are {@code double}.
 */
final class ConstantFolding {
    private ConstantFolding() {
    }

    /**
     * @param op {@code + - * / %}, or {@code p} for {@code **}
     * @param a  a constant node
     * @param b  a constant node
     * @return the literal {@code a op b}
     * @throws IllegalArgumentException when Python would fail: division by zero, an integer
     *     beyond 64 bits, a complex result
     */
    static ConditionNode fold(char op, ConditionNode a, ConditionNode b) {
        if (a.kind.integral() && b.kind.integral()) {
            long x = a.l(null);
            long y = b.l(null);
            try {
                return switch (op) {
                    case '+' -> integer(Math.addExact(x, y));
                    case '-' -> integer(Math.subtractExact(x, y));
                    case '*' -> integer(Math.multiplyExact(x, y));
                    case '/' -> floating((double) x / nonZero(y));
                    case '%' -> integer(Math.floorMod(x, nonZero(y)));
                    default -> y >= 0 ? integer(exactPower(x, y)) : floating(Math.pow(nonZero(x), y));
                };
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("the constant " + x + " " + (op == 'p' ? "**" : String.valueOf(op))
                        + " " + y + " does not fit 64 bits", e);
            }
        }
        double x = a.kind.integral() ? a.l(null) : a.d(null);
        double y = b.kind.integral() ? b.l(null) : b.d(null);
        return floating(switch (op) {
            case '+' -> x + y;
            case '-' -> x - y;
            case '*' -> x * y;
            case '/' -> x / nonZero(y);
            case '%' -> pythonModulo(x, nonZero(y));
            default -> power(x, y);
        });
    }

    /**
     * @param a a constant node
     * @return the literal {@code -a}
     */
    static ConditionNode negate(ConditionNode a) {
        if (a.kind.integral()) {
            long x = a.l(null);
            if (x == Long.MIN_VALUE) {
                throw new IllegalArgumentException("the constant -(" + x + ") does not fit 64 bits");
            }
            return integer(-x);
        }
        return floating(-a.d(null));
    }

    private static ConditionNode integer(long v) {
        Kind k = v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE ? Kind.INT : Kind.LONG;
        return ConditionNode.integer(k, v).literal();
    }

    private static ConditionNode floating(double v) {
        return ConditionNode.floating(Kind.DOUBLE, v).literal();
    }

    private static long nonZero(long y) {
        if (y == 0) {
            throw new IllegalArgumentException("division of a constant by zero");
        }
        return y;
    }

    private static double nonZero(double y) {
        if (y == 0) {
            throw new IllegalArgumentException("division of a constant by zero");
        }
        return y;
    }

    /** Python's {@code x % y} of floats: the result has the divisor's sign. */
    private static double pythonModulo(double x, double y) {
        double m = x % y;
        if (m != 0 && (m < 0) != (y < 0)) {
            m += y;
        }
        return m;
    }

    private static double power(double x, double y) {
        if (x == 0 && y < 0) {
            throw new IllegalArgumentException("0.0 cannot be raised to a negative power");
        }
        if (x < 0 && y != Math.rint(y) && Double.isFinite(y)) {
            throw new IllegalArgumentException("a negative constant to a fractional power is complex");
        }
        return Math.pow(x, y);
    }

    private static long exactPower(long x, long y) {
        if (x == 0 || x == 1) {
            return y == 0 ? 1 : x;
        }
        if (x == -1) {
            return (y & 1) == 0 ? 1 : -1;
        }
        long r = 1;
        for (long i = 0; i < y; i++) {
            r = Math.multiplyExact(r, x); // |x| >= 2: past 64 bits within 63 steps
        }
        return r;
    }
}
