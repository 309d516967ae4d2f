package org.multitables4j.internal.workers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The native row scatter against byte-by-byte copies made here: rows short and long (the
 * streaming stores cover the aligned middle of rows of 256 bytes and more), destinations at
 * unaligned offsets, skipped rows, and bounds.
 */
class RowScatterTest {
    @ParameterizedTest
    @CsvSource({"16, 64", "255, 40", "256, 40", "1000, 33", "1024, 64", "4100, 7"})
    void rowsLandWhereTheyAreSentAndNowhereElse(int rowBytes, int rows) {
        assumeTrue(RowScatter.available(), "the native library is not built here");
        SplittableRandom rnd = new SplittableRandom(rowBytes);
        ByteBuffer src = ByteBuffer.allocateDirect(3 + rows * rowBytes);
        for (int i = 0; i < src.capacity(); i++) {
            src.put(i, (byte) rnd.nextInt(256));
        }
        int slots = 3;
        int stride = rowBytes + 2; // a row starts 0-2 bytes into its stride: unaligned, never overlapping
        ByteBuffer[] dsts = new ByteBuffer[slots];
        byte[][] expected = new byte[slots][];
        for (int j = 0; j < slots; j++) {
            dsts[j] = ByteBuffer.allocateDirect(1 + rows * stride + 8);
            expected[j] = new byte[dsts[j].capacity()];
            java.util.Arrays.fill(expected[j], (byte) 0x5a);
            for (int i = 0; i < expected[j].length; i++) {
                dsts[j].put(i, (byte) 0x5a);
            }
        }
        int[] which = new int[rows];
        int[] at = new int[rows];
        int[] next = new int[slots];
        for (int i = 0; i < rows; i++) {
            which[i] = i % 5 == 4 ? -1 : rnd.nextInt(slots); // every fifth row skipped
            if (which[i] < 0) {
                continue;
            }
            int j = which[i];
            at[i] = 1 + next[j]++ * stride + i % 3;
            for (int b = 0; b < rowBytes; b++) {
                expected[j][at[i] + b] = src.get(3 + i * rowBytes + b);
            }
        }
        RowScatter.copy(src, 3, rowBytes, rows, dsts, which, at);
        for (int j = 0; j < slots; j++) {
            for (int i = 0; i < expected[j].length; i++) {
                assertEquals(expected[j][i], dsts[j].get(i), "destination " + j + " byte " + i);
            }
        }
    }

    @Test
    void aRowOutsideItsBuffersIsRefused() {
        assumeTrue(RowScatter.available(), "the native library is not built here");
        ByteBuffer src = ByteBuffer.allocateDirect(64);
        ByteBuffer[] dsts = {ByteBuffer.allocateDirect(1024)};
        assertThrows(IllegalStateException.class, () -> RowScatter.copy(src, 0, 64, 1, dsts, new int[] {0}, new int[] {961}),
                "past the destination's end");
        assertThrows(IllegalStateException.class, () -> RowScatter.copy(src, 0, 64, 1, dsts, new int[] {0}, new int[] {-1}),
                "before its start");
        assertThrows(IllegalStateException.class, () -> RowScatter.copy(src, 0, 64, 1, dsts, new int[] {1}, new int[] {0}),
                "no such destination");
        assertThrows(IllegalStateException.class, () -> RowScatter.copy(src, 8, 64, 1, dsts, new int[] {0}, new int[] {0}),
                "past the source's end");
        RowScatter.copy(src, 0, 64, 1, dsts, new int[] {0}, new int[] {960}); // the last row that fits
    }
}
