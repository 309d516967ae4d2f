package org.multitables4j.datasets.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.multitables4j.datasets.Convert;
import org.multitables4j.datasets.DatasetsException;
import org.multitables4j.datasets.Generate;
import org.multitables4j.datasets.SequenceCsvOptions;
import org.multitables4j.datasets.SequenceLayout;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The sequence commands of the {@code datasets} command line: {@code convert csv-sequences} and
 * {@code generate sequences}, writing sequence training files for recurrent networks.
 */
final class SequenceCommands {
    private SequenceCommands() {
    }

    /** The {@code --layout} option of the sequence commands. */
    static final class LayoutOption {
        @Option(names = "--layout", paramLabel = "ragged|padded",
                description = "ragged: /x [steps, F] + /offsets + /lengths; padded: /x [n, T, F] zero-padded + /lengths "
                        + "(default: ${DEFAULT-VALUE})")
        String layout = "ragged";

        SequenceLayout layout() {
            switch (layout.toLowerCase()) {
                case "ragged": return SequenceLayout.RAGGED;
                case "padded": return SequenceLayout.PADDED;
                default: throw new DatasetsException("Unknown --layout '" + layout + "'; use ragged or padded");
            }
        }
    }

    @Command(name = "csv-sequences", mixinStandardHelpOptions = true,
            description = "A directory of sequence CSV files (one file per sequence, one line per step, numeric; "
                    + "DL4J's CSVSequenceRecordReader input) to /x float32, /lengths and /offsets int64 and /y "
                    + "(per step from --label-index, or per sequence or per step from --labels DIR).")
    static final class CsvSequencesCmd implements Callable<Integer> {
        @Mixin
        CliOptions.Common c = new CliOptions.Common();

        @Mixin
        CliOptions.Storage s = new CliOptions.Storage();

        @Mixin
        LayoutOption layout = new LayoutOption();

        @Parameters(index = "0", paramLabel = "DIR", description = "directory of sequence files")
        Path dir;

        @Option(names = "--pattern", paramLabel = "GLOB",
                description = "sequence (and label) file names; taken in natural order, 2.csv before 10.csv "
                        + "(default: ${DEFAULT-VALUE})")
        String pattern = "*.csv";

        @Option(names = "--skip-lines", paramLabel = "N", description = "lines skipped at the top of every file, "
                + "e.g. 1 for a header (default: ${DEFAULT-VALUE})")
        int skipLines;

        @Option(names = "--label-index", paramLabel = "COLUMN",
                description = "column of a per-step label (0-based; -1 = last column); the other columns are features")
        Integer labelIndex;

        @Option(names = "--labels", paramLabel = "DIR",
                description = "directory of label files, matched to the sequence files in order: one line each = one "
                        + "label per sequence, one line per step = a label per step")
        Path labels;

        @Option(names = "--delimiter", description = "field delimiter, one character or 'tab' (default: ${DEFAULT-VALUE})")
        String delimiter = ",";

        @Option(names = "--encoding", paramLabel = "CHARSET", description = "text encoding (default: ${DEFAULT-VALUE})")
        String encoding = "UTF-8";

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            SequenceCsvOptions f = new SequenceCsvOptions(pattern, skipLines, CliOptions.delimiter(delimiter), Convert.encoding(encoding),
                    labelIndex, labels);
            Convert.SequenceSummary r = Convert.csvSequences(dir, f, layout.layout(), s.out, s.options(), c.quiet);
            if (!c.quiet) {
                spec.commandLine().getErr().println("note: " + r.sequences() + " sequences, " + r.steps() + " steps, "
                        + r.features() + " features, longest " + r.maxLength()
                        + (r.labelMode() == null ? ", no labels" : ", " + r.labelKind() + " labels per " + r.labelMode()));
            }
            return 0;
        }
    }

    @Command(name = "sequences", mixinStandardHelpOptions = true,
            description = "Variable-length sequences, values uniform in [-1, 1); label 1 when the sequence's sum is "
                    + "positive (or, with --per-step, the running sum at each step): /x, /lengths, /offsets, /y int64.")
    static final class SequencesCmd implements Callable<Integer> {
        @Mixin
        CliOptions.Common c = new CliOptions.Common();

        @Mixin
        CliOptions.Storage s = new CliOptions.Storage();

        @Mixin
        LayoutOption layout = new LayoutOption();

        @Option(names = "--sequences", required = true, description = "sequences (training ones with --test-sequences)")
        long sequences;

        @Option(names = "--test-sequences", description = "sequences of a /test split (default: none)")
        long testSequences;

        @Option(names = "--min-length", description = "shortest sequence (default: ${DEFAULT-VALUE})")
        int minLength = 5;

        @Option(names = "--max-length", description = "longest sequence; T of the padded layout (default: ${DEFAULT-VALUE})")
        int maxLength = 50;

        @Option(names = "--dim", description = "features per step (default: ${DEFAULT-VALUE})")
        int dim = 1;

        @Option(names = "--per-step", description = "a label per step (running sum > 0) instead of per sequence")
        boolean perStep;

        @Option(names = "--seed", description = "seed (default: ${DEFAULT-VALUE})")
        long seed = 1;

        @Override
        public Integer call() {
            Generate.sequences(sequences, testSequences, minLength, maxLength, dim, seed, perStep, layout.layout(), s.out,
                    s.options(), c.quiet);
            return 0;
        }
    }
}
