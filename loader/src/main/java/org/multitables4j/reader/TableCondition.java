package org.multitables4j.reader;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.multitables4j.InvalidConfigurationException;
import org.multitables4j.internal.hdf5.ElementConverter;
import org.multitables4j.internal.hdf5.ElementType;
import org.multitables4j.reader.ConditionNode.Kind;

/**
 * A row condition in PyTables' syntax (the common subset of numexpr expressions), compiled
 * against a table's columns and bound variables, evaluated one record at a time.
 *
 * <p>Grammar, with Python's precedence (lowest first): comparisons {@code < <= > >= == !=}
 * (chained as in Python: {@code a < b < c}, which numexpr itself refuses), {@code |}, {@code ^},
 * {@code &}, {@code + -}, {@code * / %}, unary {@code - + ~}, {@code **}; parentheses, numbers
 * ({@code 3}, {@code 0.5}, {@code 1e-3}), {@code True}/{@code False}, and names: a bound
 * variable, else a scalar numeric or bool column. {@code &}, {@code |}, {@code ^}, {@code ~}
 * are logical (a nonzero value is true), as in conditions. Values and operations are typed as
 * numexpr types them ({@link ConditionNode}): int32 arithmetic wraps, float32 columns meeting
 * integers stay float32, int64 values compare exactly, integer {@code %} takes the dividend's
 * sign. Operations of literals alone are Python's ({@link ConstantFolding}), as in PyTables,
 * where Python computes them first. As in PyTables, write comparisons inside parentheses when
 * joining them:
 * {@code (x > 0.5) & (k < 3)}.
 */
final class TableCondition {
    private final String text;
    private final List<TableField> columns = new ArrayList<>();
    private final List<Kind> kinds = new ArrayList<>();
    private final Map<String, ? extends Number> vars;
    private final Hdf5Table table;
    private final ConditionNode root;
    private int pos;

    private TableCondition(String text, Map<String, ? extends Number> vars, Hdf5Table table) {
        this.text = text;
        this.vars = vars;
        this.table = table;
        ConditionNode n = comparison();
        skip();
        if (pos < text.length()) {
            throw error("unexpected '" + text.charAt(pos) + "'");
        }
        this.root = n;
    }

    /**
     * @param text  the condition
     * @param vars  bound variables (they win over columns of the same name): integers
     *              ({@code Long}, {@code Integer}, ...) are int64 as numpy's, others are doubles
     * @param table the table whose columns the names refer to
     * @return the compiled condition
     * @throws InvalidConfigurationException for a syntax error or an unknown name (naming the table)
     */
    static TableCondition compile(String text, Map<String, ? extends Number> vars, Hdf5Table table) {
        return new TableCondition(text, vars, table);
    }

    /**
     * @param block a block of records (in any byte order; each column is read in its own)
     * @return a test of the records of that block; one per thread
     */
    Matcher matcher(ByteBuffer block) {
        return new Matcher(block);
    }

    /** Tests the records of one block. Not thread-safe. */
    final class Matcher {
        private final ByteBuffer little;
        private final ByteBuffer big;
        private final ConditionNode.Values values = new ConditionNode.Values(columns.size());

        Matcher(ByteBuffer block) {
            little = block.duplicate().order(ByteOrder.LITTLE_ENDIAN);
            big = block.duplicate().order(ByteOrder.BIG_ENDIAN);
        }

        /**
         * @param rec the record's byte offset in the block
         * @return true when the record matches
         */
        boolean test(int rec) {
            for (int i = 0; i < columns.size(); i++) {
                TableField f = columns.get(i);
                ElementType t = f.type();
                ByteBuffer b = t.byteOrder() == ByteOrder.BIG_ENDIAN ? big : little;
                if (kinds.get(i).integral()) {
                    values.l[i] = ElementConverter.readInteger(b, rec + f.offset(), t);
                } else {
                    values.d[i] = ElementConverter.readIntegerAsDouble(b, rec + f.offset(), t);
                }
            }
            return root.truth(values);
        }
    }

    /** numexpr's kind of a column of this stored type, or null where numexpr has none (uint64). */
    static Kind kindOf(ElementType t) {
        return switch (t.kind()) {
            case BOOL -> Kind.BOOL;
            case FLOAT -> t.size() == 8 ? Kind.DOUBLE : Kind.FLOAT;
            case BFLOAT16 -> Kind.FLOAT;
            case INT -> t.size() == 8 ? Kind.LONG : Kind.INT;
            case UINT -> t.size() == 8 ? null : t.size() == 4 ? Kind.LONG : Kind.INT;
        };
    }

    // ---- parser -----------------------------------------------------------------------------

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

    private ConditionNode comparison() {
        ConditionNode left = or();
        ConditionNode result = null;
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
            ConditionNode b = or();
            ConditionNode cmp = ConditionNode.compare(op, left, b);
            ConditionNode prev = result;
            result = prev == null ? cmp : ConditionNode.bool(v -> prev.truth(v) && cmp.truth(v));
            left = b;
        }
    }

    private ConditionNode or() {
        ConditionNode n = xor();
        while (eat("|")) {
            ConditionNode a = n;
            ConditionNode b = xor();
            n = ConditionNode.bool(v -> a.truth(v) || b.truth(v));
        }
        return n;
    }

    private ConditionNode xor() {
        ConditionNode n = and();
        while (eat("^")) {
            ConditionNode a = n;
            ConditionNode b = and();
            n = ConditionNode.bool(v -> a.truth(v) ^ b.truth(v));
        }
        return n;
    }

    private ConditionNode and() {
        ConditionNode n = sum();
        while (eat("&")) {
            ConditionNode a = n;
            ConditionNode b = sum();
            n = ConditionNode.bool(v -> a.truth(v) && b.truth(v));
        }
        return n;
    }

    private ConditionNode sum() {
        ConditionNode n = product();
        while (true) {
            if (eat("+")) {
                n = arithmetic('+', n, product());
            } else if (eat("-")) {
                n = arithmetic('-', n, product());
            } else {
                return n;
            }
        }
    }

    private ConditionNode product() {
        ConditionNode n = unary();
        while (true) {
            if (eat("*")) {
                n = arithmetic('*', n, unary());
            } else if (eat("/")) {
                n = arithmetic('/', n, unary());
            } else if (eat("%")) {
                n = arithmetic('%', n, unary());
            } else {
                return n;
            }
        }
    }

    private ConditionNode unary() {
        if (eat("-")) {
            return negate(unary());
        }
        if (eat("+")) {
            return unary();
        }
        if (eat("~")) {
            ConditionNode a = unary();
            return ConditionNode.bool(v -> !a.truth(v));
        }
        return power();
    }

    private ConditionNode power() {
        ConditionNode base = atom();
        if (eat("**")) {
            ConditionNode e = unary();
            Kind k = Kind.max(base.kind, e.kind);
            if (!base.constant && k.integral() && e.constant && e.l(null) < 0) {
                // numexpr's rule; literals alone are Python's arithmetic (2 ** -1 is 0.5)
                throw error("integers to negative integer powers are not allowed");
            }
            return arithmetic('p', base, e);
        }
        return base;
    }

    /** @return {@code a op b}: folded as Python folds it when both are literals */
    private ConditionNode arithmetic(char op, ConditionNode a, ConditionNode b) {
        if (a.constant && b.constant) {
            try {
                return ConstantFolding.fold(op, a, b);
            } catch (IllegalArgumentException e) {
                throw error(e.getMessage());
            }
        }
        return ConditionNode.arithmetic(op, a, b);
    }

    /** @return {@code -a}: folded when it is a literal */
    private ConditionNode negate(ConditionNode a) {
        if (a.constant) {
            try {
                return ConstantFolding.negate(a);
            } catch (IllegalArgumentException e) {
                throw error(e.getMessage());
            }
        }
        return ConditionNode.negate(a);
    }

    private ConditionNode atom() {
        skip();
        if (pos >= text.length()) {
            throw error("the condition ends early");
        }
        char ch = text.charAt(pos);
        if (ch == '(') {
            pos++;
            ConditionNode n = comparison();
            if (!eat(")")) {
                throw error("missing ')'");
            }
            return n;
        }
        if (Character.isDigit(ch) || ch == '.') {
            return number();
        }
        if (Character.isJavaIdentifierStart(ch)) {
            int s = pos;
            while (pos < text.length() && Character.isJavaIdentifierPart(text.charAt(pos))) {
                pos++;
            }
            String name = text.substring(s, pos);
            if (vars.containsKey(name)) {
                Number v = vars.get(name);
                if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
                    return ConditionNode.integer(Kind.LONG, v.longValue());
                }
                return ConditionNode.floating(Kind.DOUBLE, v.doubleValue());
            }
            if (name.equals("True") || name.equals("False")) {
                return ConditionNode.integer(Kind.BOOL, name.equals("True") ? 1 : 0).literal();
            }
            return column(name, s);
        }
        throw error("unexpected '" + ch + "'");
    }

    private ConditionNode number() {
        int s = pos;
        boolean floating = false;
        while (pos < text.length() && (Character.isDigit(text.charAt(pos)) || text.charAt(pos) == '.')) {
            floating |= text.charAt(pos) == '.';
            pos++;
        }
        if (pos < text.length() && (text.charAt(pos) == 'e' || text.charAt(pos) == 'E')) {
            floating = true;
            pos++;
            if (pos < text.length() && (text.charAt(pos) == '+' || text.charAt(pos) == '-')) {
                pos++;
            }
            while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
                pos++;
            }
        }
        String literal = text.substring(s, pos);
        try {
            if (floating) {
                return ConditionNode.floating(Kind.DOUBLE, Double.parseDouble(literal)).literal();
            }
            long v = Long.parseLong(literal);
            return ConditionNode.integer(v <= Integer.MAX_VALUE ? Kind.INT : Kind.LONG, v).literal();
        } catch (NumberFormatException e) {
            pos = s;
            throw error("bad number '" + literal + "'");
        }
    }

    private ConditionNode column(String name, int at) {
        TableField f = table.fieldOrNull(name);
        if (f == null) {
            pos = at;
            throw error("'" + name + "' is neither a bound variable " + vars.keySet() + " nor a column " + table.fieldNames());
        }
        if (!f.scalar()) {
            pos = at;
            throw error("the column '" + name + "' (" + f + ") is not a scalar number; conditions use scalar numeric columns");
        }
        Kind k = kindOf(f.type());
        if (k == null) {
            pos = at;
            throw error("the column '" + name + "' (" + f + ") is unsigned 64-bit, which PyTables' conditions (numexpr) do not take");
        }
        int idx = columns.indexOf(f);
        if (idx < 0) {
            idx = columns.size();
            columns.add(f);
            kinds.add(k);
        }
        return ConditionNode.column(k, idx);
    }
}
