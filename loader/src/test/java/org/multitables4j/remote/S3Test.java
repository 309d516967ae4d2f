package org.multitables4j.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.util.List;
import java.util.SplittableRandom;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.multitables4j.Hdf5DataSetIterator;
import org.multitables4j.Order;
import org.multitables4j.ReadStats;
import org.multitables4j.RemoteOptions;
import org.multitables4j.reader.Hdf5Dataset;
import org.multitables4j.reader.Hdf5Reader;
import org.multitables4j.reader.Stage;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Reads h5py's fixture through {@code s3a://} from a real S3 API: S3Proxy over an in-memory
 * blob store, started by the test, with S3A configured by properties only (no Hadoop type in the
 * test's options).
 */
@Timeout(120)
class S3Test {
    private static final String KEY = "access";
    private static final String SECRET = "secret-key";
    private static BlobStoreContext context;
    private static S3Proxy proxy;
    private static RemoteOptions options;

    @BeforeAll
    static void startS3() throws Exception {
        context = ContextBuilder.newBuilder("transient").credentials(KEY, SECRET).build(BlobStoreContext.class);
        BlobStore store = context.getBlobStore();
        store.createContainerInLocation(null, "bucket");
        store.putBlob("bucket", store.blobBuilder("data/remote.h5").payload(Files.readAllBytes(RemoteFixture.file())).build());
        proxy = S3Proxy.builder().blobStore(store).endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, KEY, SECRET).build();
        proxy.start();
        long until = System.nanoTime() + 30_000_000_000L;
        while (!"STARTED".equals(proxy.getState()) && System.nanoTime() < until) {
            Thread.sleep(10);
        }
        options = RemoteOptions.defaults()
                .withProperty("fs.s3a.endpoint", "http://127.0.0.1:" + proxy.getPort())
                .withProperty("fs.s3a.endpoint.region", "us-east-1")
                .withProperty("fs.s3a.path.style.access", "true")
                .withProperty("fs.s3a.connection.ssl.enabled", "false")
                .withProperty("fs.s3a.access.key", KEY)
                .withProperty("fs.s3a.secret.key", SECRET)
                .withProperty("fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider")
                .withProperty("fs.s3a.attempts.maximum", "1")
                .withProperty("fs.s3a.retry.limit", "1");
    }

    @AfterAll
    static void stopS3() throws Exception {
        if (proxy != null) {
            proxy.stop();
        }
        if (context != null) {
            context.close();
        }
    }

    @Test
    void streamsAndServesRequestsFromS3() throws Exception {
        URI uri = URI.create("s3a://bucket/data/remote.h5");
        ReadStats stats = new ReadStats();
        RemoteOptions o = options.withMetadataBlockBytes(4096).withStats(stats);
        for (Order order : new Order[] {Order.ORDERED, Order.SHUFFLED}) {
            stats.reset();
            try (Hdf5DataSetIterator it = Hdf5DataSetIterator.builder(uri, o).features("/x").labels("/y").batchSize(100)
                    .order(order).seed(3).workers(2).build()) {
                List<Integer> ids = RemoteFixture.epochIds(it);
                RemoteFixture.assertEachRowOnce(ids);
                if (order == Order.ORDERED) {
                    for (int i = 0; i < ids.size(); i++) {
                        assertEquals(i, ids.get(i));
                    }
                }
            }
            long[] x = RemoteFixture.chunkInfo("/x");
            long[] y = RemoteFixture.chunkInfo("/y");
            assertEquals(x[0] + y[0], stats.dataCalls(), stats.toString());
            assertEquals(x[1] + y[1], stats.dataBytes(), stats.toString());
            assertTrue(stats.metadataBytes() <= Files.size(RemoteFixture.file()) + 4096, stats.toString());
        }
        try (Hdf5Reader reader = Hdf5Reader.open(uri, options, 2, 1L << 20, org.multitables4j.Backend.THREADS)) {
            Hdf5Dataset ds = reader.dataset("/x");
            Stage stage = ds.createStage(128, DataType.DOUBLE);
            SplittableRandom rnd = new SplittableRandom(9);
            long[] idx = new long[128];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = rnd.nextInt(RemoteFixture.ROWS);
            }
            RemoteFixture.checkRows(reader.request(ds.rows(idx), stage).get(), idx);
        }
    }
}
