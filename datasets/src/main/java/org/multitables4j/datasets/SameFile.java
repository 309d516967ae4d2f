package org.multitables4j.datasets;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Refuses an output file that is one of the inputs. The writer renames its finished file over the
 * target, so {@code convert csv a.csv -o a.csv} would replace the CSV with the HDF5 output. Any
 * spelling of the same file is caught ({@code ./a.csv}, a relative against an absolute path, a
 * symbolic link, a hard link): files are compared by {@link Files#isSameFile} (device and inode),
 * not by name.
 */
final class SameFile {
    private SameFile() {
    }

    /**
     * @param out    the output file
     * @param inputs input files (null entries are skipped)
     * @throws DatasetsException if {@code out} is one of {@code inputs}
     */
    static void requireDistinct(Path out, Path... inputs) {
        if (!Files.exists(out)) {
            return;
        }
        for (Path in : inputs) {
            if (in != null && same(out, in)) {
                throw new DatasetsException("The output " + out + " is the input " + in
                        + " (the same file); writing it would replace the input. Choose another output file");
            }
        }
    }

    private static boolean same(Path a, Path b) {
        try {
            return Files.exists(b) && Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }
}
