package org.multitables4j.datasets;

import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar on stderr counting rows (or sequences, files) with the measured rate, or nothing
 * in quiet mode.
 *
 * <p>The rate is measured here, from {@link System#nanoTime()}: the progress bar library's own
 * speed divides by whole elapsed seconds and shows {@code ?} for the whole of a conversion that
 * takes under a second. No rate is shown until 100 ms have passed; at the end the rate over the
 * whole task is shown, however short it was. A task of unknown size (a first pass over a CSV)
 * ends showing the rows it counted as its total.
 */
final class Progress implements AutoCloseable {
    private static final long MIN_NANOS = 100_000_000L;

    private final ProgressBar bar;
    private final long start = System.nanoTime();
    private final boolean unknownTotal;
    private final String unit;
    private long done;

    /**
     * @param task  what is being done
     * @param total total rows (or -1 when unknown)
     * @param quiet show nothing
     */
    Progress(String task, long total, boolean quiet) {
        this(task, total, quiet, "rows");
    }

    /**
     * @param task  what is being done
     * @param total total items (or -1 when unknown)
     * @param quiet show nothing
     * @param unit  what is counted, e.g. {@code sequences}
     */
    Progress(String task, long total, boolean quiet, String unit) {
        this.unknownTotal = total < 0;
        this.unit = unit;
        this.bar = quiet ? null : new ProgressBarBuilder().setTaskName(task).setInitialMax(total)
                .setStyle(ProgressBarStyle.ASCII).setUnit(" " + unit, 1).setUpdateIntervalMillis(500)
                .continuousUpdate().build();
    }

    /** @param rows rows done since the last call */
    void step(long rows) {
        if (bar != null) {
            done += rows;
            bar.stepBy(rows);
            long nanos = System.nanoTime() - start;
            if (nanos >= MIN_NANOS) {
                bar.setExtraMessage(rate(done, nanos, unit));
            }
        }
    }

    /**
     * @param done  items done
     * @param nanos time taken, in nanoseconds (positive)
     * @param unit  what is counted
     * @return e.g. {@code 12,345 rows/s}, or {@code 12.3M rows/s}
     */
    static String rate(long done, long nanos, String unit) {
        double r = done * 1e9 / Math.max(1, nanos);
        if (r >= 10e6) {
            return String.format(Locale.ROOT, "%.1fM %s/s", r / 1e6, unit);
        }
        return String.format(Locale.ROOT, "%,d %s/s", Math.round(r), unit);
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.setExtraMessage(rate(done, System.nanoTime() - start, unit));
            if (unknownTotal) {
                bar.maxHint(done);
            }
            bar.close();
        }
    }
}
