#!/usr/bin/python3
"""A table workload for the harness: PyTables Table /table with columns x (float32[256]) and
y (int64), the rows of gzip.h5, zlib 4 + shuffle, 1024-row chunks.
Usage: make_table.py DATA_DIR   (reads DATA_DIR/gzip.h5, writes DATA_DIR/table.h5)"""
import sys, os, h5py, tables, numpy as np
d = sys.argv[1]
class Row(tables.IsDescription):
    x = tables.Float32Col(shape=(256,), pos=0)
    y = tables.Int64Col(pos=1)
with h5py.File(os.path.join(d, "gzip.h5"), "r") as g, tables.open_file(os.path.join(d, "table.h5.tmp"), "w") as t:
    tab = t.create_table("/", "table", Row, filters=tables.Filters(complib="zlib", complevel=4, shuffle=True),
                         chunkshape=(1024,), expectedrows=g["x"].shape[0])
    for s in range(0, g["x"].shape[0], 65536):
        x = g["x"][s:s + 65536]
        rows = np.zeros(x.shape[0], dtype=tab.dtype)
        rows["x"] = x
        rows["y"] = g["y"][s:s + 65536]
        tab.append(rows)
os.rename(os.path.join(d, "table.h5.tmp"), os.path.join(d, "table.h5"))
