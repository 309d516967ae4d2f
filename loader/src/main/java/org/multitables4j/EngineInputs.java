package org.multitables4j;

import java.util.Arrays;
import java.util.List;
import org.multitables4j.StreamEngine.Input;
import org.multitables4j.internal.hdf5.Hdf5Array;

/** Checks of an engine's inputs at build(): delivered row shapes and the hash a resumed state must match. */
final class EngineInputs {
    private EngineInputs() {
    }

    /** @return the hash of everything that shapes the order, kept in a state to resume from */
    static long optionsHash(StreamOptions<?> cfg, List<Input> inputs, Hdf5Array first, long rows) {
        StringBuilder sb = new StringBuilder();
        for (Input in : inputs) {
            sb.append(in.name()).append('|').append(in.classes()).append('|');
        }
        sb.append(rows).append('|').append(cfg.range).append('|').append(cfg.sequences).append('|').append(cfg.locations.size()).append('|').append(first.blockRows()).append('|').append(cfg.batchSize).append('|')
                .append(cfg.order).append('|').append(cfg.seed).append('|').append(cfg.shuffleWindow).append('|')
                .append(cfg.dropLast).append('|').append(cfg.shardIndex).append('/').append(cfg.shardCount).append('|')
                .append(cfg.shardMode).append('|').append(cfg.effectiveSamples()).append('|')
                .append(cfg.sampleWeights == null ? cfg.sampleWeightsPath : Arrays.hashCode(cfg.sampleWeights));
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < sb.length(); i++) {
            h = (h ^ sb.charAt(i)) * 0x100000001b3L;
        }
        return h;
    }

    /** @return the delivered row shape asked for, checked against the delivered elements */
    static long[] checkShape(Input in, long[] delivered, String where) {
        long n = 1;
        for (long d : in.rowShape()) {
            if (d < 1) {
                throw new InvalidConfigurationException("row shape dimensions must be positive: " + Arrays.toString(in.rowShape()));
            }
            try {
                n = Math.multiplyExact(n, d);
            } catch (ArithmeticException e) {
                throw new InvalidConfigurationException("row shape " + Arrays.toString(in.rowShape())
                        + " overflows 64 bits" + where, e);
            }
        }
        long have = 1;
        for (long d : delivered) {
            have *= d;
        }
        if (n != have) {
            throw new InvalidConfigurationException("row shape " + Arrays.toString(in.rowShape()) + " holds " + n
                    + " elements but a" + (in.selections().isEmpty() ? "" : " selected") + " row of '" + in.path()
                    + "' holds " + have + where);
        }
        return in.rowShape().clone();
    }

    static long[] atLeastOne(long[] rowShape) {
        return rowShape.length == 0 ? new long[] {1} : rowShape;
    }
}
