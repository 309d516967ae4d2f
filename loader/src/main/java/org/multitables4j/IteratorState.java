package org.multitables4j;

import java.io.Serializable;

/**
 * Where an iterator stands: enough to continue with exactly the batches not yet delivered
 * ({@link StreamOptions#resumeFrom(IteratorState)}), without replaying the epoch. Small and
 * serialisable; store it with a checkpoint.
 *
 * @param epoch       the epoch to continue
 * @param batch       batches of that epoch already delivered
 * @param seed        the shuffle seed
 * @param rows        rows of the dataset
 * @param optionsHash a hash of everything that shapes the order: dataset paths, rows, batch size,
 *                    order, seed, shuffle window, dropLast, shard and shard mode (not the workers)
 */
public record IteratorState(long epoch, int batch, long seed, long rows, long optionsHash) implements Serializable {
}
