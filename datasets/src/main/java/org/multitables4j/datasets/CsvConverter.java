package org.multitables4j.datasets;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CSV with a header line to {@code /x} (numeric feature columns, float32) and {@code /y} (the
 * label column). Two streaming passes, each holding one block of rows: the first checks every row
 * (field count, which columns are numeric, whether the labels are integers) and counts rows; the
 * second parses and writes. Fields and numbers are read by {@link CsvFields}. Empty feature values
 * become NaN.
 */
final class CsvConverter {
    /** Most distinct values a non-numeric label column may have. */
    static final int MAX_CLASSES = 65536;

    private final Path csv;
    private final Charset encoding;
    private final CsvFields fields;
    private long lineNo;

    private CsvConverter(Path csv, char delimiter, Charset encoding) {
        this.csv = csv;
        this.fields = new CsvFields(delimiter);
        this.encoding = encoding;
    }

    static Convert.CsvSummary convert(Path csv, String labelColumn, char delimiter, Charset encoding, Path out,
                                      WriteOptions options, boolean quiet) {
        SameFile.requireDistinct(out, csv);
        return new CsvConverter(csv, delimiter, encoding).run(labelColumn, out, options, quiet);
    }

    private Convert.CsvSummary run(String labelColumn, Path out, WriteOptions options, boolean quiet) {
        // pass 1: validate and classify
        String[] header;
        int label = -1;
        boolean[] numeric;
        boolean labelInteger = true;
        boolean labelNumeric = true;
        boolean tooManyClasses = false;
        Map<String, Integer> classes = new LinkedHashMap<>();
        long rows = 0;
        try (BufferedReader r = Files.newBufferedReader(csv, encoding);
             Progress p = new Progress("scan " + csv.getFileName(), -1, quiet)) {
            String h = r.readLine();
            lineNo = 1;
            if (h == null || h.isBlank()) {
                throw new DatasetsException("CSV file " + csv + " is empty (a header line is needed)");
            }
            if (h.charAt(0) == '\uFEFF') {
                h = h.substring(1);
            }
            header = split(h).toArray(new String[0]);
            for (int i = 0; i < header.length; i++) {
                header[i] = header[i].trim();
                if (labelColumn != null && header[i].equals(labelColumn)) {
                    label = i;
                }
            }
            if (labelColumn != null && label < 0) {
                throw new DatasetsException("CSV file " + csv + " has no column '" + labelColumn + "'; its columns: "
                        + String.join(", ", header));
            }
            numeric = new boolean[header.length];
            Arrays.fill(numeric, true);
            String line;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                List<String> f = fieldsOf(line, header.length);
                for (int i = 0; i < header.length; i++) {
                    String v = f.get(i).trim();
                    if (i == label) {
                        if (v.isEmpty()) {
                            throw error("empty label");
                        }
                        if (labelNumeric && !CsvFields.isNumber(v)) {
                            labelNumeric = false;
                        }
                        if (labelInteger && !CsvFields.isInteger(v)) {
                            labelInteger = false;
                        }
                        if (!tooManyClasses && !classes.containsKey(v)) {
                            if (classes.size() == MAX_CLASSES) {
                                tooManyClasses = true;
                            } else {
                                classes.put(v, classes.size());
                            }
                        }
                    } else if (numeric[i] && !v.isEmpty() && !CsvFields.isNumber(v)) {
                        numeric[i] = false;
                    }
                }
                rows++;
                if ((rows & 4095) == 0) {
                    p.step(4096);
                }
            }
            p.step(rows & 4095);
        } catch (NoSuchFileException e) {
            throw new DatasetsException("No such file: " + csv, e);
        } catch (CharacterCodingException e) {
            throw TextEncoding.error(csv, encoding, e);
        } catch (IOException e) {
            throw new DatasetsException("Cannot read " + csv + ": " + e, e);
        }
        boolean categorical = label >= 0 && !labelNumeric;
        if (categorical && tooManyClasses) {
            throw new DatasetsException("CSV file " + csv + ": label column '" + labelColumn + "' is not numeric and has more than "
                    + MAX_CLASSES + " distinct values");
        }
        List<String> features = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        int[] featureIndex = new int[header.length];
        for (int i = 0; i < header.length; i++) {
            featureIndex[i] = -1;
            if (i != label) {
                if (numeric[i]) {
                    featureIndex[i] = features.size();
                    features.add(header[i]);
                } else {
                    skipped.add(header[i]);
                }
            }
        }
        if (features.isEmpty()) {
            throw new DatasetsException("CSV file " + csv + " has no numeric feature column"
                    + (skipped.isEmpty() ? "" : " (not numeric: " + String.join(", ", skipped) + ")"));
        }
        ElementKind labelKind = label < 0 ? null
                : categorical || labelInteger ? ElementKind.INT64 : ElementKind.FLOAT32;
        List<String> classNames = categorical ? new ArrayList<>(classes.keySet()) : List.of();

        // pass 2: parse and write
        int nf = features.size();
        int block = (int) Math.max(1, Math.min(4096, (4 << 20) / (4L * nf)));
        final int labelCol = label;
        final long totalRows = rows;
        H5Writer.write(out, w -> {
            RowWriter x = w.dataset("/x", ElementKind.FLOAT32, new long[] {nf}, options);
            RowWriter y = labelCol < 0 ? null : w.dataset("/y", labelKind, new long[0], options);
            ByteBuffer xb = ByteBuffer.allocate(block * nf * 4).order(ByteOrder.LITTLE_ENDIAN);
            ByteBuffer yb = ByteBuffer.allocate(block * 8).order(ByteOrder.LITTLE_ENDIAN);
            try (BufferedReader r = Files.newBufferedReader(csv, encoding);
                 Progress p = new Progress("convert " + csv.getFileName(), totalRows, quiet)) {
                r.readLine();
                lineNo = 1;
                String line;
                int inBlock = 0;
                while ((line = r.readLine()) != null) {
                    lineNo++;
                    if (line.isBlank()) {
                        continue;
                    }
                    List<String> f = fieldsOf(line, header.length);
                    for (int i = 0; i < header.length; i++) {
                        String v = f.get(i).trim();
                        if (i == labelCol) {
                            if (categorical) {
                                Integer c = classes.get(v);
                                if (c == null) {
                                    throw error("label '" + v + "' was not in the file during the first pass");
                                }
                                yb.putLong(c);
                            } else if (labelKind == ElementKind.INT64) {
                                yb.putLong(parseLong(v, header[i]));
                            } else {
                                yb.putFloat(parseFloat(v, header[i]));
                            }
                        } else if (featureIndex[i] >= 0) {
                            xb.putFloat(v.isEmpty() ? Float.NaN : parseFloat(v, header[i]));
                        }
                    }
                    if (++inBlock == block) {
                        flush(x, xb, y, yb);
                        p.step(inBlock);
                        inBlock = 0;
                    }
                }
                flush(x, xb, y, yb);
                p.step(inBlock);
            } catch (CharacterCodingException e) {
                throw TextEncoding.error(csv, encoding, e);
            }
            w.attribute("/", "source", "CSV " + csv.getFileName());
            w.attribute("/", "created_by", H5Writer.CREATED_BY);
            w.attribute("/x", "columns", features);
            if (!skipped.isEmpty()) {
                w.attribute("/x", "skipped_columns", skipped);
            }
            if (y != null) {
                w.attribute("/y", "column", header[labelCol]);
                if (categorical) {
                    w.attribute("/", "class_names", classNames);
                    w.attribute("/y", "class_names", classNames);
                }
            }
        });
        return new Convert.CsvSummary(rows, features, skipped, label < 0 ? null : header[label], labelKind, classNames);
    }

    private static void flush(RowWriter x, ByteBuffer xb, RowWriter y, ByteBuffer yb) {
        xb.flip();
        x.append(xb);
        xb.clear();
        yb.flip();
        if (y != null) {
            y.append(yb);
        }
        yb.clear();
    }

    private DatasetsException error(String what) {
        return new DatasetsException("CSV file " + csv + ", line " + lineNo + ": " + what);
    }

    private List<String> fieldsOf(String line, int expected) {
        List<String> f = split(line);
        if (f.size() != expected) {
            throw error(f.size() + " fields, the header has " + expected);
        }
        return f;
    }

    private float parseFloat(String v, String column) {
        try {
            return CsvFields.toFloat(v);
        } catch (NumberFormatException e) {
            throw error("column '" + column + "': '" + v + "' is not a number");
        }
    }

    private long parseLong(String v, String column) {
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw error("column '" + column + "': '" + v + "' is not an integer");
        }
    }

    private List<String> split(String line) {
        try {
            return fields.split(line);
        } catch (CsvFields.Malformed e) {
            throw error(e.getMessage());
        }
    }
}
