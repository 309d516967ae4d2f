package org.multitables4j.examples;

import java.nio.file.Files;
import java.nio.file.Path;
import org.multitables4j.datasets.Convert;
import org.multitables4j.datasets.Generate;
import org.multitables4j.datasets.WriteOptions;

/**
 * The main job's data: Fashion-MNIST converted to HDF5 when Debian's {@code dataset-fashion-mnist}
 * files are present, otherwise a generated dataset of 28x28 image-like blobs in 10 classes, both
 * with {@code /train/x}, {@code /train/y}, {@code /test/x}, {@code /test/y}. Prepared once and
 * reused from the work directory.
 */
public final class ExampleData {
    private static final String[] FASHION_FILES = {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
        "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"};

    private ExampleData() {
    }

    /**
     * @param file        the HDF5 file
     * @param description what it holds and where it came from
     * @param fashion     true for Fashion-MNIST, false for the generated fallback
     */
    public record Prepared(Path file, String description, boolean fashion) {
    }

    /**
     * @param dir a directory
     * @return true when it holds the four Fashion-MNIST files
     */
    public static boolean hasFashionMnist(Path dir) {
        for (String f : FASHION_FILES) {
            if (!Files.isRegularFile(dir.resolve(f))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Converts or generates the data unless the work directory has it already.
     *
     * @param workDir       where the HDF5 file is kept
     * @param idxDir        where the Fashion-MNIST IDX files would be
     * @param generatedRows training rows of the generated fallback (test rows: a fifth of that)
     * @param seed          seed of the generated fallback
     * @param progress      show progress bars
     * @return the prepared file
     */
    public static Prepared prepare(Path workDir, Path idxDir, int generatedRows, long seed, boolean progress) {
        if (hasFashionMnist(idxDir)) {
            Path out = workDir.resolve("fashion-mnist.h5");
            if (!Files.isRegularFile(out)) {
                Convert.fashionMnist(idxDir, out, WriteOptions.DEFAULT, !progress);
            }
            return new Prepared(out, "Fashion-MNIST from " + idxDir + " (HDF5: " + out + ")", true);
        }
        Path out = workDir.resolve("generated-images-" + generatedRows + "-" + seed + ".h5");
        if (!Files.isRegularFile(out)) {
            Generate.write(Generate.Kind.IMAGES, generatedRows, Math.max(1, generatedRows / 5), 28, 10, seed, out,
                    WriteOptions.DEFAULT, !progress);
        }
        return new Prepared(out, "generated 28x28 image blobs, 10 classes, " + generatedRows + " training rows (HDF5: "
                + out + "); Fashion-MNIST was not found in " + idxDir + " (Debian package dataset-fashion-mnist)", false);
    }
}
