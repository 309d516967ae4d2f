package org.multitables4j;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Lists the files of a dataset split over several HDF5 files. */
public final class Hdf5Files {
    private Hdf5Files() {
    }

    /**
     * Expands a glob pattern such as {@code "data/train-*.h5"} or {@code "runs/day-{1,2}/*.h5"}
     * ({@link java.nio.file.FileSystem#getPathMatcher} syntax) into the regular files it matches,
     * sorted by path so that the row order is reproducible.
     *
     * @param pattern the pattern; the directories before the first wildcard are where the search
     *                starts
     * @return the matching files, sorted
     * @throws InvalidConfigurationException when nothing matches
     */
    public static List<Path> glob(String pattern) {
        if (pattern == null || pattern.isEmpty()) {
            throw new InvalidConfigurationException("the glob pattern must not be empty");
        }
        int wild = firstWildcard(pattern);
        int slash = pattern.lastIndexOf('/', wild < 0 ? pattern.length() - 1 : wild);
        Path base = slash < 0 ? Path.of(".") : Path.of(slash == 0 ? "/" : pattern.substring(0, slash));
        String rel = slash < 0 ? pattern : pattern.substring(slash + 1);
        PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + rel);
        if (!Files.isDirectory(base)) {
            throw new InvalidConfigurationException("no files match '" + pattern + "': " + base + " is not a directory");
        }
        try (Stream<Path> s = Files.walk(base)) {
            List<Path> out = s.filter(Files::isRegularFile).filter(p -> m.matches(base.relativize(p)))
                    .sorted().collect(Collectors.toList());
            if (out.isEmpty()) {
                throw new InvalidConfigurationException("no files match '" + pattern + "'");
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + base, e);
        }
    }

    private static int firstWildcard(String p) {
        for (int i = 0; i < p.length(); i++) {
            char c = p.charAt(i);
            if (c == '*' || c == '?' || c == '[' || c == '{') {
                return i;
            }
        }
        return -1;
    }
}
