package org.multitables4j.datasets;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * How {@link Convert#csvSequences} reads a directory of sequence CSV files, one file per sequence
 * and one line per step — the input of DL4J's {@code CSVSequenceRecordReader}. Build from
 * {@link #DEFAULT} with the {@code with...} methods.
 *
 * @param pattern    glob of the sequence files in the directory (default {@code *.csv}); files are
 *                   taken in natural order (digit runs compared as numbers: {@code 2.csv} before
 *                   {@code 10.csv}, as DL4J's {@code NumberedFileInputSplit} numbers them)
 * @param skipLines  lines skipped at the top of every sequence file, e.g. 1 for a header (default 0,
 *                   as {@code CSVSequenceRecordReader(skipNumLines, delimiter)}); label files are
 *                   read whole
 * @param delimiter  field delimiter (default {@code ','})
 * @param encoding   text encoding (default UTF-8)
 * @param labelIndex column of a per-step label inside the sequence files (0-based; negative counts
 *                   from the end, -1 the last column), or null for none — DL4J's
 *                   {@code SequenceRecordReaderDataSetIterator(reader, batch, classes, labelIndex)}
 * @param labelsDir  a directory of label files matched to the sequence files in order (same
 *                   pattern), or null: files of one line give one label per sequence, files of as
 *                   many lines as their sequence a label per step — DL4J's two-reader form
 */
public record SequenceCsvOptions(String pattern, int skipLines, char delimiter, Charset encoding, Integer labelIndex,
                                 Path labelsDir) {
    /** {@code *.csv}, no skipped lines, commas, UTF-8, no labels. */
    public static final SequenceCsvOptions DEFAULT = new SequenceCsvOptions("*.csv", 0, ',', StandardCharsets.UTF_8,
            null, null);

    /** Checks the values. */
    public SequenceCsvOptions {
        if (pattern == null || pattern.isEmpty()) {
            throw new DatasetsException("The sequence file pattern must not be empty");
        }
        if (skipLines < 0) {
            throw new DatasetsException("--skip-lines must be >= 0, got " + skipLines);
        }
        if (encoding == null) {
            throw new DatasetsException("The encoding must be given");
        }
        if (labelIndex != null && labelsDir != null) {
            throw new DatasetsException("Give either a label column (--label-index) or a label directory (--labels), not both");
        }
    }

    /**
     * @param glob glob of the sequence files
     * @return a copy with it
     */
    public SequenceCsvOptions withPattern(String glob) {
        return new SequenceCsvOptions(glob, skipLines, delimiter, encoding, labelIndex, labelsDir);
    }

    /**
     * @param lines lines skipped at the top of every file
     * @return a copy with it
     */
    public SequenceCsvOptions withSkipLines(int lines) {
        return new SequenceCsvOptions(pattern, lines, delimiter, encoding, labelIndex, labelsDir);
    }

    /**
     * @param d field delimiter
     * @return a copy with it
     */
    public SequenceCsvOptions withDelimiter(char d) {
        return new SequenceCsvOptions(pattern, skipLines, d, encoding, labelIndex, labelsDir);
    }

    /**
     * @param cs text encoding
     * @return a copy with it
     */
    public SequenceCsvOptions withEncoding(Charset cs) {
        return new SequenceCsvOptions(pattern, skipLines, delimiter, cs, labelIndex, labelsDir);
    }

    /**
     * @param index column of the per-step label (negative: from the end)
     * @return a copy with it
     */
    public SequenceCsvOptions withLabelIndex(int index) {
        return new SequenceCsvOptions(pattern, skipLines, delimiter, encoding, index, labelsDir);
    }

    /**
     * @param dir directory of label files
     * @return a copy with it
     */
    public SequenceCsvOptions withLabelsDir(Path dir) {
        return new SequenceCsvOptions(pattern, skipLines, delimiter, encoding, labelIndex, dir);
    }
}
