package org.multitables4j;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.multitables4j.reader.Hdf5Reader;

/**
 * A file that may not be read fails with a typed configuration error that says "permission
 * denied", not as a corrupt HDF5 file.
 */
class PermissionDeniedTest {
    @TempDir
    Path tmp;

    /** A file whose reads the system refuses: a chmod 000 copy, or for root a sysctl file without read bits. */
    private Path unreadable() throws IOException {
        Path copy = tmp.resolve("locked.h5");
        Files.copy(Hdf5DataSetIteratorTest.fixture(), copy, StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(copy, EnumSet.noneOf(PosixFilePermission.class));
        if (!Files.isReadable(copy)) {
            return copy;
        }
        // root reads anything chmod 000 protects; the kernel still refuses root reads of a
        // sysctl file that has no read bit
        Path sysctl = Path.of("/proc/sys/vm/drop_caches");
        if (Files.isRegularFile(sysctl) && !Files.isReadable(sysctl)) {
            System.out.println("[PermissionDeniedTest] chmod 000 does not deny reads here (running as root); using "
                    + sysctl + ", which the kernel refuses to read even for root");
            return sysctl;
        }
        System.out.println("[PermissionDeniedTest] skipped: chmod 000 does not deny reads here (running as root) and "
                + "no file refuses root's reads");
        Assumptions.abort("no file whose reads are denied");
        return null;
    }

    @Test
    void unreadableFileSaysPermissionDenied() throws IOException {
        Path f = unreadable();
        for (Runnable open : new Runnable[] {
            () -> Hdf5DataSetIterator.builder(f).features("/x").build().close(),
            () -> Hdf5MultiDataSetIterator.builder(f).input("/x").build().close(),
            () -> Hdf5Reader.open(f, 1).close()}) {
            InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class, open::run);
            assertTrue(e.getMessage().contains("permission denied") && e.getMessage().contains(f.toString()),
                    e.getMessage());
        }
    }
}
