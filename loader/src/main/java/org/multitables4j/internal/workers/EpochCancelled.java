package org.multitables4j.internal.workers;

/** Thrown inside workers when the epoch is cancelled; never escapes the worker loop. */
final class EpochCancelled extends RuntimeException {
    EpochCancelled() {
        super(null, null, false, false);
    }
}
