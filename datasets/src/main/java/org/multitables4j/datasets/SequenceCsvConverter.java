package org.multitables4j.datasets;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A directory of sequence CSV files (one file per sequence, one line per step, as DL4J's
 * {@code CSVSequenceRecordReader} reads them) to a sequence training file in a
 * {@link SequenceLayout}, through {@link SequenceWriter}. Two passes: the first checks every
 * file (field counts, numbers, label counts) and measures the sequences, the second writes one
 * sequence at a time. Labels come from a column of every step, or from a directory of label
 * files. Label values: int64 when all are integers, float32 when all are numbers, otherwise
 * int64 class indices (order of first appearance) with {@code class_names}.
 */
final class SequenceCsvConverter {
    /** Receives the fields of one step. */
    private interface Row {
        void accept(List<String> fields, long lineNo);
    }

    private final SequenceCsvOptions o;
    private final CsvFields splitter;
    private Path current;
    private long lineNo;

    private SequenceCsvConverter(SequenceCsvOptions o) {
        this.o = o;
        this.splitter = new CsvFields(o.delimiter());
    }

    static Convert.SequenceSummary convert(Path dir, SequenceCsvOptions o, SequenceLayout layout, Path out,
                                           WriteOptions options, boolean quiet) {
        return new SequenceCsvConverter(o).run(dir, layout, out, options, quiet);
    }

    private Convert.SequenceSummary run(Path dir, SequenceLayout layout, Path out, WriteOptions options, boolean quiet) {
        List<Path> files = list(dir, "sequence");
        List<Path> labelFiles = o.labelsDir() == null ? null : list(o.labelsDir(), "label");
        if (labelFiles != null && labelFiles.size() != files.size()) {
            throw new DatasetsException("The label directory " + o.labelsDir() + " holds " + labelFiles.size()
                    + " files matching '" + o.pattern() + "' but the sequence directory " + dir + " holds " + files.size());
        }
        List<Path> inputs = new ArrayList<>(files);
        if (labelFiles != null) {
            inputs.addAll(labelFiles);
        }
        SameFile.requireDistinct(out, inputs.toArray(new Path[0]));

        // pass 1: shapes, numbers, labels
        int n = files.size();
        int[] lengths = new int[n];
        int[] columns = {-1};
        int[] label = {-1};
        Labels labels = new Labels();
        try (Progress p = new Progress("scan " + dir.getFileName(), n, quiet, "files")) {
            for (int i = 0; i < n; i++) {
                int seq = i;
                read(files.get(i), o.skipLines(), (f, line) -> {
                    if (columns[0] < 0) {
                        columns[0] = f.size();
                        if (o.labelIndex() != null) {
                            int li = o.labelIndex() < 0 ? f.size() + o.labelIndex() : o.labelIndex();
                            if (li < 0 || li >= f.size()) {
                                throw error("label column " + o.labelIndex() + " is outside its " + f.size() + " columns");
                            }
                            label[0] = li;
                        }
                    } else if (f.size() != columns[0]) {
                        throw error(f.size() + " fields, the first sequence file has " + columns[0]);
                    }
                    for (int c = 0; c < f.size(); c++) {
                        String v = f.get(c).trim();
                        if (c == label[0]) {
                            labels.see(v);
                        } else if (!v.isEmpty() && !CsvFields.isNumber(v)) {
                            throw error("column " + c + ": '" + v + "' is not a number");
                        }
                    }
                    lengths[seq]++;
                });
                if (lengths[i] == 0) {
                    throw new DatasetsException("Sequence file " + files.get(i) + " has no steps");
                }
                p.step(1);
            }
        }
        SequenceWriter.LabelMode mode = o.labelIndex() != null ? SequenceWriter.LabelMode.STEP : null;
        if (labelFiles != null) {
            mode = scanLabelFiles(labelFiles, lengths, labels);
        }
        labels.check();
        int features = columns[0] - (label[0] >= 0 ? 1 : 0);
        int longest = 0;
        long steps = 0;
        for (int len : lengths) {
            longest = Math.max(longest, len);
            steps += len;
        }
        ElementKind labelKind = mode == null ? null : labels.kind();
        SequenceWriter.LabelMode labelMode = mode;
        int maxLength = longest;

        // pass 2: write sequence after sequence
        H5Writer.write(out, w -> {
            SequenceWriter sw = new SequenceWriter(w, "", layout, features, maxLength, labelKind, labelMode, options);
            float[] values = new float[maxLength * features];
            long[] longs = new long[maxLength];
            float[] floats = new float[maxLength];
            try (Progress p = new Progress("convert " + dir.getFileName(), n, quiet, "sequences")) {
                for (int i = 0; i < n; i++) {
                    int[] step = {0};
                    read(files.get(i), o.skipLines(), (f, line) -> {
                        int k = 0;
                        for (int c = 0; c < f.size(); c++) {
                            String v = f.get(c).trim();
                            if (c == label[0]) {
                                labels.put(v, step[0], longs, floats);
                            } else {
                                values[step[0] * features + k++] = v.isEmpty() ? Float.NaN : CsvFields.toFloat(v);
                            }
                        }
                        step[0]++;
                    });
                    if (labelFiles != null) {
                        int[] j = {0};
                        read(labelFiles.get(i), 0, (f, line) -> labels.put(f.get(0).trim(), j[0]++, longs, floats));
                    }
                    sw.add(values, lengths[i], longs, floats);
                    p.step(1);
                }
            }
            sw.finish();
            w.attribute("/", "source", "CSV sequences " + dir.getFileName() + " (" + n + " files '" + o.pattern() + "'"
                    + (labelFiles == null ? "" : ", labels " + o.labelsDir().getFileName()) + ")");
            w.attribute("/", "created_by", H5Writer.CREATED_BY);
            if (labelKind != null && !labels.classNames().isEmpty()) {
                w.attribute("/", "class_names", labels.classNames());
                w.attribute("/y", "class_names", labels.classNames());
            }
        });
        return new Convert.SequenceSummary(n, steps, features, longest, labelKind,
                labelMode == null ? null : labelMode.name().toLowerCase(), labels.classNames());
    }

    /** Label files: one line each (a label per sequence) or one line per step of their sequence. */
    private SequenceWriter.LabelMode scanLabelFiles(List<Path> labelFiles, int[] lengths, Labels labels) {
        int[] counts = new int[lengths.length];
        boolean allOne = true;
        for (int i = 0; i < labelFiles.size(); i++) {
            int seq = i;
            read(labelFiles.get(i), 0, (f, line) -> {
                if (f.size() != 1) {
                    throw error(f.size() + " fields; a label file holds one label per line");
                }
                labels.see(f.get(0).trim());
                counts[seq]++;
            });
            allOne &= counts[i] == 1;
        }
        for (int i = 0; i < counts.length; i++) {
            if (!allOne && counts[i] != lengths[i]) {
                throw new DatasetsException("Label file " + labelFiles.get(i) + " has " + counts[i] + " labels but its sequence "
                        + "has " + lengths[i] + " steps (give one label per sequence in every file, or one per step)");
            }
        }
        return allOne ? SequenceWriter.LabelMode.SEQUENCE : SequenceWriter.LabelMode.STEP;
    }

    /** The files matching the pattern, in natural order. */
    private List<Path> list(Path dir, String what) {
        if (!Files.isDirectory(dir)) {
            throw new DatasetsException("No such directory: " + dir + " (the " + what + " directory)");
        }
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, o.pattern())) {
            for (Path p : ds) {
                if (Files.isRegularFile(p) && !p.getFileName().toString().startsWith(".")) {
                    out.add(p);
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new DatasetsException("Cannot list " + dir + " with pattern '" + o.pattern() + "': " + e, e);
        }
        if (out.isEmpty()) {
            throw new DatasetsException("The " + what + " directory " + dir + " has no files matching '" + o.pattern() + "'");
        }
        out.sort(Comparator.comparing((Path p) -> p.getFileName().toString(), SequenceCsvConverter::natural));
        return out;
    }

    /** Compares names with digit runs as numbers. */
    static int natural(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            char ca = a.charAt(i);
            char cb = b.charAt(j);
            if (Character.isDigit(ca) && Character.isDigit(cb)) {
                int si = i;
                int sj = j;
                while (i < a.length() && Character.isDigit(a.charAt(i))) {
                    i++;
                }
                while (j < b.length() && Character.isDigit(b.charAt(j))) {
                    j++;
                }
                String da = a.substring(si, i).replaceFirst("^0+(?=.)", "");
                String db = b.substring(sj, j).replaceFirst("^0+(?=.)", "");
                int c = da.length() != db.length() ? Integer.compare(da.length(), db.length()) : da.compareTo(db);
                if (c != 0) {
                    return c;
                }
            } else {
                if (ca != cb) {
                    return Character.compare(ca, cb);
                }
                i++;
                j++;
            }
        }
        int c = Integer.compare(a.length() - i, b.length() - j);
        return c != 0 ? c : a.compareTo(b);
    }

    /** Reads the non-blank lines after the first {@code skip}, split into fields. */
    private void read(Path file, int skip, Row row) {
        current = file;
        try (BufferedReader r = Files.newBufferedReader(file, o.encoding())) {
            lineNo = 0;
            String line;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (lineNo <= skip || line.isBlank()) {
                    continue;
                }
                if (lineNo == 1 && line.charAt(0) == '\uFEFF') {
                    line = line.substring(1);
                }
                List<String> f;
                try {
                    f = splitter.split(line);
                } catch (CsvFields.Malformed e) {
                    throw error(e.getMessage());
                }
                row.accept(f, lineNo);
            }
        } catch (NoSuchFileException e) {
            throw new DatasetsException("No such file: " + file, e);
        } catch (CharacterCodingException e) {
            throw TextEncoding.error(file, o.encoding(), e);
        } catch (IOException e) {
            throw new DatasetsException("Cannot read " + file + ": " + e, e);
        }
    }

    private DatasetsException error(String what) {
        return new DatasetsException("CSV file " + current + ", line " + lineNo + ": " + what);
    }

    /** The label values: their type, and class indices for non-numeric ones. */
    private final class Labels {
        private boolean integer = true;
        private boolean numeric = true;
        private final Map<String, Integer> classes = new LinkedHashMap<>();

        void see(String v) {
            if (v.isEmpty()) {
                throw error("empty label");
            }
            numeric &= CsvFields.isNumber(v);
            integer &= CsvFields.isInteger(v);
            if (classes.size() <= CsvConverter.MAX_CLASSES) {
                classes.putIfAbsent(v, classes.size()); // needed if a later value turns out not numeric
            }
        }

        void check() {
            if (!numeric && classes.size() > CsvConverter.MAX_CLASSES) {
                throw new DatasetsException("The labels are not numeric and have more than " + CsvConverter.MAX_CLASSES
                        + " distinct values");
            }
        }

        ElementKind kind() {
            return !numeric || integer ? ElementKind.INT64 : ElementKind.FLOAT32;
        }

        List<String> classNames() {
            return numeric ? List.of() : new ArrayList<>(classes.keySet());
        }

        /** Stores label {@code v} at {@code i} of the array of its kind. */
        void put(String v, int i, long[] longs, float[] floats) {
            if (!numeric) {
                Integer c = classes.get(v);
                if (c == null) {
                    throw error("label '" + v + "' was not in the file during the first pass");
                }
                longs[i] = c;
            } else if (integer) {
                longs[i] = Long.parseLong(v);
            } else {
                floats[i] = CsvFields.toFloat(v);
            }
        }
    }
}
