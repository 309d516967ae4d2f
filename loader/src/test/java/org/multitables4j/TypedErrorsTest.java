package org.multitables4j;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Bad options fail with the library's typed errors, naming what is wrong. */
class TypedErrorsTest {
    private static void refused(String part, Supplier<?> build) {
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class, build::get);
        assertTrue(e.getMessage().contains(part), "'" + e.getMessage() + "' should say '" + part + "'");
    }

    @Test
    void overflowingShapesAndImpossibleStatesAreRefused() {
        Supplier<Hdf5DataSetIterator.Builder> b = Hdf5DataSetIteratorTest::base;
        refused("overflows", () -> b.get().featureShape(Long.MAX_VALUE, 4).build());
        refused("negative", () -> b.get().resumeFrom(new IteratorState(0, -1, 0, Hdf5DataSetIteratorTest.N, 0)));
        IteratorState st;
        try (Hdf5DataSetIterator it = b.get().order(Order.SHUFFLED).build()) {
            it.next();
            st = it.state();
        }
        IteratorState past = new IteratorState(st.epoch(), 1_000, st.seed(), st.rows(), st.optionsHash());
        refused("has only 105 batches", () -> b.get().order(Order.SHUFFLED).resumeFrom(past).build());
        try (Hdf5DataSetIterator it = b.get().order(Order.SHUFFLED).resumeFrom(st).build()) {
            assertTrue(it.hasNext(), "a real state still resumes");
        }
    }

    @Test
    void samplingOptionsNeedSampling() {
        Supplier<Hdf5DataSetIterator.Builder> b = Hdf5DataSetIteratorTest::base;
        refused("samplesPerEpoch needs order(RANDOM_WITH_REPLACEMENT)", () -> b.get().samplesPerEpoch(10).build());
        refused("batchesPerEpoch needs order(RANDOM_WITH_REPLACEMENT)", () -> b.get().batchesPerEpoch(10).build());
        refused("sampleWeights needs order(RANDOM_WITH_REPLACEMENT)",
                () -> b.get().sampleWeights(new double[] {1, 2}).build());
        refused("not both", () -> b.get().order(Order.RANDOM_WITH_REPLACEMENT).samplesPerEpoch(5).batchesPerEpoch(2).build());
    }

    @Test
    void anUnusableSharedMemoryDirectoryIsATypedError() {
        refused("sharedMemoryDir", () -> Hdf5DataSetIteratorTest.base().backend(Backend.PROCESSES)
                .sharedMemoryDir(Path.of("/proc")).build());
    }
}
