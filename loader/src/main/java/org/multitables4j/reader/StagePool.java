package org.multitables4j.reader;

import java.util.concurrent.TimeUnit;
import org.multitables4j.MultitablesException;
import org.nd4j.linalg.api.buffer.DataType;

/** Rotating stages of one dataset: a request takes the next free one, waiting if all are busy. */
public final class StagePool {
    private final Stage[] stages;
    private int next;

    StagePool(Hdf5Dataset dataset, int rows, int count, DataType type) {
        if (count < 1) {
            throw new org.multitables4j.InvalidConfigurationException("a pool needs at least one stage, not " + count);
        }
        stages = new Stage[count];
        for (int i = 0; i < count; i++) {
            stages[i] = dataset.createStage(rows, type);
        }
    }

    /** @return the number of stages */
    public int size() {
        return stages.length;
    }

    /** @return the stages' element type */
    public DataType dataType() {
        return stages[0].dataType();
    }

    /** @return stages that no request holds now */
    public int free() {
        int n = 0;
        for (Stage s : stages) {
            if (!s.busy()) {
                n++;
            }
        }
        return n;
    }

    /** @return the stages' capacity in rows */
    public int stageRows() {
        return stages[0].capacity();
    }

    /**
     * Claims a free stage.
     *
     * @param timeout how long to wait for one
     * @param unit    unit of {@code timeout}
     * @return the claimed stage
     * @throws MultitablesException when none is free in time
     */
    synchronized Stage claim(long timeout, TimeUnit unit) {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (true) {
            for (int i = 0; i < stages.length; i++) {
                Stage s = stages[(next + i) % stages.length];
                if (s.tryClaim()) {
                    next = (next + i + 1) % stages.length;
                    return s;
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new MultitablesException("no free stage within " + unit.toMillis(timeout) + " ms: release results "
                        + "(get(), getDirect() or close the StagedArray) before requesting more");
            }
            try {
                Stage s = stages[next];
                synchronized (s) {
                    s.wait(Math.max(1, Math.min(50, left / 1_000_000)));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MultitablesException("Interrupted while waiting for a stage", e);
            }
        }
    }
}
