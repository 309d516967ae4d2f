package org.multitables4j.datasets;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The header of a NumPy {@code .npy} file (format versions 1.0, 2.0 and 3.0): magic
 * {@code \x93NUMPY}, major and minor version, header length (uint16 for 1.x, uint32 after), and a
 * Python dict literal with {@code descr}, {@code fortran_order} and {@code shape}.
 */
final class NpyHeader {
    private static final Pattern DESCR = Pattern.compile("['\"]descr['\"]\\s*:\\s*(\\[|['\"]([^'\"]*)['\"])");
    private static final Pattern FORTRAN = Pattern.compile("['\"]fortran_order['\"]\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("['\"]shape['\"]\\s*:\\s*\\(([^)]*)\\)");
    private static final Pattern SIMPLE = Pattern.compile("([<>|=])([a-zA-Z])(\\d+)");

    final String descr;
    final ElementKind kind;
    final ByteOrder order;
    final long[] shape;
    final long dataOffset;

    private NpyHeader(String descr, ElementKind kind, ByteOrder order, long[] shape, long dataOffset) {
        this.descr = descr;
        this.kind = kind;
        this.order = order;
        this.shape = shape;
        this.dataOffset = dataOffset;
    }

    static NpyHeader read(FileChannel ch, Path file) throws IOException {
        ByteBuffer pre = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        while (pre.hasRemaining() && ch.read(pre, pre.position()) > 0) {
            // fill
        }
        pre.flip();
        if (pre.remaining() < 10 || (pre.get(0) & 0xff) != 0x93 || pre.get(1) != 'N' || pre.get(2) != 'U'
                || pre.get(3) != 'M' || pre.get(4) != 'P' || pre.get(5) != 'Y') {
            throw new DatasetsException("Not a .npy file (bad magic number): " + file);
        }
        int major = pre.get(6);
        if (major < 1 || major > 3) {
            throw new DatasetsException("Unsupported .npy format version " + major + "." + pre.get(7) + " in " + file);
        }
        if (major > 1 && pre.remaining() < 12) {
            throw new DatasetsException("Malformed .npy file " + file + ": truncated header");
        }
        long headerLen = major == 1 ? pre.getShort(8) & 0xffff : pre.getInt(8) & 0xffffffffL;
        long start = major == 1 ? 10 : 12;
        if (headerLen > (1 << 24) || start + headerLen > ch.size()) {
            throw new DatasetsException("Malformed .npy file " + file + ": header length " + headerLen);
        }
        ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
        while (hb.hasRemaining() && ch.read(hb, start + hb.position()) > 0) {
            // fill
        }
        String header = new String(hb.array(), major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1).trim();
        Matcher d = DESCR.matcher(header);
        Matcher f = FORTRAN.matcher(header);
        Matcher s = SHAPE.matcher(header);
        if (!d.find() || !f.find() || !s.find()) {
            throw new DatasetsException("Malformed .npy header in " + file + ": " + header);
        }
        if (d.group(2) == null) {
            throw new DatasetsException("Unsupported dtype in " + file + ": a structured dtype; supported: "
                    + "f4 f8 i1 i2 i4 i8 u1 u2 u4 b1");
        }
        String descr = d.group(2);
        if ("True".equals(f.group(1))) {
            throw new DatasetsException(file + " is in Fortran order; only C order is supported "
                    + "(save numpy.ascontiguousarray(a) instead)");
        }
        Matcher m = SIMPLE.matcher(descr);
        ElementKind kind = m.matches() ? kindOf(m.group(2).charAt(0), Integer.parseInt(m.group(3))) : null;
        if (kind == null) {
            throw new DatasetsException("Unsupported dtype '" + descr + "' in " + file
                    + "; supported: f4 f8 i1 i2 i4 i8 u1 u2 u4 b1 (either byte order)");
        }
        ByteOrder order = m.group(1).equals(">") ? ByteOrder.BIG_ENDIAN
                : m.group(1).equals("=") ? ByteOrder.nativeOrder() : ByteOrder.LITTLE_ENDIAN;
        List<Long> dims = new ArrayList<>();
        for (String p : s.group(1).split(",")) {
            if (!p.isBlank()) {
                try {
                    dims.add(Long.parseLong(p.trim().replace("L", "")));
                } catch (NumberFormatException e) {
                    throw new DatasetsException("Malformed .npy shape in " + file + ": (" + s.group(1) + ")");
                }
            }
        }
        if (dims.isEmpty()) {
            throw new DatasetsException(file + " holds a 0-dimensional array; at least one dimension (rows) is needed");
        }
        long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
        return new NpyHeader(descr, kind, order, shape, start + headerLen);
    }

    private static ElementKind kindOf(char code, int size) {
        switch (code) {
            case 'f':
                return size == 4 ? ElementKind.FLOAT32 : size == 8 ? ElementKind.FLOAT64 : null;
            case 'i':
                return size == 1 ? ElementKind.INT8 : size == 2 ? ElementKind.INT16 : size == 4 ? ElementKind.INT32
                        : size == 8 ? ElementKind.INT64 : null;
            case 'u':
                return size == 1 ? ElementKind.UINT8 : size == 2 ? ElementKind.UINT16 : size == 4 ? ElementKind.UINT32
                        : null;
            case 'b':
                return size == 1 ? ElementKind.UINT8 : null;
            default:
                return null;
        }
    }
}
