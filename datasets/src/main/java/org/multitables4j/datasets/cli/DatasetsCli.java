package org.multitables4j.datasets.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.multitables4j.datasets.Convert;
import org.multitables4j.datasets.DatasetsException;
import org.multitables4j.datasets.Generate;
import org.multitables4j.datasets.Inspect;
import org.multitables4j.datasets.WriteOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The {@code datasets} command line: {@code convert idx|fashion-mnist|csv|npy}, {@code generate},
 * {@code inspect}. Errors print one line (add {@code --verbose} for the stack trace) and exit 1.
 */
@Command(name = "datasets", mixinStandardHelpOptions = true, version = "multitables4j-datasets 0.1.0",
        description = "Write, convert and inspect HDF5 training sets.",
        subcommands = {DatasetsCli.ConvertCmd.class, DatasetsCli.GenerateCmd.class, DatasetsCli.InspectCmd.class})
public final class DatasetsCli {
    private DatasetsCli() {
    }

    /** Storage and output options shared by the writing commands. */
    static final class Storage {
        @Option(names = {"-o", "--output"}, required = true, description = "output HDF5 file")
        Path out;

        @Option(names = "--gzip", description = "deflate level 0-9 (default: ${DEFAULT-VALUE})")
        int gzip = 4;

        @Option(names = "--no-shuffle", description = "no byte shuffle before deflate")
        boolean noShuffle;

        @Option(names = "--chunk-bytes", description = "target chunk size in bytes (default: ${DEFAULT-VALUE})")
        long chunkBytes = 1 << 20;

        @Option(names = "--threads", description = "compression threads (default: cores)")
        int threads = Runtime.getRuntime().availableProcessors();

        @Option(names = {"-q", "--quiet"}, description = "no progress bar")
        boolean quiet;

        @Option(names = "--verbose", description = "stack traces on errors")
        boolean verbose;

        WriteOptions options() {
            return new WriteOptions(chunkBytes, gzip, !noShuffle, threads);
        }
    }

    @Command(name = "convert", mixinStandardHelpOptions = true, description = "Convert data to HDF5.",
            subcommands = {IdxCmd.class, FashionCmd.class, CsvCmd.class, NpyCmd.class})
    static final class ConvertCmd {
    }

    @Command(name = "idx", mixinStandardHelpOptions = true,
            description = "IDX images + labels (MNIST format, .gz or plain) to /train/x, /train/y[, /test/x, /test/y].")
    static final class IdxCmd implements Callable<Integer> {
        @Mixin
        Storage s = new Storage();

        @Option(names = "--images", required = true, description = "training images (IDX, ubyte)")
        Path images;

        @Option(names = "--labels", required = true, description = "training labels (IDX, ubyte)")
        Path labels;

        @Option(names = "--test-images", description = "test images")
        Path testImages;

        @Option(names = "--test-labels", description = "test labels")
        Path testLabels;

        @Override
        public Integer call() {
            if ((testImages == null) != (testLabels == null)) {
                throw new DatasetsException("--test-images and --test-labels go together");
            }
            Convert.idx(images, labels, testImages, testLabels, s.out, s.options(), null, s.quiet);
            return 0;
        }
    }

    @Command(name = "fashion-mnist", mixinStandardHelpOptions = true,
            description = "Fashion-MNIST (Debian dataset-fashion-mnist) to /train/*, /test/* with class names.")
    static final class FashionCmd implements Callable<Integer> {
        @Mixin
        Storage s = new Storage();

        @Option(names = "--dir", description = "directory of the four .gz files (default: ${DEFAULT-VALUE})")
        Path dir = Path.of("/usr/share/datasets/fashion-mnist");

        @Override
        public Integer call() {
            Convert.fashionMnist(dir, s.out, s.options(), s.quiet);
            return 0;
        }
    }

    @Command(name = "csv", mixinStandardHelpOptions = true,
            description = "CSV with a header to /x (float32 features) and /y (label column).")
    static final class CsvCmd implements Callable<Integer> {
        @Mixin
        Storage s = new Storage();

        @Parameters(index = "0", description = "input CSV")
        Path csv;

        @Option(names = "--label", description = "name of the label column (none: features only)")
        String label;

        @Override
        public Integer call() {
            Convert.csv(csv, label, s.out, s.options(), s.quiet);
            return 0;
        }
    }

    @Command(name = "npy", mixinStandardHelpOptions = true, description = "NumPy .npy array to one dataset.")
    static final class NpyCmd implements Callable<Integer> {
        @Mixin
        Storage s = new Storage();

        @Parameters(index = "0", description = "input .npy")
        Path npy;

        @Option(names = "--dataset", description = "dataset path (default: ${DEFAULT-VALUE})")
        String dataset = "/x";

        @Override
        public Integer call() {
            Convert.npy(npy, s.out, dataset, s.options(), s.quiet);
            return 0;
        }
    }

    @Command(name = "generate", mixinStandardHelpOptions = true,
            description = "Synthetic seeded data with learnable structure, any size, bounded memory.")
    static final class GenerateCmd implements Callable<Integer> {
        @Mixin
        Storage s = new Storage();

        @Parameters(index = "0", description = "clusters (Gaussian class clusters, float32) or images (uint8 blobs)")
        Generate.Kind kind;

        @Option(names = "--rows", required = true, description = "rows (training rows with --test-rows)")
        long rows;

        @Option(names = "--test-rows", description = "rows of a /test split (default: none)")
        long testRows;

        @Option(names = "--dim", description = "features per row (clusters; default: ${DEFAULT-VALUE})")
        int dim = 32;

        @Option(names = "--size", description = "image side (images; default: ${DEFAULT-VALUE})")
        int size = 28;

        @Option(names = "--classes", description = "classes (default: ${DEFAULT-VALUE})")
        int classes = 10;

        @Option(names = "--seed", description = "seed (default: ${DEFAULT-VALUE})")
        long seed = 1;

        @Override
        public Integer call() {
            Generate.write(kind, rows, testRows, kind == Generate.Kind.CLUSTERS ? dim : size, classes, seed, s.out,
                    s.options(), s.quiet);
            return 0;
        }
    }

    @Command(name = "inspect", mixinStandardHelpOptions = true,
            description = "Tree of groups and datasets: shape, type, chunks, filters, sizes, compression ratio.")
    static final class InspectCmd implements Callable<Integer> {
        @Parameters(index = "0", description = "HDF5 file")
        Path file;

        @Override
        public Integer call() {
            System.out.print(Inspect.describe(file));
            return 0;
        }
    }

    /**
     * Builds the command line with one-line error reporting.
     *
     * @return the picocli command line
     */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(DatasetsCli.class).setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            boolean verbose = parsed.originalArgs().contains("--verbose");
            cmd.getErr().println("error: " + ex.getMessage());
            if (verbose) {
                ex.printStackTrace(cmd.getErr());
            }
            return 1;
        });
        return cl;
    }

    /**
     * @param args see {@code --help}
     */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
