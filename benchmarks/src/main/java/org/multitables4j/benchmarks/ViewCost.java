package org.multitables4j.benchmarks;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.bytedeco.javacpp.BytePointer;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Per-take cost of a stage view made once and reused (as at e3eb1e0) against a new revocable
 * ND4J DataBuffer + INDArray made and closed for every take (as {@code Stage.revocable} at
 * 5e7d9a9), and of tracking one request in flight (as {@code ReaderLifecycle.track}), on a
 * 1 x 256 float32 view. Usage: {@code ViewCost [takes per round, default 200000]}.
 */
public final class ViewCost {
    private ViewCost() {
    }

    /**
     * @param a optional number of takes per round
     */
    public static void main(String[] a) {
        int n = Integer.parseInt(a.length > 0 ? a[0] : "200000");
        ByteBuffer mem = ByteBuffer.allocateDirect(1024).order(ByteOrder.nativeOrder());
        mem.putFloat(0, 1.5f);
        long[] shape = {1, 256};
        long[] stride = {256, 1};
        DataBuffer cachedBuf = Nd4j.createBuffer(new BytePointer(mem), 256, DataType.FLOAT);
        INDArray cached = Nd4j.create(cachedBuf, shape, stride, 0, 'c', DataType.FLOAT);
        Set<CompletableFuture<?>> inFlight = ConcurrentHashMap.newKeySet();
        for (int round = 0; round < 3; round++) {
            double s = 0;
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                s += cached.getDouble(0, 0);
            }
            long t1 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                DataBuffer b = Nd4j.createBuffer(new BytePointer(mem), 256, DataType.FLOAT);
                INDArray v = Nd4j.create(b, shape, stride, 0, 'c', DataType.FLOAT);
                s += v.getDouble(0, 0);
                b.close();
            }
            long t2 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                CompletableFuture<Void> f = new CompletableFuture<>();
                inFlight.add(f);
                f.whenComplete((v, e) -> inFlight.remove(f));
                f.complete(null);
            }
            long t3 = System.nanoTime();
            System.out.printf("round %d: cached view %.2f us/take, new revocable view %.2f us/take, in-flight tracking %.2f us/request (sum %.0f)%n",
                    round, (t1 - t0) / 1e3 / n, (t2 - t1) / 1e3 / n, (t3 - t2) / 1e3 / n, s);
        }
    }
}
