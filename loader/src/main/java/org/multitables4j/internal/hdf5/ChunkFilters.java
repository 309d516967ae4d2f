package org.multitables4j.internal.hdf5;

import io.jhdf.AbstractNode;
import io.jhdf.api.Dataset;
import io.jhdf.filter.FilterManager;
import io.jhdf.filter.FilterPipeline;
import io.jhdf.object.message.FilterPipelineMessage;
import java.nio.ByteBuffer;
import java.util.List;
import org.multitables4j.CorruptDataException;
import org.multitables4j.UnsupportedHdf5Exception;

/**
 * The filter pipeline of a chunked dataset: filter ids, client data and names in pipeline order,
 * checked when the dataset is opened. Chunks are decoded by {@link BlockDecoder} when every
 * filter is one of {@link Codecs}, else by jhdf's pipeline (a filter another library registers
 * with jhdf).
 */
final class ChunkFilters {
    private final DatasetGeometry g;
    private final int[] ids;
    private final int[][] data;
    private final String[] names;
    private final boolean own;
    private final FilterPipeline jhdfPipeline;

    ChunkFilters(DatasetGeometry g, Dataset ds) {
        this.g = g;
        AbstractNode node = (AbstractNode) ds;
        FilterPipelineMessage fpm = node.getHeader().hasMessageOfType(FilterPipelineMessage.class)
                ? node.getHeader().getMessageOfType(FilterPipelineMessage.class) : null;
        List<FilterPipelineMessage.FilterInfo> infos = fpm == null ? List.of() : fpm.getFilters();
        this.ids = new int[infos.size()];
        this.data = new int[infos.size()][];
        this.names = new String[infos.size()];
        boolean all = true;
        for (int i = 0; i < infos.size(); i++) {
            FilterPipelineMessage.FilterInfo fi = infos.get(i);
            ids[i] = fi.getId();
            names[i] = fi.getName() == null ? "" : fi.getName();
            all &= Codecs.supports(fi.getId());
            data[i] = fi.getData() == null ? new int[0] : fi.getData().clone();
            String bad = Codecs.unsupported(ids[i], data[i]);
            if (bad != null) {
                throw g.unsupported(bad);
            }
        }
        this.own = all;
        if (own) {
            this.jhdfPipeline = null;
        } else {
            try {
                this.jhdfPipeline = FilterManager.getPipeline(fpm);
            } catch (RuntimeException e) {
                throw g.unsupported("the filter pipeline " + describe() + " (" + e.getMessage() + ")");
            }
        }
    }

    /**
     * A pipeline of this library's own filters as another process recorded it ({@link ArrayImage}).
     *
     * @param g     the dataset
     * @param ids   filter ids in pipeline order, each one {@link Codecs#supports}
     * @param data  client data of each
     * @param names names of each (for messages)
     */
    ChunkFilters(DatasetGeometry g, int[] ids, int[][] data, String[] names) {
        this.g = g;
        this.ids = ids;
        this.data = data;
        this.names = names;
        for (int id : ids) {
            if (!Codecs.supports(id)) {
                throw new IllegalArgumentException("filter " + id + " is not decoded by this library");
            }
        }
        this.own = true;
        this.jhdfPipeline = null;
    }

    /** @return the filter ids in pipeline order */
    int[] ids() {
        return ids.clone();
    }

    /** @return the client data of filter {@code i} */
    int[] data(int i) {
        return data[i].clone();
    }

    /** @return the name of filter {@code i} ("" when the file gives none) */
    String name(int i) {
        return names[i];
    }

    /** @return the filters in pipeline order, e.g. {@code [shuffle(2), deflate(1)]} */
    String describe() {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < ids.length; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(names[i].isEmpty() ? "filter" : names[i]).append('(').append(ids[i]).append(')');
        }
        return sb.append(']').toString();
    }

    /** @return whether every filter is decoded by this library's own path */
    boolean own() {
        return own;
    }

    /** @return whether there is any filter */
    boolean any() {
        return ids.length > 0;
    }

    /**
     * Decodes one chunk's stored bytes.
     *
     * @param raw        the stored bytes at [0, size), direct
     * @param size       stored size
     * @param mask       the chunk's filter mask
     * @param dec        the calling thread's decoder
     * @param out        destination at [0, chunkBytes)
     * @param chunkBytes decoded chunk size
     * @param chunkName  the chunk, for messages
     */
    void decode(ByteBuffer raw, int size, int mask, BlockDecoder dec, ByteBuffer out, int chunkBytes, String chunkName) {
        try {
            if (own) {
                dec.decode(raw, size, ids, data, mask, g.storedSize(), out, chunkBytes);
                return;
            }
            if (mask != 0) {
                throw new UnsupportedHdf5Exception(chunkName + ": skipped filters (mask " + mask
                        + ") with the pipeline " + describe() + " are not supported");
            }
            byte[] enc = new byte[size];
            raw.get(0, enc);
            byte[] decoded = jhdfPipeline.decode(enc);
            if (decoded.length < chunkBytes) {
                throw new CorruptDataException(chunkName + ": decoded to " + decoded.length + " bytes, "
                        + chunkBytes + " expected");
            }
            out.put(0, decoded, 0, chunkBytes);
        } catch (CorruptDataException | UnsupportedHdf5Exception e) {
            if (e.getMessage().contains(g.path())) {
                throw e;
            }
            throw new CorruptDataException(chunkName + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new CorruptDataException(chunkName + ": cannot decode with " + describe() + ": " + e, e);
        }
    }
}
