package org.multitables4j.datasets;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Names of the temporary files an {@link H5Writer} writes before renaming them into place, and
 * the sweep that deletes those a killed process left behind.
 *
 * <p>A temporary file is {@code .NAME.<pid>-<host>-<random>.partial} next to the target
 * {@code NAME}: {@code pid} is the writing process, {@code host} eight hex digits identifying this
 * kernel boot and PID namespace (a pid means nothing elsewhere, e.g. to another machine sharing the
 * directory over NFS). A SIGKILL or an OOM kill gives the JVM no chance to delete its file; the
 * next writer into the same directory deletes every such file whose {@code host} is ours and whose
 * process is gone. Files of other hosts, of live processes and of the older pid-less form are
 * left alone.
 */
final class PartialFiles {
    /** Suffix of temporary output files. */
    static final String SUFFIX = ".partial";
    /** The host token of this process, or {@code "0"} when it cannot be known (then nothing is swept). */
    static final String HOST = hostToken();

    private PartialFiles() {
    }

    /**
     * @param target the final output file (absolute)
     * @return a fresh temporary name next to it
     */
    static Path fresh(Path target) {
        return target.resolveSibling("." + target.getFileName() + "." + ProcessHandle.current().pid() + "-" + HOST
                + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1) + SUFFIX);
    }

    /**
     * Deletes the temporary files in {@code dir} that processes of this host which are no longer
     * alive left there.
     *
     * @param dir a directory
     * @return the number of files deleted
     */
    static int sweep(Path dir) {
        if ("0".equals(HOST)) {
            return 0;
        }
        int n = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, ".*" + SUFFIX)) {
            for (Path p : ds) {
                long pid = deadOwner(p.getFileName().toString());
                if (pid > 0 && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    try {
                        if (Files.deleteIfExists(p)) {
                            n++;
                        }
                    } catch (IOException ignored) {
                        // not ours to delete after all (permissions); leave it
                    }
                }
            }
        } catch (IOException ignored) {
            // an unreadable directory: the writer's own create reports the problem
        }
        return n;
    }

    /**
     * @param name a file name
     * @return the pid that wrote this temporary file if it is of our host and that process is
     *         gone, else -1
     */
    static long deadOwner(String name) {
        if (!name.startsWith(".") || !name.endsWith(SUFFIX)) {
            return -1;
        }
        String core = name.substring(0, name.length() - SUFFIX.length());
        String[] parts = core.substring(core.lastIndexOf('.') + 1).split("-");
        if (parts.length != 3 || !parts[1].equals(HOST)) {
            return -1;
        }
        long pid;
        try {
            pid = Long.parseLong(parts[0]);
        } catch (NumberFormatException e) {
            return -1;
        }
        if (pid <= 0 || pid == ProcessHandle.current().pid() || ProcessHandle.of(pid).isPresent()) {
            return -1;
        }
        return pid;
    }

    /** Eight hex digits of this kernel boot and PID namespace (Linux), or "0". */
    private static String hostToken() {
        try {
            String boot = Files.readString(Path.of("/proc/sys/kernel/random/boot_id"), StandardCharsets.US_ASCII).trim();
            String ns = Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString();
            int h = (boot + "/" + ns).hashCode();
            return String.format("%08x", h == 0 ? 1 : h);
        } catch (IOException | RuntimeException e) {
            return "0";
        }
    }
}
