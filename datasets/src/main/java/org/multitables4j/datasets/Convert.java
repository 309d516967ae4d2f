package org.multitables4j.datasets;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Converters from common formats to HDF5 training sets, all streaming (bounded memory whatever the
 * input size) and all writing through {@link H5Writer}, so a failed conversion leaves no output
 * file. Each records provenance as root attributes: {@code source}, {@code created_by}
 * ({@value H5Writer#CREATED_BY}) and, where known, {@code class_names}.
 */
public final class Convert {
    /** Class names of Fashion-MNIST, in label order. */
    public static final List<String> FASHION_MNIST_CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress",
            "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    /** Where Debian's {@code dataset-fashion-mnist} package installs the four IDX files. */
    public static final Path FASHION_MNIST_DIR = Path.of("/usr/share/datasets/fashion-mnist");

    private static final int BLOCK_BYTES = 4 << 20;

    private Convert() {
    }

    /**
     * What {@link #csv} wrote.
     *
     * @param rows       data rows
     * @param features   the feature columns in {@code /x}, in order
     * @param skipped    columns left out because they are not numeric
     * @param label      the label column, or null
     * @param labelKind  the type of {@code /y} (INT64 or FLOAT32), or null
     * @param classNames for a non-numeric label column, the label values in class-index order
     *                   (order of first appearance); otherwise empty
     */
    public record CsvSummary(long rows, List<String> features, List<String> skipped, String label,
                             ElementKind labelKind, List<String> classNames) {
    }

    /**
     * What {@link #csvSequences} wrote.
     *
     * @param sequences  sequences (files)
     * @param steps      steps in all
     * @param features   features per step
     * @param maxLength  steps of the longest sequence
     * @param labelKind  INT64 or FLOAT32, or null without labels
     * @param labelMode  {@code "sequence"} or {@code "step"}, or null without labels
     * @param classNames for non-numeric labels, the values in class-index order; otherwise empty
     */
    public record SequenceSummary(long sequences, long steps, int features, int maxLength, ElementKind labelKind,
                                  String labelMode, List<String> classNames) {
    }

    /**
     * Converts a directory of sequence CSV files — one file per sequence, one line per step, all
     * numeric, as DL4J's {@code CSVSequenceRecordReader} reads them — into a sequence training
     * file: {@code /x} float32, {@code /lengths} int64 and, in the RAGGED layout, {@code /offsets}
     * int64; with labels {@code /y} per sequence or per step. The exact layout is in
     * the README section "The sequence file layout" and {@link SequenceLayout}. Two streaming passes; one sequence in memory.
     *
     * @param dir     directory of the sequence files
     * @param format  file pattern, skipped lines, delimiter, encoding and where the labels are
     * @param layout  RAGGED ({@code [steps, F]} + offsets) or PADDED ({@code [n, T, F]})
     * @param out     output HDF5 file; refused when it is one of the inputs
     * @param options storage options
     * @param quiet   no progress bar
     * @return what was written
     */
    public static SequenceSummary csvSequences(Path dir, SequenceCsvOptions format, SequenceLayout layout, Path out,
                                               WriteOptions options, boolean quiet) {
        return SequenceCsvConverter.convert(dir, format, layout, out, options, quiet);
    }

    /**
     * Converts IDX image and label files into {@code /train/x} (images in their own type, uint8 for
     * MNIST, shape {@code [n, 28, 28]}), {@code /train/y} (labels as int64) and, when given,
     * {@code /test/x}, {@code /test/y}.
     *
     * @param trainImages training images (.gz or plain)
     * @param trainLabels training labels
     * @param testImages  test images, or null
     * @param testLabels  test labels, or null (given exactly when {@code testImages} is)
     * @param out         output HDF5 file
     * @param options     storage options
     * @param classNames  class names in label order, stored as the {@code class_names} attribute (or null)
     * @param quiet       no progress bar
     */
    public static void idx(Path trainImages, Path trainLabels, Path testImages, Path testLabels, Path out,
                           WriteOptions options, List<String> classNames, boolean quiet) {
        if ((testImages == null) != (testLabels == null)) {
            throw new DatasetsException("Test images and test labels go together (got only one of them)");
        }
        String source = "IDX " + trainImages.getFileName() + ", " + trainLabels.getFileName()
                + (testImages == null ? "" : ", " + testImages.getFileName() + ", " + testLabels.getFileName());
        idx(trainImages, trainLabels, testImages, testLabels, out, options, classNames, source, quiet);
    }

    private static void idx(Path trainImages, Path trainLabels, Path testImages, Path testLabels, Path out,
                            WriteOptions options, List<String> classNames, String source, boolean quiet) {
        SameFile.requireDistinct(out, trainImages, trainLabels, testImages, testLabels);
        H5Writer.write(out, w -> {
            idxSplit(w, "train", trainImages, trainLabels, options, quiet);
            if (testImages != null) {
                idxSplit(w, "test", testImages, testLabels, options, quiet);
            }
            w.attribute("/", "source", source);
            w.attribute("/", "created_by", H5Writer.CREATED_BY);
            if (classNames != null) {
                w.attribute("/", "class_names", classNames);
            }
        });
    }

    private static void idxSplit(H5Writer w, String split, Path images, Path labels, WriteOptions options,
                                 boolean quiet) {
        try (IdxReader xi = IdxReader.open(images); IdxReader yi = IdxReader.open(labels)) {
            if (yi.dims().length != 1) {
                throw new DatasetsException("Label file " + labels + " has dimensions " + Arrays.toString(yi.dims())
                        + ", expected one");
            }
            if (yi.kind() == ElementKind.FLOAT32 || yi.kind() == ElementKind.FLOAT64) {
                throw new DatasetsException("Label file " + labels + " holds " + yi.kind() + " values, expected integers");
            }
            if (xi.rows() != yi.rows()) {
                throw new DatasetsException("Image file " + images + " holds " + xi.rows() + " rows but label file "
                        + labels + " holds " + yi.rows());
            }
            RowWriter x = w.dataset("/" + split + "/x", xi.kind(), xi.rowShape(), options);
            RowWriter y = w.dataset("/" + split + "/y", ElementKind.INT64, new long[0], options);
            int block = Math.max(1, Math.min(65536, BLOCK_BYTES / xi.rowBytes()));
            ByteBuffer xb = ByteBuffer.allocate(block * xi.rowBytes());
            ByteBuffer yb = ByteBuffer.allocate(block * yi.rowBytes());
            long[] yl = new long[block];
            try (Progress p = new Progress("convert " + split, xi.rows(), quiet)) {
                int n;
                while ((n = xi.read(xb, block)) > 0) {
                    if (yi.read(yb, n) != n) {
                        throw new DatasetsException("Label file " + labels + " ended early");
                    }
                    x.append(xb);
                    for (int i = 0; i < n; i++) {
                        switch (yi.kind()) {
                            case UINT8: yl[i] = yb.get(i) & 0xffL; break;
                            case INT8: yl[i] = yb.get(i); break;
                            case INT16: yl[i] = yb.getShort(2 * i); break;
                            default: yl[i] = yb.getInt(4 * i); break;
                        }
                    }
                    y.append(n == block ? yl : Arrays.copyOf(yl, n));
                    p.step(n);
                }
            }
        }
    }

    /**
     * Converts Fashion-MNIST (as shipped by Debian's {@code dataset-fashion-mnist}) with its class
     * names: {@code /train/x} uint8 [60000, 28, 28], {@code /train/y} int64, {@code /test/x}
     * [10000, 28, 28], {@code /test/y}.
     *
     * @param dir     directory holding {@code train-images-idx3-ubyte.gz}, {@code train-labels-idx1-ubyte.gz},
     *                {@code t10k-images-idx3-ubyte.gz} and {@code t10k-labels-idx1-ubyte.gz}
     * @param out     output HDF5 file
     * @param options storage options
     * @param quiet   no progress bar
     */
    public static void fashionMnist(Path dir, Path out, WriteOptions options, boolean quiet) {
        idx(dir.resolve("train-images-idx3-ubyte.gz"), dir.resolve("train-labels-idx1-ubyte.gz"),
                dir.resolve("t10k-images-idx3-ubyte.gz"), dir.resolve("t10k-labels-idx1-ubyte.gz"), out, options,
                FASHION_MNIST_CLASSES, "Fashion-MNIST (Zalando Research, MIT licence), IDX files in " + dir, quiet);
    }

    /**
     * Converts a CSV file with a header line: numeric columns other than the label column become
     * float32 features in {@code /x} [rows, features] (empty values: NaN); non-numeric columns are
     * skipped (listed in the attribute {@code skipped_columns} of {@code /x}); the label column
     * becomes {@code /y}: int64 when every value is an integer, float32 when every value is a
     * number, otherwise int64 class indices in order of first appearance with the values as
     * {@code class_names}. Streams in bounded memory (two passes over the file). A row with a
     * different number of fields than the header fails with its line number.
     *
     * @param csv         input file (UTF-8)
     * @param labelColumn name of the label column, or null for features only
     * @param out         output HDF5 file
     * @param options     storage options
     * @param quiet       no progress bar
     * @return what was written
     */
    public static CsvSummary csv(Path csv, String labelColumn, Path out, WriteOptions options, boolean quiet) {
        return csv(csv, labelColumn, ',', out, options, quiet);
    }

    /**
     * {@link #csv(Path, String, Path, WriteOptions, boolean)} with another field delimiter.
     *
     * @param csv         input file (UTF-8)
     * @param labelColumn name of the label column, or null for features only
     * @param delimiter   field delimiter, e.g. {@code ';'} or {@code '\t'}
     * @param out         output HDF5 file
     * @param options     storage options
     * @param quiet       no progress bar
     * @return what was written
     */
    public static CsvSummary csv(Path csv, String labelColumn, char delimiter, Path out, WriteOptions options,
                                 boolean quiet) {
        return csv(csv, labelColumn, delimiter, StandardCharsets.UTF_8, out, options, quiet);
    }

    /**
     * {@link #csv(Path, String, Path, WriteOptions, boolean)} with another field delimiter and text
     * encoding. Bytes that are not valid in {@code encoding} fail with the line they are on.
     *
     * @param csv         input file
     * @param labelColumn name of the label column, or null for features only
     * @param delimiter   field delimiter, e.g. {@code ';'} or {@code '\t'}
     * @param encoding    the file's text encoding (UTF-8 for the other overloads)
     * @param out         output HDF5 file; refused when it is the input file
     * @param options     storage options
     * @param quiet       no progress bar
     * @return what was written
     */
    public static CsvSummary csv(Path csv, String labelColumn, char delimiter, Charset encoding, Path out,
                                 WriteOptions options, boolean quiet) {
        return CsvConverter.convert(csv, labelColumn, delimiter, encoding, out, options, quiet);
    }

    /**
     * @param name a charset name such as {@code UTF-8}, {@code ISO-8859-1}, {@code windows-1252}
     * @return the charset
     * @throws DatasetsException naming {@code --encoding} when Java does not know it
     */
    public static Charset encoding(String name) {
        return TextEncoding.forName(name);
    }

    /**
     * Converts a NumPy {@code .npy} array (format 1.0, 2.0 or 3.0; C order; dtypes f4 f8 i1 i2 i4
     * i8 u1 u2 u4 b1 in either byte order) into one dataset of the same shape, streaming. Values
     * are stored little endian; booleans as uint8 0/1. The first dimension is the row dimension.
     *
     * @param npy     input file
     * @param out     output HDF5 file
     * @param dataset dataset path, e.g. {@code /x}
     * @param options storage options
     * @param quiet   no progress bar
     */
    public static void npy(Path npy, Path out, String dataset, WriteOptions options, boolean quiet) {
        SameFile.requireDistinct(out, npy);
        try (FileChannel ch = FileChannel.open(npy)) {
            NpyHeader h = NpyHeader.read(ch, npy);
            long rows = h.shape[0];
            long[] rowShape = Arrays.copyOfRange(h.shape, 1, h.shape.length);
            long rowBytes = h.kind.size();
            for (long d : rowShape) {
                rowBytes = Math.multiplyExact(rowBytes, d);
            }
            long need = h.dataOffset + Math.multiplyExact(rows, rowBytes);
            if (ch.size() < need) {
                throw new DatasetsException(npy + " is truncated: " + ch.size() + " bytes, its header (shape "
                        + Arrays.toString(h.shape) + ", " + h.descr + ") needs " + need);
            }
            if (rowBytes == 0 && rows > 0) {
                throw new DatasetsException(npy + " has an empty row shape " + Arrays.toString(rowShape));
            }
            H5Writer.write(out, w -> {
                RowWriter rw = w.dataset(dataset, h.kind, rowShape, options);
                int rb = rw.rowBytes();
                int block = (int) Math.max(1, Math.min(Math.max(1, rows), BLOCK_BYTES / rb));
                ByteBuffer buf = ByteBuffer.allocate(block * rb);
                long pos = h.dataOffset;
                try (Progress p = new Progress("convert " + npy.getFileName(), rows, quiet)) {
                    for (long done = 0; done < rows; ) {
                        int n = (int) Math.min(block, rows - done);
                        buf.clear().limit(n * rb);
                        while (buf.hasRemaining()) {
                            if (ch.read(buf, pos + buf.position()) < 0) {
                                throw new DatasetsException(npy + " ended early at byte " + (pos + buf.position()));
                            }
                        }
                        buf.flip();
                        if (h.order == ByteOrder.BIG_ENDIAN && h.kind.size() > 1) {
                            swapBytes(buf, h.kind.size());
                        }
                        rw.append(buf);
                        pos += (long) n * rb;
                        done += n;
                        p.step(n);
                    }
                }
                w.attribute("/", "source", "npy " + npy.getFileName() + " (dtype " + h.descr + ", shape "
                        + Arrays.toString(h.shape) + ")");
                w.attribute("/", "created_by", H5Writer.CREATED_BY);
                if (h.descr.endsWith("b1")) {
                    w.attribute(dataset, "numpy_dtype", "bool");
                }
            });
        } catch (NoSuchFileException e) {
            throw new DatasetsException("No such file: " + npy, e);
        } catch (IOException e) {
            throw new DatasetsException("Cannot read " + npy + ": " + e, e);
        }
    }

    /** Reverses the bytes of every {@code size}-byte element of a heap buffer, from 0 to its limit. */
    static void swapBytes(ByteBuffer b, int size) {
        byte[] a = b.array();
        int base = b.arrayOffset();
        int end = base + b.limit();
        for (int i = base; i < end; i += size) {
            for (int j = 0; j < size / 2; j++) {
                byte t = a[i + j];
                a[i + j] = a[i + size - 1 - j];
                a[i + size - 1 - j] = t;
            }
        }
    }
}
