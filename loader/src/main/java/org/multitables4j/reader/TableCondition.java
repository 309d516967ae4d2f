package org.multitables4j.reader;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.multitables4j.InvalidConfigurationException;

/**
 * A row condition in PyTables' syntax (the common subset of numexpr expressions), compiled
 * against a table's columns and bound variables, evaluated one record at a time.
 *
 * <p>Grammar, with Python's precedence (lowest first): comparisons {@code < <= > >= == !=}
 * (chained as in Python: {@code a < b < c}), {@code |}, {@code ^}, {@code &}, {@code + -},
 * {@code * / %}, unary {@code - + ~}, {@code **}; parentheses, numbers ({@code 3}, {@code 0.5},
 * {@code 1e-3}), {@code True}/{@code False}, and names: a bound variable, else a scalar numeric
 * column. {@code &}, {@code |}, {@code ^}, {@code ~} are logical (a nonzero value is true), as
 * in conditions; arithmetic is in double precision ({@code /} is true division, {@code %} takes
 * the divisor's sign as numpy does). As in PyTables, write comparisons inside parentheses when
 * joining them: {@code (x > 0.5) & (k < 3)}.
 */
final class TableCondition {
    /** A compiled expression over the values of the columns it uses. */
    interface Node {
        double eval(double[] cols);
    }

    private final String text;
    private final List<TableField> columns = new ArrayList<>();
    private final Node root;
    private int pos;

    private TableCondition(String text, Map<String, Double> vars, Hdf5Table table) {
        this.text = text;
        this.root = compile(vars, table);
    }

    /**
     * @param text  the condition
     * @param vars  bound variables (they win over columns of the same name)
     * @param table the table whose columns the names refer to
     * @return the compiled condition
     * @throws InvalidConfigurationException for a syntax error or an unknown name (naming the table)
     */
    static TableCondition compile(String text, Map<String, Double> vars, Hdf5Table table) {
        return new TableCondition(text, vars, table);
    }

    /** @return the columns the condition reads, in the order of {@link #test}'s values */
    List<TableField> columns() {
        return columns;
    }

    /**
     * @param cols the values of {@link #columns()} for one record
     * @return true when the record matches
     */
    boolean test(double[] cols) {
        return root.eval(cols) != 0;
    }

    // ---- parser -----------------------------------------------------------------------------

    private Map<String, Double> vars;
    private Hdf5Table table;

    private Node compile(Map<String, Double> v, Hdf5Table t) {
        this.vars = v;
        this.table = t;
        Node n = comparison();
        skip();
        if (pos < text.length()) {
            throw error("unexpected '" + text.charAt(pos) + "'");
        }
        return n;
    }

    private InvalidConfigurationException error(String what) {
        return new InvalidConfigurationException("condition '" + text + "' on the table '" + table.path() + "': " + what
                + " at position " + pos);
    }

    private void skip() {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
            pos++;
        }
    }

    private boolean eat(String op) {
        skip();
        if (text.startsWith(op, pos)) {
            // '*' must not eat the first half of '**', '<' not the first half of '<='
            if ((op.equals("*") && text.startsWith("**", pos)) || ((op.equals("<") || op.equals(">")) && text.startsWith("=", pos + 1))) {
                return false;
            }
            pos += op.length();
            return true;
        }
        return false;
    }

    private Node comparison() {
        Node left = or();
        Node result = null;
        while (true) {
            String op = null;
            for (String o : new String[] {"<=", ">=", "==", "!=", "<", ">"}) {
                if (eat(o)) {
                    op = o;
                    break;
                }
            }
            if (op == null) {
                return result == null ? left : result;
            }
            Node a = left;
            Node b = or();
            Node cmp = switch (op) {
                case "<=" -> c -> a.eval(c) <= b.eval(c) ? 1 : 0;
                case ">=" -> c -> a.eval(c) >= b.eval(c) ? 1 : 0;
                case "==" -> c -> a.eval(c) == b.eval(c) ? 1 : 0;
                case "!=" -> c -> a.eval(c) != b.eval(c) ? 1 : 0;
                case "<" -> c -> a.eval(c) < b.eval(c) ? 1 : 0;
                default -> c -> a.eval(c) > b.eval(c) ? 1 : 0;
            };
            Node prev = result;
            result = prev == null ? cmp : c -> prev.eval(c) != 0 && cmp.eval(c) != 0 ? 1 : 0;
            left = b;
        }
    }

    private Node or() {
        Node n = xor();
        while (eat("|")) {
            Node a = n;
            Node b = xor();
            n = c -> a.eval(c) != 0 || b.eval(c) != 0 ? 1 : 0;
        }
        return n;
    }

    private Node xor() {
        Node n = and();
        while (eat("^")) {
            Node a = n;
            Node b = and();
            n = c -> (a.eval(c) != 0) ^ (b.eval(c) != 0) ? 1 : 0;
        }
        return n;
    }

    private Node and() {
        Node n = sum();
        while (eat("&")) {
            Node a = n;
            Node b = sum();
            n = c -> a.eval(c) != 0 && b.eval(c) != 0 ? 1 : 0;
        }
        return n;
    }

    private Node sum() {
        Node n = product();
        while (true) {
            Node a = n;
            if (eat("+")) {
                Node b = product();
                n = c -> a.eval(c) + b.eval(c);
            } else if (eat("-")) {
                Node b = product();
                n = c -> a.eval(c) - b.eval(c);
            } else {
                return n;
            }
        }
    }

    private Node product() {
        Node n = unary();
        while (true) {
            Node a = n;
            if (eat("*")) {
                Node b = unary();
                n = c -> a.eval(c) * b.eval(c);
            } else if (eat("/")) {
                Node b = unary();
                n = c -> a.eval(c) / b.eval(c);
            } else if (eat("%")) {
                Node b = unary();
                n = c -> {
                    double x = a.eval(c);
                    double y = b.eval(c);
                    return x - Math.floor(x / y) * y;
                };
            } else {
                return n;
            }
        }
    }

    private Node unary() {
        if (eat("-")) {
            Node a = unary();
            return c -> -a.eval(c);
        }
        if (eat("+")) {
            return unary();
        }
        if (eat("~")) {
            Node a = unary();
            return c -> a.eval(c) != 0 ? 0 : 1;
        }
        return power();
    }

    private Node power() {
        Node base = atom();
        if (eat("**")) {
            Node e = unary();
            return c -> Math.pow(base.eval(c), e.eval(c));
        }
        return base;
    }

    private Node atom() {
        skip();
        if (pos >= text.length()) {
            throw error("the condition ends early");
        }
        char ch = text.charAt(pos);
        if (ch == '(') {
            pos++;
            Node n = comparison();
            if (!eat(")")) {
                throw error("missing ')'");
            }
            return n;
        }
        if (Character.isDigit(ch) || ch == '.') {
            int s = pos;
            while (pos < text.length() && (Character.isDigit(text.charAt(pos)) || text.charAt(pos) == '.')) {
                pos++;
            }
            if (pos < text.length() && (text.charAt(pos) == 'e' || text.charAt(pos) == 'E')) {
                pos++;
                if (pos < text.length() && (text.charAt(pos) == '+' || text.charAt(pos) == '-')) {
                    pos++;
                }
                while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
                    pos++;
                }
            }
            double v;
            try {
                v = Double.parseDouble(text.substring(s, pos));
            } catch (NumberFormatException e) {
                pos = s;
                throw error("bad number '" + text.substring(s) + "'");
            }
            return c -> v;
        }
        if (Character.isJavaIdentifierStart(ch)) {
            int s = pos;
            while (pos < text.length() && Character.isJavaIdentifierPart(text.charAt(pos))) {
                pos++;
            }
            String name = text.substring(s, pos);
            if (vars.containsKey(name)) {
                double v = vars.get(name);
                return c -> v;
            }
            if (name.equals("True") || name.equals("False")) {
                double v = name.equals("True") ? 1 : 0;
                return c -> v;
            }
            TableField f = table.fieldOrNull(name);
            if (f == null) {
                pos = s;
                throw error("'" + name + "' is neither a bound variable " + vars.keySet() + " nor a column " + table.fieldNames());
            }
            if (!f.scalar()) {
                pos = s;
                throw error("the column '" + name + "' (" + f + ") is not a scalar number; conditions use scalar numeric columns");
            }
            int idx = columns.indexOf(f);
            if (idx < 0) {
                idx = columns.size();
                columns.add(f);
            }
            int k = idx;
            return c -> c[k];
        }
        throw error("unexpected '" + ch + "'");
    }
}
