package org.multitables4j.datasets;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Splits CSV lines into fields and recognizes numbers. Fields may be quoted ({@code "a,b"},
 * {@code ""} for a quote) but may not span lines. Numbers are decimal
 * ({@code [+-]digits[.digits][e[+-]digits]}) or {@code nan}, {@code inf}, {@code infinity} in any
 * case with an optional sign. One instance per reading thread (it reuses its field list).
 */
final class CsvFields {
    /** A line that cannot be split; the caller adds the file and line. */
    static final class Malformed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Malformed(String message) {
            super(message);
        }
    }

    private final char delimiter;
    private final List<String> fields = new ArrayList<>();

    /** @param delimiter the field delimiter */
    CsvFields(char delimiter) {
        this.delimiter = delimiter;
    }

    /**
     * Splits one line; quoted fields may hold the delimiter and doubled quotes.
     *
     * @param line the line, without its line end
     * @return the fields (a list reused by the next call)
     * @throws Malformed for an unterminated quoted field or text after one
     */
    List<String> split(String line) {
        fields.clear();
        int n = line.length();
        if (line.indexOf('"') < 0) {
            int start = 0;
            for (int i = 0; i < n; i++) {
                if (line.charAt(i) == delimiter) {
                    fields.add(line.substring(start, i));
                    start = i + 1;
                }
            }
            fields.add(line.substring(start));
            return fields;
        }
        StringBuilder sb = new StringBuilder();
        int i = 0;
        while (true) {
            sb.setLength(0);
            while (i < n && line.charAt(i) == ' ') {
                i++;
            }
            if (i < n && line.charAt(i) == '"') {
                i++;
                while (true) {
                    if (i >= n) {
                        throw new Malformed("unterminated quoted field (fields may not span lines)");
                    }
                    char c = line.charAt(i++);
                    if (c == '"') {
                        if (i < n && line.charAt(i) == '"') {
                            sb.append('"');
                            i++;
                        } else {
                            break;
                        }
                    } else {
                        sb.append(c);
                    }
                }
                while (i < n && line.charAt(i) != delimiter) {
                    if (line.charAt(i) != ' ') {
                        throw new Malformed("text after a quoted field");
                    }
                    i++;
                }
            } else {
                while (i < n && line.charAt(i) != delimiter) {
                    sb.append(line.charAt(i++));
                }
            }
            fields.add(sb.toString());
            if (i >= n) {
                return fields;
            }
            i++;
        }
    }


    /**
     * @param v a field
     * @return its float value (nan/inf spelled in any case)
     * @throws NumberFormatException if it is not a number
     */
    static float toFloat(String v) {
        if (!isNumber(v)) {
            throw new NumberFormatException(v);
        }
        String s = special(v);
        return s != null ? Float.parseFloat(s) : Float.parseFloat(v);
    }

    /** @return Java's spelling of nan/inf (any case, optional sign), or null for other values */
    private static String special(String v) {
        int i = v.startsWith("+") || v.startsWith("-") ? 1 : 0;
        if (i >= v.length() || !Character.isLetter(v.charAt(i))) {
            return null;
        }
        String w = v.substring(i).toLowerCase(Locale.ROOT);
        if (w.equals("nan")) {
            return "NaN";
        }
        if (w.equals("inf") || w.equals("infinity")) {
            return (v.charAt(0) == '-' ? "-" : "") + "Infinity";
        }
        return null;
    }

    private static boolean digit(char c) {
        return c >= '0' && c <= '9';
    }

    /** A decimal number: {@code [+-]digits[.digits][e[+-]digits]}, or nan / inf. */
    static boolean isNumber(String v) {
        int n = v.length();
        int i = 0;
        if (n == 0) {
            return false;
        }
        if (special(v) != null) {
            return true;
        }
        if (v.charAt(0) == '+' || v.charAt(0) == '-') {
            i++;
        }
        int digits = 0;
        while (i < n && digit(v.charAt(i))) {
            i++;
            digits++;
        }
        if (i < n && v.charAt(i) == '.') {
            i++;
            while (i < n && digit(v.charAt(i))) {
                i++;
                digits++;
            }
        }
        if (digits == 0) {
            return false;
        }
        if (i < n && (v.charAt(i) == 'e' || v.charAt(i) == 'E')) {
            i++;
            if (i < n && (v.charAt(i) == '+' || v.charAt(i) == '-')) {
                i++;
            }
            int exp = 0;
            while (i < n && digit(v.charAt(i))) {
                i++;
                exp++;
            }
            if (exp == 0) {
                return false;
            }
        }
        return i == n;
    }

    /** An integer that fits in a long: {@code [+-]digits}. */
    static boolean isInteger(String v) {
        int n = v.length();
        int i = v.startsWith("+") || v.startsWith("-") ? 1 : 0;
        if (i == n) {
            return false;
        }
        for (int k = i; k < n; k++) {
            if (!digit(v.charAt(k))) {
                return false;
            }
        }
        try {
            Long.parseLong(v);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
