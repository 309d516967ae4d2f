package org.multitables4j.datasets;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Converters from common formats to HDF5 training sets. Each writes through {@link H5Writer}, so a
 * failed conversion leaves no output file.
 */
public final class Convert {
    /** Class names of Fashion-MNIST, in label order. */
    public static final List<String> FASHION_MNIST_CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress",
            "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    private static final int BLOCK_ROWS = 4096;

    private Convert() {
    }

    /**
     * Converts IDX image and label files into {@code /train/x} (uint8 images as stored),
     * {@code /train/y} (int64 labels) and, when given, {@code /test/x}, {@code /test/y}.
     *
     * @param trainImages training images
     * @param trainLabels training labels
     * @param testImages  test images, or null
     * @param testLabels  test labels, or null
     * @param out         output HDF5 file
     * @param options     storage options
     * @param classNames  class names stored as the attribute {@code class_names} (may be null)
     * @param quiet       no progress bar
     */
    public static void idx(Path trainImages, Path trainLabels, Path testImages, Path testLabels, Path out,
                           WriteOptions options, List<String> classNames, boolean quiet) {
        H5Writer w = H5Writer.create(out);
        try {
            idxSplit(w, "train", trainImages, trainLabels, options, quiet);
            if (testImages != null) {
                idxSplit(w, "test", testImages, testLabels, options, quiet);
            }
            w.attribute("/", "source", "IDX " + trainImages.getFileName() + ", " + trainLabels.getFileName()
                    + (testImages == null ? "" : ", " + testImages.getFileName() + ", " + testLabels.getFileName()));
            w.attribute("/", "created_by", "multitables4j-datasets convert idx");
            if (classNames != null) {
                w.attribute("/", "class_names", String.join("\n", classNames));
            }
        } catch (RuntimeException e) {
            w.abort();
            throw e;
        }
        w.close();
    }

    private static void idxSplit(H5Writer w, String split, Path images, Path labels, WriteOptions options, boolean quiet) {
        try (Idx xi = Idx.open(images); Idx yi = Idx.open(labels)) {
            if (yi.dims().length != 1) {
                throw new DatasetsException("Label file " + labels + " has " + yi.dims().length + " dimensions, expected 1");
            }
            if (xi.dims()[0] != yi.dims()[0]) {
                throw new DatasetsException("Image file " + images + " holds " + xi.dims()[0] + " rows but label file "
                        + labels + " holds " + yi.dims()[0]);
            }
            long rows = xi.dims()[0];
            RowWriter x = w.dataset("/" + split + "/x", ElementKind.UINT8, xi.rowShape(), options);
            RowWriter y = w.dataset("/" + split + "/y", ElementKind.INT64, new long[0], options);
            ByteBuffer xb = ByteBuffer.allocate(BLOCK_ROWS * xi.rowBytes());
            ByteBuffer yb = ByteBuffer.allocate(BLOCK_ROWS);
            ByteBuffer yl = ByteBuffer.allocate(BLOCK_ROWS * 8).order(ByteOrder.LITTLE_ENDIAN);
            try (Progress p = new Progress("convert " + split, rows, quiet)) {
                for (long done = 0; done < rows; ) {
                    int n = (int) Math.min(BLOCK_ROWS, rows - done);
                    xi.read(n, xb);
                    yi.read(n, yb);
                    x.append(xb);
                    yl.clear();
                    for (int i = 0; i < n; i++) {
                        yl.putLong(yb.get(i) & 0xffL);
                    }
                    yl.flip();
                    y.append(yl);
                    done += n;
                    p.step(n);
                }
            }
        }
    }

    /**
     * Converts Fashion-MNIST as shipped by Debian's {@code dataset-fashion-mnist}.
     *
     * @param dir     directory holding {@code train-images-idx3-ubyte.gz} and the three others
     * @param out     output HDF5 file
     * @param options storage options
     * @param quiet   no progress bar
     */
    public static void fashionMnist(Path dir, Path out, WriteOptions options, boolean quiet) {
        idx(dir.resolve("train-images-idx3-ubyte.gz"), dir.resolve("train-labels-idx1-ubyte.gz"),
                dir.resolve("t10k-images-idx3-ubyte.gz"), dir.resolve("t10k-labels-idx1-ubyte.gz"), out, options,
                FASHION_MNIST_CLASSES, quiet);
    }

    /**
     * Converts a CSV file with a header: every column but the label column becomes a float32
     * feature in {@code /x}; the label column becomes {@code /y} (int64 when every value is an
     * integer, float32 otherwise — decided by a first pass over the file). Streams in bounded memory.
     *
     * @param csv         input file
     * @param labelColumn name of the label column, or null for features only
     * @param out         output HDF5 file
     * @param options     storage options
     * @param quiet       no progress bar
     */
    public static void csv(Path csv, String labelColumn, Path out, WriteOptions options, boolean quiet) {
        String[] header;
        int label = -1;
        boolean integerLabels = true;
        long rows = 0;
        try (BufferedReader r = Files.newBufferedReader(csv, StandardCharsets.UTF_8)) {
            String h = r.readLine();
            if (h == null) {
                throw new DatasetsException("CSV file " + csv + " is empty (a header line is needed)");
            }
            header = split(h);
            if (labelColumn != null) {
                for (int i = 0; i < header.length; i++) {
                    if (header[i].equals(labelColumn)) {
                        label = i;
                    }
                }
                if (label < 0) {
                    throw new DatasetsException("CSV file " + csv + " has no column '" + labelColumn + "'; columns: "
                            + String.join(", ", header));
                }
            }
            String line;
            long lineNo = 1;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                String[] f = split(line);
                if (f.length != header.length) {
                    throw new DatasetsException("CSV file " + csv + ", line " + lineNo + ": " + f.length
                            + " fields, the header has " + header.length);
                }
                if (label >= 0 && integerLabels) {
                    integerLabels = f[label].trim().matches("[-+]?\\d+");
                }
                rows++;
            }
        } catch (NoSuchFileException e) {
            throw new DatasetsException("No such file: " + csv, e);
        } catch (IOException e) {
            throw new DatasetsException("Cannot read " + csv + ": " + e.getMessage(), e);
        }
        int nf = header.length - (label >= 0 ? 1 : 0);
        H5Writer w = H5Writer.create(out);
        try (BufferedReader r = Files.newBufferedReader(csv, StandardCharsets.UTF_8);
             Progress p = new Progress("convert csv", rows, quiet)) {
            RowWriter x = w.dataset("/x", ElementKind.FLOAT32, new long[] {nf}, options);
            RowWriter y = label < 0 ? null
                    : w.dataset("/y", integerLabels ? ElementKind.INT64 : ElementKind.FLOAT32, new long[0], options);
            ByteBuffer xb = ByteBuffer.allocate(BLOCK_ROWS * nf * 4).order(ByteOrder.LITTLE_ENDIAN);
            ByteBuffer yb = ByteBuffer.allocate(BLOCK_ROWS * 8).order(ByteOrder.LITTLE_ENDIAN);
            r.readLine();
            String line;
            long lineNo = 1;
            int inBlock = 0;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                String[] f = split(line);
                for (int i = 0; i < f.length; i++) {
                    String v = f[i].trim();
                    try {
                        if (i == label) {
                            if (integerLabels) {
                                yb.putLong(Long.parseLong(v.startsWith("+") ? v.substring(1) : v));
                            } else {
                                yb.putFloat(Float.parseFloat(v));
                            }
                        } else {
                            xb.putFloat(v.isEmpty() ? Float.NaN : Float.parseFloat(v));
                        }
                    } catch (NumberFormatException e) {
                        throw new DatasetsException("CSV file " + csv + ", line " + lineNo + ", column '" + header[i]
                                + "': '" + v + "' is not a number");
                    }
                }
                if (++inBlock == BLOCK_ROWS) {
                    flush(x, xb, y, yb);
                    p.step(inBlock);
                    inBlock = 0;
                }
            }
            flush(x, xb, y, yb);
            p.step(inBlock);
            w.attribute("/", "source", "CSV " + csv.getFileName());
            w.attribute("/", "created_by", "multitables4j-datasets convert csv");
            List<String> names = new ArrayList<>();
            for (int i = 0; i < header.length; i++) {
                if (i != label) {
                    names.add(header[i]);
                }
            }
            w.attribute("/x", "columns", String.join("\n", names));
        } catch (IOException e) {
            w.abort();
            throw new DatasetsException("Cannot read " + csv + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            w.abort();
            throw e;
        }
        w.close();
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

    private static String[] split(String line) {
        return line.split(",", -1);
    }

    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([<>|=])([a-z])(\\d+)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    /**
     * Converts a NumPy {@code .npy} array (format 1, 2 or 3; C order; float32/64, int8–64,
     * uint8–32, bool; either byte order) into one dataset, streaming. Values are stored little endian.
     *
     * @param npy     input file
     * @param out     output HDF5 file
     * @param dataset dataset path, e.g. {@code /x}
     * @param options storage options
     * @param quiet   no progress bar
     */
    public static void npy(Path npy, Path out, String dataset, WriteOptions options, boolean quiet) {
        try (FileChannel ch = FileChannel.open(npy)) {
            ByteBuffer pre = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(pre, 0);
            pre.flip();
            if (pre.remaining() < 10 || (pre.get(0) & 0xff) != 0x93 || pre.get(1) != 'N' || pre.get(2) != 'U'
                    || pre.get(3) != 'M' || pre.get(4) != 'P' || pre.get(5) != 'Y') {
                throw new DatasetsException("Not a .npy file (bad magic): " + npy);
            }
            int major = pre.get(6);
            long headerLen = major == 1 ? pre.getShort(8) & 0xffff : pre.getInt(8) & 0xffffffffL;
            long dataStart = (major == 1 ? 10 : 12) + headerLen;
            ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
            ch.read(hb, major == 1 ? 10 : 12);
            String header = new String(hb.array(), major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
            Matcher d = DESCR.matcher(header);
            Matcher f = FORTRAN.matcher(header);
            Matcher s = SHAPE.matcher(header);
            if (!d.find() || !f.find() || !s.find()) {
                throw new DatasetsException("Malformed .npy header in " + npy + ": " + header.trim());
            }
            if (f.group(1).equals("True")) {
                throw new DatasetsException(npy + " is in Fortran order; save it in C order (numpy.ascontiguousarray)");
            }
            char kindCode = d.group(2).charAt(0);
            int size = Integer.parseInt(d.group(3));
            ElementKind kind = npyKind(kindCode, size, npy, d.group(0));
            ByteOrder order = d.group(1).equals(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
            String[] parts = s.group(1).split(",");
            List<Long> dims = new ArrayList<>();
            for (String p : parts) {
                if (!p.isBlank()) {
                    dims.add(Long.parseLong(p.trim()));
                }
            }
            if (dims.isEmpty()) {
                throw new DatasetsException(npy + " holds a scalar; at least one dimension (rows) is needed");
            }
            long rows = dims.get(0);
            long[] rowShape = new long[dims.size() - 1];
            long rowElems = 1;
            for (int i = 1; i < dims.size(); i++) {
                rowShape[i - 1] = dims.get(i);
                rowElems *= dims.get(i);
            }
            int rowBytes = (int) (rowElems * size);
            long need = dataStart + rows * rowBytes;
            if (ch.size() < need) {
                throw new DatasetsException(npy + " is truncated: " + ch.size() + " bytes, the header needs " + need);
            }
            H5Writer w = H5Writer.create(out);
            try (Progress p = new Progress("convert npy", rows, quiet)) {
                RowWriter rw = w.dataset(dataset, kind, rowShape, options);
                int block = (int) Math.max(1, Math.min(rows, (4 << 20) / Math.max(1, rowBytes)));
                ByteBuffer buf = ByteBuffer.allocate(block * rowBytes);
                long pos = dataStart;
                for (long done = 0; done < rows; ) {
                    int n = (int) Math.min(block, rows - done);
                    buf.clear().limit(n * rowBytes);
                    while (buf.hasRemaining()) {
                        if (ch.read(buf, pos + buf.position()) < 0) {
                            throw new DatasetsException(npy + " ended early");
                        }
                    }
                    buf.flip();
                    if (order == ByteOrder.BIG_ENDIAN && size > 1) {
                        swap(buf, size);
                    }
                    rw.append(buf);
                    pos += (long) n * rowBytes;
                    done += n;
                    p.step(n);
                }
                w.attribute("/", "source", "npy " + npy.getFileName() + " " + d.group(0));
                w.attribute("/", "created_by", "multitables4j-datasets convert npy");
            } catch (RuntimeException e) {
                w.abort();
                throw e;
            }
            w.close();
        } catch (NoSuchFileException e) {
            throw new DatasetsException("No such file: " + npy, e);
        } catch (IOException e) {
            throw new DatasetsException("Cannot read " + npy + ": " + e.getMessage(), e);
        }
    }

    private static ElementKind npyKind(char code, int size, Path npy, String descr) {
        switch (code) {
            case 'f':
                if (size == 4) {
                    return ElementKind.FLOAT32;
                }
                if (size == 8) {
                    return ElementKind.FLOAT64;
                }
                break;
            case 'i':
                switch (size) {
                    case 1: return ElementKind.INT8;
                    case 2: return ElementKind.INT16;
                    case 4: return ElementKind.INT32;
                    case 8: return ElementKind.INT64;
                    default: break;
                }
                break;
            case 'u':
                switch (size) {
                    case 1: return ElementKind.UINT8;
                    case 2: return ElementKind.UINT16;
                    case 4: return ElementKind.UINT32;
                    default: break;
                }
                break;
            case 'b':
                if (size == 1) {
                    return ElementKind.UINT8;
                }
                break;
            default:
                break;
        }
        throw new DatasetsException("Unsupported dtype " + descr + " in " + npy
                + "; supported: f4 f8 i1 i2 i4 i8 u1 u2 u4 b1");
    }

    private static void swap(ByteBuffer b, int size) {
        byte[] a = b.array();
        int end = b.limit();
        for (int i = 0; i < end; i += size) {
            for (int j = 0; j < size / 2; j++) {
                byte t = a[i + j];
                a[i + j] = a[i + size - 1 - j];
                a[i + size - 1 - j] = t;
            }
        }
    }
}
