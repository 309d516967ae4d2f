package org.multitables4j.datasets.cli;

import java.nio.file.Path;
import org.multitables4j.datasets.DatasetsException;
import org.multitables4j.datasets.WriteOptions;
import picocli.CommandLine.Option;

/** Options shared by the commands of the {@code datasets} command line, and the parsing of shared option values. */
final class CliOptions {
    private CliOptions() {
    }

    /** Options every command has. */
    static final class Common {
        @Option(names = {"-q", "--quiet"}, description = "no progress bar or notes (for scripts)")
        boolean quiet;

        @Option(names = "--verbose", description = "print stack traces on errors")
        boolean verbose;
    }

    /** Output and storage options of the writing commands. */
    static final class Storage {
        @Option(names = {"-o", "--output"}, required = true, description = "output HDF5 file (written atomically)")
        Path out;

        @Option(names = "--gzip", paramLabel = "LEVEL", description = "deflate level 0-9, 0 = none (default: ${DEFAULT-VALUE})")
        int gzip = WriteOptions.DEFAULT_GZIP;

        @Option(names = "--no-shuffle", description = "no byte shuffle before deflate")
        boolean noShuffle;

        @Option(names = "--chunk-bytes", paramLabel = "BYTES",
                description = "target chunk size; rows per chunk: the largest power of two that fits (default: ${DEFAULT-VALUE})")
        long chunkBytes = WriteOptions.DEFAULT_CHUNK_BYTES;

        @Option(names = "--chunk-rows", paramLabel = "ROWS", description = "exact rows per chunk (overrides --chunk-bytes)")
        long chunkRows;

        @Option(names = "--threads", description = "compression threads (default: available processors)")
        int threads = Runtime.getRuntime().availableProcessors();

        WriteOptions options() {
            try {
                return WriteOptions.builder().chunkBytes(chunkBytes).chunkRows(chunkRows).gzip(gzip).shuffle(!noShuffle)
                        .threads(threads).build();
            } catch (IllegalArgumentException e) {
                throw new DatasetsException("Invalid storage option: " + e.getMessage());
            }
        }
    }

    /** @return the one delimiter character of a {@code --delimiter} value ({@code tab} or {@code \t}: a tab) */
    static char delimiter(String value) {
        String d = "tab".equalsIgnoreCase(value) || "\\t".equals(value) ? "\t" : value;
        if (d.length() != 1) {
            throw new DatasetsException("--delimiter must be one character, got '" + value + "'");
        }
        return d.charAt(0);
    }
}
