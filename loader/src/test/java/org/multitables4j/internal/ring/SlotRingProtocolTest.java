package org.multitables4j.internal.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.multitables4j.CorruptDataException;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The ring's protocol alone (claim, publish or fail, take, release), driven by several producer
 * threads with random delays and a consumer that holds a random number of slots: every batch is
 * taken exactly once, in batch order when the consumer asks by index, a failed batch throws at
 * exactly its own take, and no ring size from 1 to 8 deadlocks.
 */
class SlotRingProtocolTest {
    private static final int BATCHES = 120;
    private static final int PRODUCERS = 3;

    private static SlotRing ring(int size) {
        return new SlotRing(size, 1, List.of(new SlotRing.ArraySpec(DataType.INT, new long[] {1})));
    }

    /** Producers that fill each slot with its batch index (after a random delay) and publish it. */
    private static List<Thread> producers(SlotRing ring, int n, int failAt, AtomicInteger claims) {
        List<Thread> ts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Thread t = new Thread(() -> {
                Throwable fatal = null;
                try {
                    while (true) {
                        Slot s = ring.claim(next -> ThreadLocalRandom.current().nextInt(4) == 0);
                        if (s == null) {
                            return;
                        }
                        claims.incrementAndGet();
                        int b = s.batch();
                        if (ThreadLocalRandom.current().nextInt(3) == 0) {
                            Thread.sleep(ThreadLocalRandom.current().nextInt(3));
                        } else {
                            Thread.onSpinWait();
                        }
                        if (b == failAt) {
                            ring.fail(s, new CorruptDataException("batch " + b + " is bad"));
                            continue;
                        }
                        s.array(0).memory().putInt(0, b);
                        ring.publish(s, 1, null, x -> "payload " + x.batch());
                    }
                } catch (InterruptedException e) {
                    fatal = e;
                } finally {
                    ring.producerExited(fatal);
                }
            }, "ring-producer-" + i);
            t.setDaemon(true);
            ts.add(t);
            t.start();
        }
        return ts;
    }

    /** Consumes; returns the batches taken in order of taking, -b-1 for a batch that threw. */
    private static List<Integer> consume(SlotRing ring, int size, boolean inSequence, int first, Random rnd) {
        List<Integer> got = new ArrayList<>();
        ArrayDeque<Slot> held = new ArrayDeque<>();
        for (int t = first; t < BATCHES; t++) {
            // hold at most size - 1 slots while waiting, as the engine does (holdBatches - 1 of prefetch + holdBatches)
            int keep = rnd.nextInt(size);
            while (held.size() > keep) {
                ring.release(held.poll());
            }
            Slot s;
            try {
                s = ring.take(inSequence ? t : -1);
            } catch (CorruptDataException e) {
                got.add(-Integer.parseInt(e.getMessage().replaceAll("\\D", "")) - 1);
                continue;
            }
            assertEquals(s.batch(), s.array(0).memory().getInt(0), "the slot holds the batch it was claimed for");
            assertEquals("payload " + s.batch(), s.payload());
            assertEquals(1, s.rows());
            got.add(s.batch());
            held.add(s);
        }
        while (!held.isEmpty()) {
            ring.release(held.poll());
        }
        return got;
    }

    private static void join(List<Thread> ts) throws InterruptedException {
        for (Thread t : ts) {
            t.join();
        }
    }

    @Test
    void everyBatchExactlyOnceInOrderForEveryRingSize() {
        for (int size = 1; size <= 8; size++) {
            int n = size;
            assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
                for (boolean inSequence : new boolean[] {true, false}) {
                    for (int first : new int[] {0, 7}) {
                        SlotRing ring = ring(n);
                        AtomicInteger claims = new AtomicInteger();
                        ring.open(ClaimOrder.sequential(first, BATCHES), inSequence, PRODUCERS);
                        List<Thread> ts = producers(ring, PRODUCERS, -1, claims);
                        List<Integer> got = consume(ring, n, inSequence, first, new Random(n * 31L + first));
                        join(ts);
                        String what = "ring of " + n + (inSequence ? ", by index" : ", completion order") + ", from " + first;
                        assertEquals(BATCHES - first, claims.get(), "each batch claimed once: " + what);
                        if (inSequence) {
                            List<Integer> expected = new ArrayList<>();
                            for (int b = first; b < BATCHES; b++) {
                                expected.add(b);
                            }
                            assertEquals(expected, got, what);
                        } else {
                            assertEquals(BATCHES - first, got.stream().distinct().count(), "exactly once: " + what);
                            assertTrue(got.stream().allMatch(b -> b >= first && b < BATCHES), what);
                        }
                    }
                }
            }, "ring of " + size + " deadlocked");
        }
    }

    @Test
    void aFailedBatchThrowsAtExactlyItsTake() {
        for (int size = 1; size <= 8; size++) {
            int n = size;
            assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
                // by index: every batch before the failed one, then its error; nothing is claimed after it
                SlotRing ring = ring(n);
                ring.open(ClaimOrder.sequential(0, BATCHES), true, PRODUCERS);
                AtomicInteger claims = new AtomicInteger();
                List<Thread> ts = producers(ring, PRODUCERS, 37, claims);
                Random rnd = new Random(n);
                ArrayDeque<Slot> held = new ArrayDeque<>();
                for (int t = 0; t < 37; t++) {
                    while (held.size() > rnd.nextInt(n)) {
                        ring.release(held.poll());
                    }
                    Slot s = ring.take(t);
                    assertEquals(t, s.array(0).memory().getInt(0));
                    held.add(s);
                }
                while (held.size() > n - 1) {
                    ring.release(held.poll());
                }
                CorruptDataException e = assertThrows(CorruptDataException.class, () -> ring.take(37), "ring of " + n);
                assertEquals("batch 37 is bad", e.getMessage());
                join(ts);
                assertTrue(claims.get() <= 37 + n, "no claims after the failed batch: " + claims.get());
                while (!held.isEmpty()) {
                    ring.release(held.poll());
                }
                int t = 38;
                while (true) { // only batches claimed before the failure was published come after it
                    Slot s;
                    try {
                        s = ring.take(t);
                    } catch (IllegalStateException nobodyLeft) {
                        break;
                    }
                    assertEquals(t, s.batch());
                    ring.release(s);
                    t++;
                }
                assertTrue(t <= 37 + n, "batches after the failed one: " + (t - 38));
                // completion order: the failure takes the batch's place and the epoch goes on
                SlotRing ring2 = ring(n);
                ring2.open(ClaimOrder.sequential(0, BATCHES), false, PRODUCERS);
                List<Thread> ts2 = producers(ring2, PRODUCERS, 37, new AtomicInteger());
                List<Integer> got = consume(ring2, n, false, 0, new Random(n));
                join(ts2);
                assertEquals(BATCHES, got.stream().distinct().count());
                assertTrue(got.contains(-38), "the failure was taken once");
            }, "ring of " + size + " deadlocked after a failed batch");
        }
    }

    @Test
    void stopEndsEveryWaitAndReclaimFreesAllButHeld() throws Exception {
        SlotRing ring = ring(3);
        ring.open(ClaimOrder.sequential(0, 100), true, 1);
        Slot a = ring.claim(null);
        Slot b = ring.claim(null);
        Slot c = ring.claim(null);
        assertEquals(List.of(0, 1, 2), List.of(a.batch(), b.batch(), c.batch()), "claims follow the claim order");
        ring.publish(a, 1, null, null);
        ring.publish(b, 1, new int[] {0}, null);
        assertSame(a, ring.take(0));
        java.util.concurrent.atomic.AtomicReference<Object> waited = new java.util.concurrent.atomic.AtomicReference<>("nothing");
        Thread waiter = new Thread(() -> {
            try {
                waited.set(ring.claim(next -> false));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        waiter.start();
        Thread.sleep(100);
        assertTrue(waiter.isAlive(), "no free slot: the claim waits");
        ring.stop();
        waiter.join(5000);
        assertTrue(!waiter.isAlive(), "stop() ends the wait");
        assertNull(waited.get(), "a stopped ring hands out no batch");
        ring.abandon(c);
        assertThrows(IllegalStateException.class, () -> ring.take(2));
        ring.reclaim();
        ring.open(ClaimOrder.sequential(5, 100), true, 1);
        List<Integer> claimed = new ArrayList<>();
        Slot s;
        while (claimed.size() < 3 && (s = ring.claim(next -> false)) != null) {
            claimed.add(s.batch());
            assertNotSame(a, s, "the held slot is not handed out");
            if (claimed.size() == 2) {
                break;
            }
        }
        assertEquals(List.of(5, 6), claimed, "two slots are free again: the third is still held");
        assertEquals(Slot.State.HELD, a.state(), "reclaim leaves the consumer's slot held");
        ring.release(a);
        assertEquals(7, ring.claim(null).batch(), "the released slot is claimed next");
        ring.close();
    }

    @Test
    void producersThatAllEndWithAnErrorFailTheWaitingConsumer() throws Exception {
        SlotRing ring = ring(2);
        ring.open(ClaimOrder.sequential(0, 10), true, 2);
        ring.producerExited(null);
        ring.producerExited(new CorruptDataException("the decoder broke"));
        CorruptDataException e = assertThrows(CorruptDataException.class, () -> ring.take(0));
        assertEquals("the decoder broke", e.getMessage());
        ring.open(ClaimOrder.sequential(0, 10), true, 1);
        ring.producerExited(null);
        assertThrows(IllegalStateException.class, () -> ring.take(0), "nobody is left to publish it");
        ring.close();
        assertThrows(org.multitables4j.IteratorClosedException.class, () -> ring.take(0));
    }

    @Test
    void aSlotsMemoryIsAllocatedByItsFirstUseOnly() throws Exception {
        SlotRing ring = new SlotRing(4, 8, List.of(new SlotRing.ArraySpec(DataType.FLOAT, new long[] {3}),
                new SlotRing.ArraySpec(DataType.INT, new long[] {1})));
        for (int i = 0; i < ring.size(); i++) {
            assertTrue(!ring.slot(i).allocated(), "slot " + i + " allocated before its first use");
        }
        assertEquals(4L * (8 * 3 * 4 + 8 * 4), ring.bytes(), "bytes counts slots not yet allocated");
        ring.open(ClaimOrder.sequential(0, 10), true, 1);
        Slot s = ring.claim(null);
        assertTrue(!s.allocated(), "a claim alone allocates nothing");
        assertEquals(8 * 3 * 4, s.features().memory().capacity());
        assertEquals(8 * 4, s.labels().memory().capacity());
        assertTrue(s.allocated());
        assertSame(s.features(), s.array(0), "allocated once");
        s.features().memory().putFloat(4, 2.5f);
        assertEquals(2.5f, s.features().array(8).getFloat(0, 1), "the view reads the memory written");
        int others = 0;
        for (int i = 0; i < ring.size(); i++) {
            others += ring.slot(i) != s && ring.slot(i).allocated() ? 1 : 0;
        }
        assertEquals(0, others, "slots never used stay unallocated");
    }
}
