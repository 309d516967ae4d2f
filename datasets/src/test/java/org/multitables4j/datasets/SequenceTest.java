package org.multitables4j.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.multitables4j.datasets.cli.DatasetsCli;
import picocli.CommandLine;

/**
 * Sequence training files: CSV directories written by NumPy, converted, then read back by h5py
 * and compared with NumPy's parse of the same CSV files; generated sequences checked by NumPy
 * recomputing every label from the stored values.
 */
class SequenceTest {
    @TempDir
    Path dir;

    /** Writes sequence files 1.csv, 2.csv, ..., 12.csv (natural order differs from name order). */
    private static final String WRITE_CSVS = String.join("\n",
            "import sys, os, numpy as np",
            "d, labels, mode = sys.argv[1], sys.argv[2], sys.argv[3]",
            "rng = np.random.default_rng(11)",
            "os.makedirs(d, exist_ok=True)",
            "if labels != '-': os.makedirs(labels, exist_ok=True)",
            "for i in range(1, 13):",
            "    n = int(rng.integers(1, 9))",
            "    a = np.round(rng.standard_normal((n, 4)), 4)",
            "    a[:, 1] = rng.integers(0, 3, n)",                      // the per-step label column
            "    np.savetxt(f'{d}/{i}.csv', a, delimiter=',', fmt='%.4f', header='a,label,b,c', comments='')",
            "    if mode == 'sequence': np.savetxt(f'{labels}/{i}.csv', [i % 4], fmt='%d')",
            "    if mode == 'step': np.savetxt(f'{labels}/{i}.csv', np.round(rng.standard_normal(n), 3), fmt='%.3f')");

    /** Reads the CSVs in numeric order with NumPy: features, label column, label files. */
    private static final String READ_CSVS = String.join("\n",
            "import sys, h5py, numpy as np",
            "d, labels, h5 = sys.argv[1], sys.argv[2], sys.argv[3]",
            "seqs = [np.loadtxt(f'{d}/{i}.csv', delimiter=',', skiprows=1, ndmin=2) for i in range(1, 13)]",
            "lens = np.array([len(s) for s in seqs])",
            "f = h5py.File(h5, 'r')");

    @Test
    void csvDirectoryWithPerStepLabelColumnRagged() throws Exception {
        Path seq = dir.resolve("seq");
        TestSupport.python(WRITE_CSVS, seq.toString(), "-", "none");
        Path out = dir.resolve("r.h5");
        Convert.SequenceSummary s = Convert.csvSequences(seq, SequenceCsvOptions.DEFAULT.withSkipLines(1).withLabelIndex(1),
                SequenceLayout.RAGGED, out, WriteOptions.builder().chunkRows(8).build(), true);
        assertEquals(12, s.sequences());
        assertEquals(3, s.features());
        assertEquals("step", s.labelMode());
        String r = TestSupport.python(READ_CSVS + "\n" + String.join("\n",
                "allx = np.concatenate(seqs)",
                "x = np.delete(allx, 1, axis=1).astype(np.float32); y = allx[:, 1].astype(np.int64)",
                "offs = np.concatenate([[0], np.cumsum(lens)[:-1]])",
                "print(np.array_equal(f['x'][:], x), np.array_equal(f['y'][:], y), np.array_equal(f['lengths'][:], lens),",
                "      np.array_equal(f['offsets'][:], offs), f['lengths'].dtype, f['offsets'].dtype, f['x'].dtype,",
                "      f.attrs['sequence_layout'], f.attrs['label_mode'], f.attrs['sequences'], f.attrs['steps'] == lens.sum(),",
                "      f.attrs['max_length'] == lens.max())"),
                seq.toString(), "-", out.toString());
        assertEquals("True True True True int64 int64 float32 ragged step 12 True True", r);
    }

    @Test
    void labelFilesPerSequencePaddedAndPerStepFloat() throws Exception {
        Path seq = dir.resolve("seq");
        Path lab = dir.resolve("lab");
        TestSupport.python(WRITE_CSVS, seq.toString(), lab.toString(), "sequence");
        Path out = dir.resolve("p.h5");
        Convert.SequenceSummary s = Convert.csvSequences(seq, SequenceCsvOptions.DEFAULT.withSkipLines(1).withLabelsDir(lab),
                SequenceLayout.PADDED, out, WriteOptions.DEFAULT, true);
        assertEquals("sequence", s.labelMode());
        assertEquals(4, s.features());
        String r = TestSupport.python(READ_CSVS + "\n" + String.join("\n",
                "T = lens.max()",
                "x = np.zeros((12, T, 4), np.float32)",
                "for i, q in enumerate(seqs): x[i, :len(q)] = q",
                "y = np.array([i % 4 for i in range(1, 13)])",
                "print(np.array_equal(f['x'][:], x), np.array_equal(f['y'][:], y), np.array_equal(f['lengths'][:], lens),",
                "      'offsets' in f, f['x'].shape == (12, T, 4), f.attrs['sequence_layout'], f.attrs['label_mode'])"),
                seq.toString(), lab.toString(), out.toString());
        assertEquals("True True True False True padded sequence", r);

        // one float label per step, ragged: y is aligned with x
        Path lab2 = dir.resolve("lab2");
        Path seq2 = dir.resolve("seq2");
        TestSupport.python(WRITE_CSVS, seq2.toString(), lab2.toString(), "step");
        Path out2 = dir.resolve("f.h5");
        Convert.SequenceSummary s2 = Convert.csvSequences(seq2,
                SequenceCsvOptions.DEFAULT.withSkipLines(1).withLabelsDir(lab2), SequenceLayout.RAGGED, out2,
                WriteOptions.DEFAULT, true);
        assertEquals(ElementKind.FLOAT32, s2.labelKind());
        String r2 = TestSupport.python(READ_CSVS + "\n" + String.join("\n",
                "y = np.concatenate([np.loadtxt(f'{sys.argv[4]}/{i}.csv', ndmin=1) for i in range(1, 13)]).astype(np.float32)",
                "print(np.array_equal(f['x'][:], np.concatenate(seqs).astype(np.float32)), np.array_equal(f['y'][:], y),",
                "      f['y'].dtype, f.attrs['label_mode'])"),
                seq2.toString(), "-", out2.toString(), lab2.toString());
        assertEquals("True True float32 step", r2);
    }

    @Test
    void badSequenceInputsNameTheirFile() throws Exception {
        Path seq = dir.resolve("seq");
        Path lab = dir.resolve("lab");
        Files.createDirectories(seq);
        Files.createDirectories(lab);
        Files.writeString(seq.resolve("0.csv"), "1,2\n3,4\n");
        Files.writeString(seq.resolve("1.csv"), "1,2\n3,x\n");
        Path out = dir.resolve("o.h5");
        DatasetsException e = assertThrows(DatasetsException.class, () -> Convert.csvSequences(seq,
                SequenceCsvOptions.DEFAULT, SequenceLayout.RAGGED, out, WriteOptions.DEFAULT, true));
        assertTrue(e.getMessage().contains("1.csv, line 2") && e.getMessage().contains("'x' is not a number"), e.getMessage());
        Files.writeString(seq.resolve("1.csv"), "1,2,3\n");
        e = assertThrows(DatasetsException.class, () -> Convert.csvSequences(seq, SequenceCsvOptions.DEFAULT,
                SequenceLayout.RAGGED, out, WriteOptions.DEFAULT, true));
        assertTrue(e.getMessage().contains("1.csv, line 1: 3 fields, the first sequence file has 2"), e.getMessage());
        Files.writeString(seq.resolve("1.csv"), "5,6\n");
        Files.writeString(lab.resolve("0.csv"), "1\n0\n");
        Files.writeString(lab.resolve("1.csv"), "1\n0\n");
        e = assertThrows(DatasetsException.class, () -> Convert.csvSequences(seq, SequenceCsvOptions.DEFAULT.withLabelsDir(lab),
                SequenceLayout.RAGGED, out, WriteOptions.DEFAULT, true));
        assertTrue(e.getMessage().contains("1.csv has 2 labels but its sequence has 1 steps"), e.getMessage());
        // the output may not be one of the inputs
        e = assertThrows(DatasetsException.class, () -> Convert.csvSequences(seq, SequenceCsvOptions.DEFAULT,
                SequenceLayout.RAGGED, seq.resolve("./1.csv"), WriteOptions.DEFAULT, true));
        assertTrue(e.getMessage().contains("is the input"), e.getMessage());
        assertEquals("5,6\n", Files.readString(seq.resolve("1.csv")));
        assertEquals(List.of(), TestSupport.outputs(dir));
    }

    @Test
    void generatedSequencesLabelsAreTheSignOfTheirSums() throws Exception {
        Path ragged = dir.resolve("g.h5");
        StringWriter err = new StringWriter();
        CommandLine cl = DatasetsCli.commandLine();
        cl.setErr(new PrintWriter(err, true));
        assertEquals(0, cl.execute("generate", "sequences", "--sequences", "3000", "--test-sequences", "500", "--min-length",
                "3", "--max-length", "40", "--dim", "2", "--seed", "4", "-q", "-o", ragged.toString()), err.toString());
        String r = TestSupport.python(String.join("\n",
                "import sys, h5py, numpy as np",
                "f = h5py.File(sys.argv[1], 'r')",
                "out = []",
                "for g in ('train', 'test'):",
                "    x, y, ln, of = (f[g][k][:] for k in ('x', 'y', 'lengths', 'offsets'))",
                "    ok = np.array_equal(of, np.concatenate([[0], np.cumsum(ln)[:-1]])) and len(x) == ln.sum()",
                "    sums = np.array([x[o:o + l].astype(np.float64).sum() for o, l in zip(of, ln)])",
                "    out += [ok, np.array_equal(y, (sums > 0).astype(np.int64)), ln.min() >= 3 and ln.max() <= 40,",
                "            len(np.unique(ln)) > 30, 0.4 < y.mean() < 0.6, x.shape[1], f[g].attrs['label_mode']]",
                "print(*out)"), ragged.toString());
        assertEquals("True True True True True 2 sequence True True True True True 2 sequence", r);

        Path padded = dir.resolve("p.h5");
        Generate.sequences(200, 0, 1, 25, 3, 9, true, SequenceLayout.PADDED, padded, WriteOptions.DEFAULT, true);
        String p = TestSupport.python(String.join("\n",
                "import sys, h5py, numpy as np",
                "f = h5py.File(sys.argv[1], 'r')",
                "x, y, ln = f['x'][:], f['y'][:], f['lengths'][:]",
                "mask = np.arange(25)[None, :] < ln[:, None]",
                "run = np.cumsum(x.astype(np.float64).sum(axis=2), axis=1)",
                "print(x.shape, y.shape, np.array_equal(y, np.where(mask, run > 0, 0).astype(np.int64)),",
                "      np.all(x[~mask] == 0), np.all(x[mask].any(axis=-1)), f.attrs['sequence_layout'], f.attrs['max_length'])"),
                padded.toString());
        assertEquals("(200, 25, 3) (200, 25) True True True padded 25", p);
    }

    /** The command line's options reach the converter: label column from the end, header, padded. */
    @Test
    void commandLineCsvSequences() throws Exception {
        Path seq = dir.resolve("seq");
        Files.createDirectories(seq);
        Files.writeString(seq.resolve("s10.csv"), "a;b;label\n1;2;1\n3;4;0\n5;6;1\n");
        Files.writeString(seq.resolve("s9.csv"), "a;b;label\n7;8;0\n");
        Files.writeString(seq.resolve("notes.txt"), "not a sequence\n");
        Path out = dir.resolve("c.h5");
        StringWriter err = new StringWriter();
        CommandLine cl = DatasetsCli.commandLine();
        cl.setErr(new PrintWriter(err, true));
        assertEquals(0, cl.execute("convert", "csv-sequences", seq.toString(), "--label-index", "-1", "--skip-lines", "1",
                "--delimiter", ";", "--layout", "padded", "-o", out.toString()), err.toString());
        assertTrue(err.toString().contains("note: 2 sequences, 4 steps, 2 features, longest 3, int64 labels per step"),
                err.toString());
        // s9 before s10 (natural order); padded with zeros
        assertEquals(List.of(7.0, 8.0, 0.0, 0.0, 0.0, 0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0),
                java.util.Arrays.stream(TestSupport.doubles(out, "/x")).boxed().toList());
        assertEquals(List.of(0L, 0L, 0L, 1L, 0L, 1L), java.util.Arrays.stream(TestSupport.longs(out, "/y")).boxed().toList());
        assertEquals(List.of(1L, 3L), java.util.Arrays.stream(TestSupport.longs(out, "/lengths")).boxed().toList());
        assertEquals(1, cl.execute("convert", "csv-sequences", seq.toString(), "--layout", "zigzag", "-q", "-o",
                dir.resolve("z.h5").toString()));
        assertTrue(err.toString().contains("error: Unknown --layout 'zigzag'"), err.toString());
    }
}
