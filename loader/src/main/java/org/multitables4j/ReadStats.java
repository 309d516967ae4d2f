package org.multitables4j;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the reads a remote file's storage served: calls and bytes, for metadata (object headers,
 * chunk indexes, read through an aligned block cache) and for chunk data (one positional read per
 * chunk). Pass one to {@link RemoteOptions#withStats(ReadStats)}; every remote file opened with those
 * options adds to it, from any thread. Reads made by worker processes ({@link Backend#PROCESSES})
 * happen in those processes and are not counted here.
 */
public final class ReadStats {
    private final LongAdder metadataCalls = new LongAdder();
    private final LongAdder metadataBytes = new LongAdder();
    private final LongAdder dataCalls = new LongAdder();
    private final LongAdder dataBytes = new LongAdder();

    /** Starts at zero. */
    public ReadStats() {
    }

    /**
     * Records one metadata read.
     *
     * @param bytes bytes it fetched
     */
    public void addMetadataRead(long bytes) {
        metadataCalls.increment();
        metadataBytes.add(bytes);
    }

    /**
     * Records one chunk-data read.
     *
     * @param bytes bytes it fetched
     */
    public void addDataRead(long bytes) {
        dataCalls.increment();
        dataBytes.add(bytes);
    }

    /** @return read calls for metadata blocks */
    public long metadataCalls() {
        return metadataCalls.sum();
    }

    /** @return bytes fetched for metadata blocks */
    public long metadataBytes() {
        return metadataBytes.sum();
    }

    /** @return read calls for chunk data */
    public long dataCalls() {
        return dataCalls.sum();
    }

    /** @return bytes fetched for chunk data */
    public long dataBytes() {
        return dataBytes.sum();
    }

    /** @return all read calls */
    public long calls() {
        return metadataCalls() + dataCalls();
    }

    /** @return all bytes fetched */
    public long bytes() {
        return metadataBytes() + dataBytes();
    }

    /** Sets every counter back to zero (e.g. between epochs). */
    public void reset() {
        metadataCalls.reset();
        metadataBytes.reset();
        dataCalls.reset();
        dataBytes.reset();
    }

    @Override
    public String toString() {
        return calls() + " reads, " + bytes() + " bytes (metadata " + metadataCalls() + " reads, "
                + metadataBytes() + " bytes; chunks " + dataCalls() + " reads, " + dataBytes() + " bytes)";
    }
}
