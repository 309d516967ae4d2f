package org.multitables4j.reader;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;

/** The reader's worker threads alive, for tests that check that close stops them. */
public final class ReaderThreads {
    private ReaderThreads() {
    }

    /** @return the reader worker threads alive now */
    public static Set<Thread> set() {
        Set<Thread> s = new HashSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("multitables4j-reader") && t.isAlive()) {
                s.add(t);
            }
        }
        return s;
    }

    /**
     * Waits (a pool's last worker may still be exiting when close returns) until only the threads
     * of {@code before} remain.
     *
     * @param before the threads alive before
     * @throws InterruptedException if interrupted
     */
    public static void awaitNoNew(Set<Thread> before) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        Set<Thread> now = set();
        now.removeAll(before);
        while (!now.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
            now = set();
            now.removeAll(before);
        }
        assertTrue(now.isEmpty(), "reader threads left running: " + now);
    }
}
