package org.multitables4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.datavec.api.records.reader.impl.csv.CSVSequenceRecordReader;
import org.datavec.api.split.NumberedFileInputSplit;
import org.deeplearning4j.datasets.datavec.SequenceRecordReaderDataSetIterator;
import org.deeplearning4j.datasets.datavec.SequenceRecordReaderDataSetIterator.AlignmentMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Sequences with masks, on seq_padded.h5 / seq_ragged.h5 (h5py, see
 * dl4j/make_sequence_fixtures.py): batch for batch equal to DL4J's own
 * {@code SequenceRecordReaderDataSetIterator} over CSV files (one per sequence) written here from
 * the same closed formulas, and checked against those formulas directly.
 */
class SequenceIteratorTest {
    static final int N = 41;
    static final int F = 3;

    static int length(int i) {
        return 1 + (5 * i) % 9;
    }

    static float x(int i, int t, int f) {
        return ((31 * i + 7 * t + 3 * f) % 17) / 4f - 2f;
    }

    private static Hdf5DataSetIterator.Builder builder(String layout) {
        Hdf5DataSetIterator.Builder b = Hdf5DataSetIterator.builder(ClassNamesTest.file("seq_" + layout + ".h5"))
                .features("/x").batchSize(8).order(Order.ORDERED).workers(2);
        return layout.equals("padded") ? b.paddedSequences("/lengths") : b.raggedSequences("/lengths", "/offsets");
    }

    /** Writes DL4J's inputs: f_i.csv (one line per step), l_i.csv (the class) and s_i.csv (steps plus a step class). */
    private static void writeCsv(Path dir) throws IOException {
        for (int i = 0; i < N; i++) {
            StringBuilder f = new StringBuilder();
            StringBuilder s = new StringBuilder();
            for (int t = 0; t < length(i); t++) {
                StringBuilder row = new StringBuilder();
                for (int c = 0; c < F; c++) {
                    row.append(c > 0 ? "," : "").append(x(i, t, c));
                }
                f.append(row).append('\n');
                s.append(row).append(',').append((i + t) % 2).append('\n');
            }
            Files.writeString(dir.resolve("f_" + i + ".csv"), f);
            Files.writeString(dir.resolve("s_" + i + ".csv"), s);
            Files.writeString(dir.resolve("l_" + i + ".csv"), (i % 3) + "\n");
        }
    }

    private static CSVSequenceRecordReader reader(Path dir, String prefix) throws Exception {
        CSVSequenceRecordReader r = new CSVSequenceRecordReader(0, ",");
        r.initialize(new NumberedFileInputSplit(dir + "/" + prefix + "_%d.csv", 0, N - 1));
        return r;
    }

    private static void assertSameMask(INDArray expected, INDArray actual, String what) {
        assertNotNull(actual, what);
        INDArray e = expected != null ? expected : Nd4j.onesLike(actual);
        assertEquals(e.castTo(actual.dataType()), actual, what);
    }

    private static void assertSameBatches(org.nd4j.linalg.dataset.api.iterator.DataSetIterator dl4j, Hdf5DataSetIterator ours,
                                          boolean nwc) {
        int batches = 0;
        while (dl4j.hasNext()) {
            assertTrue(ours.hasNext(), "batch " + batches);
            DataSet e = dl4j.next();
            DataSet a = ours.next();
            INDArray af = nwc ? a.getFeatures().permute(0, 2, 1) : a.getFeatures();
            INDArray al = nwc ? a.getLabels().permute(0, 2, 1) : a.getLabels();
            assertEquals(e.getFeatures(), af, "features of batch " + batches);
            assertEquals(e.getLabels(), al, "labels of batch " + batches);
            assertSameMask(e.getFeaturesMaskArray(), a.getFeaturesMaskArray(), "features mask of batch " + batches);
            assertSameMask(e.getLabelsMaskArray(), a.getLabelsMaskArray(), "labels mask of batch " + batches);
            batches++;
        }
        assertFalse(ours.hasNext());
        assertEquals((N + 7) / 8, batches);
    }

    @ParameterizedTest
    @CsvSource({"padded,ALIGN_END,NCW", "padded,ALIGN_START,NCW", "ragged,ALIGN_END,NCW", "ragged,ALIGN_START,NWC",
            "padded,ALIGN_END,NWC"})
    void perSequenceLabelsEqualDl4jsIterator(String layout, SequenceAlignment align, SequenceFormat format, @TempDir Path dir)
            throws Exception {
        writeCsv(dir);
        SequenceRecordReaderDataSetIterator dl4j = new SequenceRecordReaderDataSetIterator(reader(dir, "f"), reader(dir, "l"),
                8, 3, false, AlignmentMode.valueOf(align.name()));
        try (Hdf5DataSetIterator ours = builder(layout).labels("/y").oneHot(3).sequenceAlignment(align).sequenceFormat(format)
                .build()) {
            assertEquals(F, ours.inputColumns());
            assertEquals(3, ours.totalOutcomes());
            assertSameBatches(dl4j, ours, format == SequenceFormat.NWC);
        }
    }

    @ParameterizedTest
    @CsvSource({"padded", "ragged"})
    void perStepLabelsEqualDl4jsIterator(String layout, @TempDir Path dir) throws Exception {
        writeCsv(dir);
        SequenceRecordReaderDataSetIterator dl4j = new SequenceRecordReaderDataSetIterator(reader(dir, "s"), 8, 2, F, false);
        try (Hdf5DataSetIterator ours = builder(layout).labels("/y_steps").oneHot(2).build()) {
            assertSameBatches(dl4j, ours, false);
        }
    }

    @Test
    void multiDataSetHasMasksPerInputAndOutput(@TempDir Path dir) throws Exception {
        writeCsv(dir);
        SequenceRecordReaderDataSetIterator perSequence = new SequenceRecordReaderDataSetIterator(reader(dir, "f"),
                reader(dir, "l"), 8, 3, false, AlignmentMode.ALIGN_END);
        SequenceRecordReaderDataSetIterator perStep = new SequenceRecordReaderDataSetIterator(reader(dir, "s"), 8, 2, F, false);
        try (Hdf5MultiDataSetIterator it = Hdf5MultiDataSetIterator.builder(ClassNamesTest.file("seq_ragged.h5"))
                .input("/x").input("/x_f8_be").outputOneHot("/y", 3).outputOneHot("/y_steps", 2)
                .raggedSequences("/lengths", null).batchSize(8).order(Order.ORDERED).workers(2).build()) {
            int batches = 0;
            while (perSequence.hasNext()) {
                DataSet a = perSequence.next();
                DataSet b = perStep.next();
                org.nd4j.linalg.dataset.api.MultiDataSet m = it.next();
                for (int i = 0; i < 2; i++) {
                    assertEquals(a.getFeatures(), m.getFeatures(i), "input " + i + " of batch " + batches);
                    assertSameMask(a.getFeaturesMaskArray(), m.getFeaturesMaskArray(i), "input mask " + i);
                }
                assertEquals(a.getLabels(), m.getLabels(0));
                assertSameMask(a.getLabelsMaskArray(), m.getLabelsMaskArray(0), "aligned labels mask");
                assertEquals(b.getLabels(), m.getLabels(1));
                assertSameMask(b.getLabelsMaskArray(), m.getLabelsMaskArray(1), "per-step labels mask");
                batches++;
            }
            assertFalse(it.hasNext());
            assertEquals((N + 7) / 8, batches);
        }
    }

    @Test
    void bigEndianDoublesConvertedOnTheWorkers() {
        try (Hdf5DataSetIterator it = builder("ragged").features("/x_f8_be").order(Order.RANDOM).seed(5).build()) {
            checkAgainstFormulas(it, Integer.MAX_VALUE);
        }
    }

    @ParameterizedTest
    @CsvSource({"padded,SHUFFLED,THREADS", "ragged,RANDOM,THREADS", "ragged,SHUFFLED,THREADS", "ragged,RANDOM,PROCESSES",
            "padded,ORDERED,PROCESSES"})
    void everySequenceOnceWithMasksEqualToTheLengths(String layout, Order order, Backend backend) {
        try (Hdf5DataSetIterator it = builder(layout).labels("/y").oneHot(3).order(order).seed(11).backend(backend).build()) {
            assertEquals(N, checkAgainstFormulas(it, Integer.MAX_VALUE));
        }
    }

    @Test
    void shardsCopiesAndResumeWorkOnSequences() {
        int seen = 0;
        for (int shard = 0; shard < 2; shard++) {
            try (Hdf5DataSetIterator it = builder("padded").labels("/y").oneHot(3).order(Order.SHUFFLED).seed(2)
                    .shard(shard, 2).shardMode(ShardMode.UNEVEN).build()) {
                seen += checkAgainstFormulas(it, Integer.MAX_VALUE);
            }
        }
        assertEquals(N, seen, "two shards cover the sequences");
        Hdf5DataSetIterator.Builder b = builder("ragged").labels("/y").oneHot(3).order(Order.RANDOM).seed(8).copyBatches(true);
        DataSet kept;
        IteratorState st;
        try (Hdf5DataSetIterator it = b.build()) {
            kept = it.next();
            it.next();
            st = it.state();
        }
        try (Hdf5DataSetIterator again = b.build()) {
            DataSet first = again.next();
            assertEquals(first.getFeatures(), kept.getFeatures(), "a copied batch outlives its iterator");
            assertEquals(first.getFeaturesMaskArray(), kept.getFeaturesMaskArray());
            assertEquals(first.getLabelsMaskArray(), kept.getLabelsMaskArray());
            again.next();
            DataSet third = again.next();
            try (Hdf5DataSetIterator resumed = b.resumeFrom(st).build()) {
                DataSet r = resumed.next();
                assertEquals(third.getFeatures(), r.getFeatures(), "resumed at the third batch");
                assertEquals(third.getLabels(), r.getLabels());
            }
        }
    }

    @Test
    void truncationKeepsTheFirstStepsAndMovesTheLabel() {
        try (Hdf5DataSetIterator it = builder("ragged").labels("/y").oneHot(3).maxSequenceLength(4).build()) {
            assertEquals(N, checkAgainstFormulas(it, 4));
        }
    }

    /** Checks every delivered sequence against the formulas; returns the sequences seen. */
    private static int checkAgainstFormulas(Hdf5DataSetIterator it, int max) {
        boolean[] seen = new boolean[N];
        int count = 0;
        while (it.hasNext()) {
            DataSet ds = it.next();
            long[] rows = it.lastIndices();
            INDArray f = ds.getFeatures();
            INDArray m = ds.getFeaturesMaskArray();
            int lb = 0;
            for (long r : rows) {
                lb = Math.max(lb, Math.min(max, length((int) r)));
            }
            assertEquals(lb, f.size(2), "padded to the batch's longest sequence");
            for (int k = 0; k < rows.length; k++) {
                int i = (int) rows[k];
                assertFalse(seen[i], "sequence " + i + " twice");
                seen[i] = true;
                count++;
                int len = Math.min(max, length(i));
                assertEquals(len, m.getRow(k).sumNumber().intValue(), "mask of sequence " + i);
                for (int t = 0; t < lb; t++) {
                    assertEquals(t < len ? 1f : 0f, m.getFloat(k, t));
                    for (int c = 0; c < F; c++) {
                        assertEquals(t < len ? x(i, t, c) : 0f, f.getFloat(k, c, t), "sequence " + i + " step " + t);
                    }
                }
                if (ds.getLabels() != null) {
                    for (int t = 0; t < lb; t++) {
                        boolean at = t == len - 1;
                        assertEquals(at ? 1f : 0f, ds.getLabelsMaskArray().getFloat(k, t));
                        assertEquals(at ? 1f : 0f, ds.getLabels().getFloat(k, i % 3, t));
                    }
                }
            }
        }
        return count;
    }

    @Test
    void badSequenceOptionsFailAtBuild() {
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                () -> builder("ragged").paddedSequences("/lengths").build());
        assertTrue(e.getMessage().contains("[n, T, F]"), e.getMessage());
        e = assertThrows(InvalidConfigurationException.class,
                () -> builder("padded").labels("/y").oneHot(3).featureShape(27).build());
        assertTrue(e.getMessage().contains("featureShape"), e.getMessage());
        e = assertThrows(InvalidConfigurationException.class,
                () -> builder("ragged").raggedSequences("/offsets", "/lengths").build());
        assertTrue(e.getMessage().contains("outside"), e.getMessage());
    }
}
