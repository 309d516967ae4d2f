package org.multitables4j.datasets;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** A progress bar on stderr counting rows, with rows/s, or nothing in quiet mode. */
final class Progress implements AutoCloseable {
    private final ProgressBar bar;

    /**
     * @param task  what is being done
     * @param total total rows (or -1 when unknown)
     * @param quiet show nothing
     */
    Progress(String task, long total, boolean quiet) {
        this.bar = quiet ? null : new ProgressBarBuilder().setTaskName(task).setInitialMax(total)
                .setStyle(ProgressBarStyle.ASCII).setUnit(" rows", 1).showSpeed().setUpdateIntervalMillis(500)
                .continuousUpdate().build();
    }

    /** @param rows rows done since the last call */
    void step(long rows) {
        if (bar != null) {
            bar.stepBy(rows);
        }
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
