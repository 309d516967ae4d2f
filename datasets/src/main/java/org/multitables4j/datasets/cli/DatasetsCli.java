package org.multitables4j.datasets.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.multitables4j.datasets.Convert;
import org.multitables4j.datasets.DatasetsException;
import org.multitables4j.datasets.ElementKind;
import org.multitables4j.datasets.Generate;
import org.multitables4j.datasets.Inspect;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The {@code datasets} command line: {@code convert idx|fashion-mnist|csv|csv-sequences|npy},
 * {@code generate clusters|images|sequences}, {@code inspect}. Errors print one line on stderr (add
 * {@code --verbose} for the stack trace) and exit with status 1; usage errors exit with 2.
 */
@Command(name = "datasets", mixinStandardHelpOptions = true, version = "multitables4j-datasets 0.1.0",
        description = "Write, convert and inspect HDF5 training sets.",
        subcommands = {DatasetsCli.ConvertCmd.class, DatasetsCli.GenerateCmd.class, DatasetsCli.InspectCmd.class})
public final class DatasetsCli {
    private DatasetsCli() {
    }

    @Command(name = "convert", mixinStandardHelpOptions = true, description = "Convert data to HDF5.",
            synopsisSubcommandLabel = "(idx | fashion-mnist | csv | csv-sequences | npy)",
            subcommands = {IdxCmd.class, FashionCmd.class, CsvCmd.class, SequenceCommands.CsvSequencesCmd.class, NpyCmd.class})
    static final class ConvertCmd {
    }

    @Command(name = "idx", mixinStandardHelpOptions = true,
            description = "IDX images + labels (MNIST format, .gz or plain) to /train/x, /train/y[, /test/x, /test/y]; "
                    + "images keep their type (uint8), labels become int64.")
    static final class IdxCmd implements Callable<Integer> {
        @Mixin
        CliOptions.Common c = new CliOptions.Common();

        @Mixin
        CliOptions.Storage s = new CliOptions.Storage();

        @Option(names = "--images", required = true, description = "training images (IDX)")
        Path images;

        @Option(names = "--labels", required = true, description = "training labels (IDX)")
        Path labels;

        @Option(names = "--test-images", description = "test images (IDX)")
        Path testImages;

        @Option(names = "--test-labels", description = "test labels (IDX)")
        Path testLabels;

        @Override
        public Integer call() {
            if ((testImages == null) != (testLabels == null)) {
                throw new DatasetsException("--test-images and --test-labels go together");
            }
            Convert.idx(images, labels, testImages, testLabels, s.out, s.options(), null, c.quiet);
            return 0;
        }
    }

    @Command(name = "fashion-mnist", mixinStandardHelpOptions = true,
            description = "Fashion-MNIST (Debian's dataset-fashion-mnist) to /train/*, /test/* with class names.")
    static final class FashionCmd implements Callable<Integer> {
        @Mixin
        CliOptions.Common c = new CliOptions.Common();

        @Mixin
        CliOptions.Storage s = new CliOptions.Storage();

        @Option(names = "--dir", description = "directory of {train,t10k}-{images-idx3,labels-idx1}-ubyte.gz "
                + "(default: ${DEFAULT-VALUE})")
        Path dir = Convert.FASHION_MNIST_DIR;

        @Override
        public Integer call() {
            Convert.fashionMnist(dir, s.out, s.options(), c.quiet);
            return 0;
        }
    }

    @Command(name = "csv", mixinStandardHelpOptions = true,
            description = "CSV with a header line to /x (numeric columns, float32) and /y (the label column: int64 if "
                    + "all integers, float32 if numbers, else class indices with class_names).")
    static final class CsvCmd implements Callable<Integer> {
        @Mixin
        CliOptions.Common c = new CliOptions.Common();

        @Mixin
        CliOptions.Storage s = new CliOptions.Storage();

        @Parameters(index = "0", paramLabel = "IN.csv", description = "input CSV")
        Path csv;

        @Option(names = "--label", paramLabel = "COLUMN", description = "name of the label column (none: features only)")
        String label;

        @Spec
        CommandSpec spec;

        @Option(names = "--delimiter", description = "field delimiter, one character or 'tab' (default: ${DEFAULT-VALUE})")
        String delimiter = ",";

        @Option(names = "--encoding", paramLabel = "CHARSET",
                description = "text encoding of the file, e.g. ISO-8859-1, windows-1252 (default: ${DEFAULT-VALUE})")
        String encoding = "UTF-8";

        @Override
        public Integer call() {
            Convert.CsvSummary r = Convert.csv(csv, label, CliOptions.delimiter(delimiter), Convert.encoding(encoding), s.out,
                    s.options(), c.quiet);
            if (!c.quiet && !r.skipped().isEmpty()) {
                spec.commandLine().getErr().println("note: skipped non-numeric columns: " + String.join(", ", r.skipped()));
            }
            if (!c.quiet && !r.classNames().isEmpty()) {
                spec.commandLine().getErr().println("note: label column '" + r.label() + "' is not numeric; " + r.classNames().size()
                        + " classes stored as class_names");
            }
            return 0;
        }
    }

    @Command(name = "npy", mixinStandardHelpOptions = true,
            description = "NumPy .npy array (C order; f4 f8 i1 i2 i4 i8 u1 u2 u4 b1, either byte order) to one dataset.")
    static final class NpyCmd implements Callable<Integer> {
        @Mixin
        CliOptions.Common c = new CliOptions.Common();

        @Mixin
        CliOptions.Storage s = new CliOptions.Storage();

        @Parameters(index = "0", paramLabel = "IN.npy", description = "input .npy")
        Path npy;

        @Option(names = "--dataset", description = "dataset path (default: ${DEFAULT-VALUE})")
        String dataset = "/x";

        @Override
        public Integer call() {
            Convert.npy(npy, s.out, dataset, s.options(), c.quiet);
            return 0;
        }
    }

    /** Options shared by the generators. */
    static final class GenerateOptions {
        @Option(names = "--rows", required = true, description = "rows (training rows when --test-rows is given)")
        long rows;

        @Option(names = "--test-rows", description = "rows of a /test split; with it the data goes to /train and /test "
                + "(default: none)")
        long testRows;

        @Option(names = "--classes", description = "classes (default: ${DEFAULT-VALUE})")
        int classes = 10;

        @Option(names = "--seed", description = "seed (default: ${DEFAULT-VALUE})")
        long seed = 1;
    }

    @Command(name = "generate", mixinStandardHelpOptions = true,
            description = "Synthetic seeded data with learnable structure, any size, in bounded memory.",
            synopsisSubcommandLabel = "(clusters | images | sequences)",
            subcommands = {ClustersCmd.class, ImagesCmd.class, SequenceCommands.SequencesCmd.class})
    static final class GenerateCmd {
    }

    @Command(name = "clusters", mixinStandardHelpOptions = true,
            description = "Gaussian class clusters: /x float32 [rows, dim], /y int64.")
    static final class ClustersCmd implements Callable<Integer> {
        @Mixin
        CliOptions.Common c = new CliOptions.Common();

        @Mixin
        CliOptions.Storage s = new CliOptions.Storage();

        @Mixin
        GenerateOptions g = new GenerateOptions();

        @Option(names = "--dim", description = "features per row (default: ${DEFAULT-VALUE})")
        int dim = 32;

        @Override
        public Integer call() {
            Generate.write(Generate.Kind.CLUSTERS, g.rows, g.testRows, dim, g.classes, g.seed, ElementKind.FLOAT32,
                    s.out, s.options(), c.quiet);
            return 0;
        }
    }

    @Command(name = "images", mixinStandardHelpOptions = true,
            description = "Image-like blobs, one position and shape per class: /x [rows, size, size], /y int64.")
    static final class ImagesCmd implements Callable<Integer> {
        @Mixin
        CliOptions.Common c = new CliOptions.Common();

        @Mixin
        CliOptions.Storage s = new CliOptions.Storage();

        @Mixin
        GenerateOptions g = new GenerateOptions();

        @Option(names = "--size", description = "image side in pixels (default: ${DEFAULT-VALUE})")
        int size = 28;

        @Option(names = "--dtype", description = "uint8 (0-255) or float32 (0-1) (default: ${DEFAULT-VALUE})")
        String dtype = "uint8";

        @Override
        public Integer call() {
            ElementKind kind;
            switch (dtype.toLowerCase()) {
                case "uint8": kind = ElementKind.UINT8; break;
                case "float32": kind = ElementKind.FLOAT32; break;
                default: throw new DatasetsException("Unsupported dtype '" + dtype + "' for images; use uint8 or float32");
            }
            Generate.write(Generate.Kind.IMAGES, g.rows, g.testRows, size, g.classes, g.seed, kind, s.out, s.options(),
                    c.quiet);
            return 0;
        }
    }

    @Command(name = "inspect", mixinStandardHelpOptions = true,
            description = "Tree of groups and datasets: shape, dtype, chunks, filters, stored and logical size, "
                    + "compression ratio, attributes.")
    static final class InspectCmd implements Callable<Integer> {
        @Mixin
        CliOptions.Common c = new CliOptions.Common();

        @Parameters(index = "0", paramLabel = "FILE.h5", description = "HDF5 file")
        Path file;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            spec.commandLine().getOut().print(Inspect.describe(file));
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    /**
     * Builds the command line with one-line error reporting: a failing command prints
     * {@code error: MESSAGE} on its error stream (and the stack trace with {@code --verbose}) and
     * returns 1.
     *
     * @return the picocli command line
     */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(DatasetsCli.class);
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            boolean verbose = parsed.originalArgs().contains("--verbose");
            String msg = ex instanceof DatasetsException ? ex.getMessage() : ex.toString();
            cmd.getErr().println("error: " + (msg == null ? ex.getClass().getName() : msg.replace('\n', ' ')));
            if (verbose) {
                ex.printStackTrace(cmd.getErr());
            }
            cmd.getErr().flush();
            return 1;
        });
        return cl;
    }

    /**
     * Runs the command line and exits with its status.
     *
     * @param args see {@code --help}
     */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
