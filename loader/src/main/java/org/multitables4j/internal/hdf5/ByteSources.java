package org.multitables4j.internal.hdf5;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.multitables4j.InvalidConfigurationException;
import org.multitables4j.RemoteOptions;

/**
 * Tells local locations from remote ones and opens them: a plain path or a {@code file:} URI is a
 * {@link FileByteSource}; any other scheme ({@code hdfs}, {@code s3a}, {@code abfs}, ...) goes to
 * Hadoop's {@code FileSystem}, loaded only then.
 */
public final class ByteSources {
    private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]+:.*", Pattern.DOTALL);
    private static final String HADOOP_ACCESS = "org.multitables4j.internal.hdf5.hadoop.HadoopAccess";
    private static volatile RemoteAccess remote;

    private ByteSources() {
    }

    /**
     * @param location a path, or a URI with a scheme of two or more letters
     * @return the URI if the location is remote (a scheme other than {@code file}), else null
     * @throws InvalidConfigurationException if it looks like a URI but does not parse
     */
    public static URI remoteUri(String location) {
        if (!SCHEME.matcher(location).matches()) {
            return null;
        }
        URI uri;
        try {
            uri = new URI(location);
        } catch (URISyntaxException e) {
            throw new InvalidConfigurationException("Not a valid URI: " + location + ": " + e.getMessage(), e);
        }
        return "file".equalsIgnoreCase(uri.getScheme()) ? null : uri;
    }

    /**
     * @param location a path, a {@code file:} URI or a remote URI
     * @return the local path, or null for a remote location
     */
    public static Path localPath(String location) {
        if (!SCHEME.matcher(location).matches()) {
            return Path.of(location);
        }
        URI uri = URI.create(location);
        return "file".equalsIgnoreCase(uri.getScheme()) ? Path.of(uri) : null;
    }

    /**
     * Opens a remote file through Hadoop.
     *
     * @param uri     the file; its scheme names the Hadoop {@code FileSystem}
     * @param options configuration and counters
     * @return the open source
     * @throws IOException if the file system fails, {@link java.io.FileNotFoundException} if the file is missing
     * @throws InvalidConfigurationException if Hadoop is not on the classpath
     */
    public static ByteSource openRemote(URI uri, RemoteOptions options) throws IOException {
        return access(uri).open(uri, options == null ? RemoteOptions.defaults() : options);
    }

    private static RemoteAccess access(URI uri) {
        RemoteAccess r = remote;
        if (r == null) {
            synchronized (ByteSources.class) {
                r = remote;
                if (r == null) {
                    try {
                        r = (RemoteAccess) Class.forName(HADOOP_ACCESS).getDeclaredConstructor().newInstance();
                    } catch (ReflectiveOperationException | LinkageError e) {
                        throw new InvalidConfigurationException("Reading " + uri + " needs Hadoop's FileSystem: add "
                                + "org.apache.hadoop:hadoop-client-api and hadoop-client-runtime (3.x) to the classpath, "
                                + "plus the connector of the scheme '" + uri.getScheme() + "' (e.g. hadoop-aws for s3a) ("
                                + e + ")", e);
                    }
                    remote = r;
                }
            }
        }
        return r;
    }

    /**
     * Encodes options for a worker process: the configuration object becomes its properties.
     *
     * @param uri     the remote file (names Hadoop in errors)
     * @param options the options
     * @return the bytes {@link #decode} reads
     */
    public static byte[] encode(URI uri, RemoteOptions options) {
        Map<String, String> all = access(uri).flatten(options);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(options.metadataBlockBytes());
            out.writeLong(options.metadataCacheBytes());
            out.writeInt(all.size());
            for (Map.Entry<String, String> e : all.entrySet()) {
                writeString(out, e.getKey());
                writeString(out, e.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * @param bytes from {@link #encode}; empty: the defaults
     * @return the options, with properties only
     */
    public static RemoteOptions decode(byte[] bytes) {
        if (bytes.length == 0) {
            return RemoteOptions.defaults();
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            int block = in.readInt();
            long cache = in.readLong();
            int n = in.readInt();
            Map<String, String> all = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                all.put(readString(in), readString(in));
            }
            return new RemoteOptions(null, all, block, cache, null);
        } catch (IOException e) {
            throw new InvalidConfigurationException("Unreadable remote options: " + e, e);
        }
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String readString(DataInputStream in) throws IOException {
        byte[] b = new byte[in.readInt()];
        in.readFully(b);
        return new String(b, java.nio.charset.StandardCharsets.UTF_8);
    }
}
