package org.multitables4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.dataset.DataSet;

/** Shards partition each epoch; a resumed iterator delivers exactly the rest of the uninterrupted run. */
class ShardAndResumeTest {
    static final int N = Hdf5DataSetIteratorTest.N;

    static Hdf5DataSetIterator.Builder base(Order order) {
        return Hdf5DataSetIterator.builder(Hdf5DataSetIteratorTest.fixture()).features("/x").labels("/y").oneHot(10)
                .batchSize(96).order(order).seed(17).workers(2);
    }

    /** Row ids of every batch of one epoch, as lists per batch. */
    static List<int[]> batches(Hdf5DataSetIterator it, int limit) {
        List<int[]> out = new ArrayList<>();
        while (it.hasNext() && out.size() < limit) {
            DataSet ds = it.next();
            int[] ids = new int[(int) ds.getFeatures().size(0)];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = (int) ds.getFeatures().getFloat(i, 0);
                assertEquals(ids[i] % 10, ds.getLabels().argMax(1).getInt(i), "label of row " + ids[i]);
            }
            out.add(ids);
        }
        return out;
    }

    @ParameterizedTest
    @CsvSource({"ORDERED, PAD", "SHUFFLED, PAD", "RANDOM, PAD", "SHUFFLED, DROP", "RANDOM, UNEVEN", "ORDERED, UNEVEN"})
    void shardsPartitionTheEpoch(Order order, ShardMode mode) {
        List<int[]> whole;
        try (Hdf5DataSetIterator it = base(order).build()) {
            whole = batches(it, Integer.MAX_VALUE);
        }
        for (int count = 1; count <= 4; count++) {
            int[] seen = new int[N];
            int[] sizes = new int[count];
            List<List<int[]>> shards = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                try (Hdf5DataSetIterator it = base(order).shard(i, count).shardMode(mode).workers(1 + i % 2).build()) {
                    List<int[]> b = batches(it, Integer.MAX_VALUE);
                    shards.add(b);
                    sizes[i] = b.size();
                    for (int[] batch : b) {
                        for (int id : batch) {
                            seen[id]++;
                        }
                    }
                }
            }
            int min = Arrays.stream(sizes).min().getAsInt();
            int max = Arrays.stream(sizes).max().getAsInt();
            if (mode == ShardMode.UNEVEN || count == 1) {
                assertTrue(max - min <= 1, Arrays.toString(sizes));
                assertTrue(Arrays.stream(seen).allMatch(c -> c == 1), "union is the dataset, disjoint");
                // dealing is round-robin over the unsharded epoch's batches
                for (int g = 0; g < whole.size(); g++) {
                    assertArrayEquals(whole.get(g), shards.get(g % count).get(g / count), "global batch " + g);
                }
            } else {
                assertEquals(min, max, "equal batch counts " + Arrays.toString(sizes));
                for (List<int[]> s : shards) {
                    assertTrue(s.stream().allMatch(b -> b.length == 96), "full batches");
                }
                long distinct = Arrays.stream(seen).filter(c -> c > 0).count();
                if (mode == ShardMode.PAD) {
                    assertEquals(N, distinct, "union covers the dataset");
                    assertTrue(Arrays.stream(seen).allMatch(c -> c == 1 || c == 2), "padding repeats rows at most once");
                } else {
                    assertTrue(Arrays.stream(seen).allMatch(c -> c <= 1), "disjoint");
                    assertTrue(N - distinct < 96L * count, "DROP loses less than one round of batches");
                }
            }
        }
    }

    static IteratorState roundTrip(IteratorState s) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream o = new ObjectOutputStream(bytes)) {
            o.writeObject(s);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (IteratorState) in.readObject();
        }
    }

    @ParameterizedTest
    @CsvSource({"ORDERED", "SHUFFLED", "RANDOM"})
    void resumeDeliversExactlyTheRemainder(Order order) throws Exception {
        List<int[]> epoch0;
        List<int[]> epoch1;
        try (Hdf5DataSetIterator it = base(order).shard(1, 2).build()) {
            epoch0 = batches(it, Integer.MAX_VALUE);
            it.reset();
            epoch1 = batches(it, Integer.MAX_VALUE);
        }
        Random rnd = new Random(5);
        for (int trial = 0; trial < 6; trial++) {
            int cut = trial == 0 ? 0 : trial == 1 ? epoch0.size() : rnd.nextInt(epoch0.size());
            IteratorState state;
            try (Hdf5DataSetIterator it = base(order).shard(1, 2).workers(2).build()) {
                batches(it, cut);
                state = roundTrip(it.state());
            }
            try (Hdf5DataSetIterator it = base(order).shard(1, 2).workers(1 + trial % 3).resumeFrom(state).build()) {
                List<int[]> rest = batches(it, Integer.MAX_VALUE);
                List<int[]> want = cut == epoch0.size() ? epoch1 : epoch0.subList(cut, epoch0.size());
                assertEquals(want.size(), rest.size(), "batches after resuming at " + cut);
                for (int i = 0; i < want.size(); i++) {
                    assertArrayEquals(want.get(i), rest.get(i), "batch " + (cut + i));
                }
                if (cut < epoch0.size()) {
                    it.reset();
                    List<int[]> next = batches(it, Integer.MAX_VALUE);
                    for (int i = 0; i < epoch1.size(); i++) {
                        assertArrayEquals(epoch1.get(i), next.get(i), "the epoch after the resumed one");
                    }
                }
            }
        }
    }

    @Test
    void foreignStatesAreRefused() {
        IteratorState state;
        try (Hdf5DataSetIterator it = base(Order.SHUFFLED).build()) {
            it.next();
            state = it.state();
            assertEquals(new IteratorState(0, 1, 17, N, state.optionsHash()), state);
        }
        String m = assertThrows(InvalidConfigurationException.class,
                () -> base(Order.SHUFFLED).batchSize(64).resumeFrom(state).build()).getMessage();
        assertTrue(m.contains("other options"), m);
        assertThrows(InvalidConfigurationException.class, () -> base(Order.SHUFFLED).seed(3).resumeFrom(state).build());
        assertThrows(InvalidConfigurationException.class, () -> base(Order.SHUFFLED).features("/x_contig").shard(0, 2)
                .resumeFrom(state).build());
        try (Hdf5DataSetIterator it = base(Order.SHUFFLED).workers(4).resumeFrom(state).build()) {
            assertTrue(it.hasNext(), "another worker count is fine");
        }
        try (Hdf5DataSetIterator it = base(Order.AS_AVAILABLE).build()) {
            it.next();
            String msg = assertThrows(InvalidConfigurationException.class, it::state).getMessage();
            assertTrue(msg.contains("AS_AVAILABLE"), msg);
        }
        assertFalse(state.optionsHash() == 0);
    }
}
