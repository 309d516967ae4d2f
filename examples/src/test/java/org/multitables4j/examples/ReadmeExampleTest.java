package org.multitables4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import java.net.URI;
import org.multitables4j.Backend;
import org.multitables4j.CorruptChunkPolicy;
import org.multitables4j.FeatureStatistics;
import org.multitables4j.Hdf5DataSetIterator;
import org.multitables4j.Hdf5Files;
import org.multitables4j.IteratorStats;
import org.multitables4j.Order;
import org.multitables4j.ReadStats;
import org.multitables4j.RemoteOptions;
import org.multitables4j.SequenceAlignment;
import org.multitables4j.datasets.ElementKind;
import org.multitables4j.datasets.Generate;
import org.multitables4j.datasets.H5Writer;
import org.multitables4j.datasets.RowWriter;
import org.multitables4j.examples.TrainFashionMnist.Architecture;
import org.multitables4j.datasets.WriteOptions;
import org.multitables4j.reader.Hdf5Dataset;
import org.multitables4j.reader.Hdf5Reader;
import org.multitables4j.reader.Hdf5Table;
import org.multitables4j.reader.Hdf5VLArray;
import org.multitables4j.reader.RaggedArray;
import org.multitables4j.reader.RecordBatch;
import org.multitables4j.reader.Request;
import org.multitables4j.reader.Stage;
import org.multitables4j.reader.StagedArray;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.preprocessor.ImagePreProcessingScaler;
import org.nd4j.linalg.dataset.api.preprocessor.NormalizerStandardize;

/**
 * The README's quick start compiles and runs: its Java block is the body of {@link #quickStart},
 * and a test checks that the README still shows exactly these lines.
 */
class ReadmeExampleTest {
    @TempDir
    Path dir;

    void quickStart(MultiLayerNetwork network) {
        // README-BEGIN
        try (Hdf5DataSetIterator train = Hdf5DataSetIterator.builder(Path.of("fashion-mnist.h5"))
                .features("/train/x")      // rows = outermost dimension; any trailing shape
                .labels("/train/y")        // optional
                .oneHot(10)                // integer class ids -> one-hot, on the workers
                .featureShape(784)         // deliver [batch, 784] for an MLP
                .batchSize(128)
                .order(Order.SHUFFLED)     // ORDERED | AS_AVAILABLE | SHUFFLED | RANDOM
                .seed(42)                  // the order is a pure function of (seed, epoch)
                .workers(2)
                .prefetch(8)               // ring slots filled ahead
                .build()) {
            train.setPreProcessor(new ImagePreProcessingScaler(0, 1));   // runs on the workers
            network.fit(train, 5);
            System.out.println(train.stats());
        }
        // README-END
    }

    void processesExample(MultiLayerNetwork model) {
        // README-BEGIN
        try (Hdf5DataSetIterator it = Hdf5DataSetIterator.builder(Path.of("train.h5"))
                .features("/x").labels("/y").oneHot(10).batchSize(128).workers(2)
                .backend(Backend.PROCESSES)                 // one child JVM per worker
                .build()) {
            model.fit(it, 5);
        }
        // README-END
    }

    void multiFileExample(MultiLayerNetwork model) {
        // README-BEGIN
        List<Path> files = Hdf5Files.glob("data/train-*.h5");   // sorted by path
        try (Hdf5DataSetIterator it = Hdf5DataSetIterator.builder(files)
                .features("/x").labels("/y").oneHot(10).order(Order.SHUFFLED).build()) {
            model.fit(it, 5);
        }
        // README-END
    }

    INDArray readerExample(Path path, boolean[] flags) {
        // README-BEGIN
        try (Hdf5Reader reader = Hdf5Reader.open(path, 2)) {          // org.multitables4j.reader
            Hdf5Dataset ds = reader.dataset("/x");                     // shape(), dtype(), chunkShape()
            Stage stage = ds.createStage(256);                         // off-heap room for 256 rows
            INDArray copy = reader.request(ds.rows(30, 35), stage).get();                // slice, detached copy
            reader.request(ds.rows(new long[] {7, 3, 99}), stage).getDirect(System.out::println); // view in a callback
            try (StagedArray v = reader.request(ds.mask(flags), stage).acquire()) {     // view until closed
                System.out.println(v.array().sumNumber());
            }
        // README-END }
            return copy;
        }
    }

    INDArray samplingExample(MultiLayerNetwork network, Path path) {
        // README-BEGIN
        try (Hdf5DataSetIterator train = Hdf5DataSetIterator.builder(Path.of("fashion-mnist.h5"))
                .order(Order.RANDOM_WITH_REPLACEMENT) // random minibatches, drawn with replacement
                .features("/train/x")              // [n, 28, 28]
                .selectFeatures(1, 2, 26)          // x[rows, 2:26, 2:26]: a centre crop of any inner dimension
                .selectFeatures(2, 2, 26)
                .featureShape(24 * 24)             // deliver [batch, 576] for an MLP
                .labels("/train/y").oneHot(10)
                .sampleWeights("/train/w")         // or a double[] per row; uniform when omitted
                .batchSize(64)
                .batchesPerEpoch(500)
                .seed(7)                           // the indices are a pure function of (seed, epoch)
                .prefetch(4)                       // batches the workers fill ahead
                .workers(2)
                .build()) {
            network.fit(train, 3);                 // reset() between epochs draws the next epoch
        }
        try (Hdf5Reader reader = Hdf5Reader.open(path, 2)) {
            Hdf5Dataset ds = reader.dataset("/volumes");                     // [n, 6, 5, 4]
            Request r = ds.rows(30, 35).select(1, 2, 5).select(-1, 1, 3);    // numpy x[30:35, 2:5, :, 1:3]
            return reader.request(r, ds.createStage(5)).get();              // [5, 3, 5, 2]
        }
        // README-END
    }

    void sequencesExample(MultiLayerNetwork lstm) {
        // README-BEGIN
        try (Hdf5DataSetIterator train = Hdf5DataSetIterator.builder(Path.of("sequences.h5"))
                .features("/x")                                 // ragged: [steps, F]
                .raggedSequences("/lengths", "/offsets")         // [n] each; offsets may be null (back to back)
                .labels("/y").oneHot(2)                          // [n]: one label per sequence
                .sequenceAlignment(SequenceAlignment.ALIGN_END)  // label at each sequence's last step
                .rowFraction(0, 0.8)                             // first 80% of the sequences
                .batchSize(32).order(Order.SHUFFLED).build()) {
            lstm.fit(train, 5);
        }
        // README-END
    }

    /** The normaliser snippet of the README's "Class names, normalisers" section. */
    void featureStatisticsExample(MultiLayerNetwork net) {
        // README-BEGIN
        Hdf5DataSetIterator.Builder train = Hdf5DataSetIterator.builder(Path.of("train.h5"))
                .features("/x").labels("/y").oneHot(10).batchSize(128)
                .rowFraction(0, 0.8);                                   // statistics of the training rows only
        NormalizerStandardize norm = FeatureStatistics.of(train).standardize();   // one pass over the stored blocks
        try (Hdf5DataSetIterator it = train.build()) {
            it.setPreProcessor(norm);                                   // applied on the workers
            net.fit(it, 5);
        }
        // README-END
    }

    List<Request> indexingExample(Hdf5Dataset ds, boolean[] flags, boolean[] mask5) {
        // README-BEGIN
        Request r1 = ds.rows(3, 30).select(1, 0, 6, 2).select(2, new long[] {1, 3});  // x[3:30, ::2, [1, 3]]
        Request r2 = ds.mask(flags).at(2, 2);                                          // x[mask, :, 2]
        Request r3 = ds.rows(-5, -1).select(1, -2, 6).select(2, mask5).at(-1, -1);     // x[-5:-1, -2:, mask5, -1]
        // README-END
        return List.of(r1, r2, r3);
    }

    void tableExample(Path path) {
        // README-BEGIN
        try (Hdf5Reader reader = Hdf5Reader.open(path, 2)) {
            Hdf5Table t = reader.table("/table");                     // a PyTables Table (compound dataset)
            RecordBatch b = t.read(t.rows(30, 35));                   // every field
            INDArray x = b.array("x");                                // numeric fields, [rows, field shape...]
            String[] names = b.strings("name");                       // fixed-length byte strings
            INDArray a = b.array("meta/a");                           // nested fields by path
            RecordBatch only = t.read(t.readCoordinates(new long[] {5, 999, 0}).field("x"));
            long[] hits = t.where("(x > lim) & (k != 0)").bind("lim", 0.25).range(300, 700).coordinates();
            RecordBatch matches = t.where("x ** 2 + y ** 2 < 0.5").fields("id", "name").read();
            RecordBatch sorted = t.readSorted("x").checkCSI(true).range(200, 300).read();
        }
        // README-END
    }

    INDArray vlarrayExample(Hdf5Reader reader) {
        // README-BEGIN
        Hdf5VLArray vl = reader.vlarray("/vl_int");      // PyTables VLArray, h5py vlen dataset of numbers
        RaggedArray r = vl.read(10, 20);                 // values() flat, offsets() rows+1, row(i) a view
        INDArray row = vl.row(-1);
        INDArray x = r.padded(r.maxLength());            // [rows, steps], zeros after each row's end
        INDArray m = r.mask(r.maxLength());              // [rows, steps] FLOAT, 1 where a row has a value
        // README-END
        return row;
    }

    void corruptChunkExample(MultiLayerNetwork network) {
        // README-BEGIN
        try (Hdf5DataSetIterator it = Hdf5DataSetIterator.builder(Path.of("train.h5"))
                .features("/x").labels("/y").oneHot(10)
                .onCorruptChunk(CorruptChunkPolicy.SKIP)   // leave out rows of undecodable chunks
                .build()) {
            network.fit(it, 5);
            IteratorStats s = it.stats();
            System.out.println(s.skippedChunks() + " chunks, " + s.skippedRows() + " rows skipped");
        }
        // README-END
    }

    void remoteExample(MultiLayerNetwork model) {
        // README-BEGIN
        ReadStats stats = new ReadStats();             // optional: read calls and bytes
        RemoteOptions remote = RemoteOptions.defaults()          // Hadoop's defaults from the classpath
                .withProperty("dfs.client.use.datanode.hostname", "true").withStats(stats);
        try (Hdf5DataSetIterator it = Hdf5DataSetIterator.builder(URI.create("hdfs://nn:8020/data/train.h5"), remote)
                .features("/x").labels("/y").oneHot(10).batchSize(256).order(Order.SHUFFLED).workers(4).build()) {
            model.fit(it, 5);
        }
        RemoteOptions s3 = RemoteOptions.defaults()
                .withProperty("fs.s3a.endpoint", "http://minio:9000")
                .withProperty("fs.s3a.path.style.access", "true");
        try (Hdf5Reader reader = Hdf5Reader.open(URI.create("s3a://bucket/train.h5"), s3, 4, 256L << 20, Backend.THREADS)) {
            Hdf5Dataset ds = reader.dataset("/x");
            INDArray rows = reader.request(ds.rows(new long[] {7, 3, 99}), ds.createStage(3)).get();
        }
        // README-END
    }

    static List<String> block(String text) {
        List<String> lines = new ArrayList<>();
        for (String l : text.split("\n")) {
            if (!l.isBlank()) {
                lines.add(l.strip());
            }
        }
        return lines;
    }

    @Test
    void readmeShowsTheCompiledSnippets() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        Matcher m = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL).matcher(readme);
        String src = Files.readString(Path.of("src/test/java/org/multitables4j/examples/ReadmeExampleTest.java"));
        int from = 0;
        int i = 0;
        while (m.find()) {
            int b = src.indexOf("// README-BEGIN\n", from);
            assertTrue(b >= 0, "README java block " + i + " has a compiled region in this file:\n" + m.group(1));
            b += "// README-BEGIN".length();
            int e = src.indexOf("// README-END", b);
            List<String> compiled = block(src.substring(b, e));
            List<String> shown = block(m.group(1));
            if (src.startsWith("// README-END }", e)) {
                compiled.add("}"); // the method closes the try after its return statement
            }
            assertEquals(compiled, shown, "README java block " + i);
            from = e;
            i++;
        }
        assertTrue(src.indexOf("// README-BEGIN\n", from) < 0, "every compiled region is shown in the README");
    }

    void writerExample(float[] rows) {
        // README-BEGIN datasets
        try (H5Writer w = H5Writer.create(Path.of("out.h5"))) {
            RowWriter x = w.dataset("/train/x", ElementKind.FLOAT32, new long[] {784}, WriteOptions.DEFAULT);
            x.append(rows);                                   // float[] of whole rows, any number of times
            w.attribute("/", "source", "my data");
        }
        // README-END
    }

    Hdf5DataSetIterator sgdExample(Path file) {
        // README-BEGIN examples
        Hdf5DataSetIterator sgd = TrainFashionMnist.split(file, "train", Architecture.MLP)
                .order(Order.RANDOM_WITH_REPLACEMENT).samplesPerEpoch(20_000).batchSize(64).seed(3).build();
        // README-END
        return sgd;
    }

    /** The Java blocks of the module READMEs are the marked regions of this file. */
    @Test
    void moduleReadmesShowCompiledSnippets() throws IOException {
        String src = Files.readString(Path.of("src/test/java/org/multitables4j/examples/ReadmeExampleTest.java"));
        for (String module : new String[] {"datasets", "examples"}) {
            String readme = Files.readString(Path.of("..", module, "README.md"));
            Matcher m = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(readme);
            assertTrue(m.find(), module + "/README.md has a java block");
            int b = src.indexOf("// README-BEGIN " + module) + ("// README-BEGIN " + module).length();
            int e = src.indexOf("// README-END", b);
            assertEquals(block(src.substring(b, e)), block(m.group(1)), module + "/README.md");
        }
    }

    @Test
    void writerAndSamplingExamplesRun() throws IOException {
        Path out = Path.of("out.h5");
        try {
            writerExample(new float[2 * 784]);
            assertTrue(Files.size(out) > 0);
        } finally {
            Files.deleteIfExists(out);
        }
        Path file = dir.resolve("images.h5");
        Generate.write(Generate.Kind.IMAGES, 300, 50, 28, 10, 4, file, WriteOptions.DEFAULT, true);
        try (Hdf5DataSetIterator sgd = sgdExample(file)) {
            assertEquals((20_000 + 63) / 64, sgd.batchesPerEpoch());
        }
    }

    @Test
    void readerExampleRuns() {
        Path file = dir.resolve("clusters.h5");
        Generate.write(Generate.Kind.CLUSTERS, 500, 0, 8, 3, 2, file, WriteOptions.DEFAULT, true);
        boolean[] flags = new boolean[500];
        flags[4] = true;
        flags[400] = true;
        INDArray copy = readerExample(file, flags);
        assertEquals(5, copy.size(0));
        assertEquals(8, copy.size(1));
    }

    @Test
    void quickStartRuns() {
        Path file = dir.resolve("fashion-mnist.h5");
        Generate.write(Generate.Kind.IMAGES, 600, 100, 28, 10, 3, file, WriteOptions.DEFAULT, true);
        String cwd = System.getProperty("user.dir");
        // the snippet opens "fashion-mnist.h5" relative to the working directory
        Path link = Path.of(cwd, "fashion-mnist.h5");
        try {
            Files.copy(file, link);
            MultiLayerNetwork net = TrainFashionMnist.network(TrainFashionMnist.Architecture.MLP, 1);
            quickStart(net);
            assertTrue(net.getIterationCount() > 0, "the network trained");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } finally {
            try {
                Files.deleteIfExists(link);
            } catch (IOException ignored) {
                // best effort
            }
        }
    }
}
