package org.multitables4j.internal.workers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EmptyStackException;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.multitables4j.MultitablesException;
import org.multitables4j.internal.hdf5.Hdf5Array;
import org.multitables4j.internal.hdf5.Hdf5File;

/**
 * Exceptions keep their class across the process boundary: rebuilt as the child's class where
 * this JVM has it with a (String) or (String, Throwable) constructor, else a MultitablesException
 * naming it; the child's stack is the cause.
 */
class ChildErrorsTest {
    @TempDir
    Path tmp;

    private static Throwable roundTrip(Throwable t) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            Wire.writeError(out, t, UnaryOperator.identity());
        }
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()));
        assertEquals(Wire.ERROR, in.readByte());
        Throwable back = Wire.readError(in, "worker process 0 (pid 1)");
        assertEquals(-1, in.read(), "the whole answer was read");
        return back;
    }

    private static String[] frames(StackTraceElement[] st) {
        return Arrays.stream(st).map(e -> e.getClassName() + "." + e.getMethodName() + ":" + e.getLineNumber())
                .toArray(String[]::new);
    }

    @Test
    void sameClassMessageAndTheChildsStackAsCause() throws IOException {
        IllegalStateException thrown = new IllegalStateException("not contiguous");
        Throwable back = roundTrip(thrown);
        assertSame(IllegalStateException.class, back.getClass());
        assertEquals("not contiguous", back.getMessage());
        Throwable cause = back.getCause();
        assertNotNull(cause);
        assertTrue(cause.getMessage().contains("worker process 0 (pid 1)") && cause.getMessage().contains("IllegalStateException"),
                cause.getMessage());
        String[] sent = frames(Arrays.copyOf(thrown.getStackTrace(), Math.min(64, thrown.getStackTrace().length)));
        assertArrayEquals(sent, frames(cause.getStackTrace()));
        assertArrayEquals(sent, Arrays.copyOf(frames(back.getStackTrace()), sent.length), "the child's frames come first");
        assertTrue(back.getStackTrace().length > sent.length, "followed by the parent's");
    }

    @Test
    void constructorWithMessageOnlyAndCauseChain() throws IOException {
        Throwable back = roundTrip(new NegativeArraySizeException("-3"));
        assertSame(NegativeArraySizeException.class, back.getClass());
        assertEquals("-3", back.getMessage());
        assertNotNull(back.getCause());

        Throwable chained = roundTrip(new IllegalArgumentException("outer", new IOException("inner")));
        assertSame(IllegalArgumentException.class, chained.getClass());
        Throwable inner = chained.getCause().getCause();
        assertInstanceOf(IOException.class, inner);
        assertEquals("inner", inner.getMessage());

        Throwable assertion = roundTrip(new AssertionError("broken invariant"));
        assertSame(AssertionError.class, assertion.getClass());
    }

    @Test
    void otherwiseAMultitablesExceptionNamingTheClass() throws IOException {
        Throwable noStringConstructor = roundTrip(new EmptyStackException());
        assertSame(MultitablesException.class, noStringConstructor.getClass());
        assertTrue(noStringConstructor.getMessage().contains("java.util.EmptyStackException"), noStringConstructor.getMessage());

        Throwable checked = roundTrip(new IOException("disk gone"));
        assertSame(MultitablesException.class, checked.getClass());
        assertTrue(checked.getMessage().contains("java.io.IOException: disk gone"), checked.getMessage());
        assertInstanceOf(IOException.class, checked.getCause());

        Throwable unknown = Wire.rebuild(new String[] {"com.example.NotHere"}, new String[] {"gone"},
                new StackTraceElement[][] {{new StackTraceElement("com.example.X", "m", "X.java", 3)}}, "worker process 1");
        assertSame(MultitablesException.class, unknown.getClass());
        assertTrue(unknown.getMessage().contains("com.example.NotHere: gone"), unknown.getMessage());
        assertEquals("com.example.X", unknown.getCause().getStackTrace()[0].getClassName());

        Throwable vmError = roundTrip(new OutOfMemoryError("child heap"));
        assertSame(MultitablesException.class, vmError.getClass(), "a child's VM error is not this JVM's");
    }

    /** Through a real child: the same request on the thread backend throws the same class. */
    @Test
    void aChildsExceptionArrivesAsTheClassTheThreadBackendThrows() throws URISyntaxException {
        Path fixture = Path.of(ChildErrorsTest.class.getResource("/iter/iter.h5").toURI());
        try (Hdf5File file = Hdf5File.open(fixture);
             SharedArena arena = SharedArena.create(tmp, 1 << 20);
             ChildPool pool = new ChildPool(List.of(new ChildPool.Dataset(file.array("/x"), "/x", null)),
                     arena, List.of(), 2)) {
            Hdf5Array x = file.array("/x");
            BlockIo child = pool.io(0);
            ByteBuffer b = arena.allocate(x.blockBytes());
            try (BlockIo local = BlockIo.local()) {
                RuntimeException here = assertThrows(RuntimeException.class, () -> local.readBlock(x, x.blockCount() + 5, b));
                RuntimeException there = assertThrows(RuntimeException.class, () -> child.readBlock(x, x.blockCount() + 5, b));
                assertSame(IndexOutOfBoundsException.class, here.getClass());
                assertSame(here.getClass(), there.getClass());
                assertEquals(here.getMessage(), there.getMessage());
                assertTrue(Arrays.stream(there.getCause().getStackTrace()).anyMatch(s -> s.getClassName().endsWith("ChildMain")),
                        "the cause holds the child's stack");

                long[] rows = {0};
                int[] counts = {1};
                int[] offsets = {0};
                RuntimeException runsHere = assertThrows(RuntimeException.class, () -> local.readRuns(x, rows, counts, offsets, 1, b));
                RuntimeException runsThere = assertThrows(RuntimeException.class, () -> child.readRuns(x, rows, counts, offsets, 1, b));
                assertSame(IllegalStateException.class, runsHere.getClass());
                assertSame(runsHere.getClass(), runsThere.getClass());
            }
            assertEquals(0, pool.restarts(), "an exception is not a death");
        }
    }
}
