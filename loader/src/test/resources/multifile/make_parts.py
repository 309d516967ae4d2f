#!/usr/bin/env python3
"""Writes the parts of one logical dataset split over three HDF5 files (run by MultiFileTest).

Global row g holds x = [g, 2g, -g, g % 7] and y = g % 10 (the same formula as iter/iter.h5), so
every delivered row names itself. The parts differ on purpose: chunk rows, filters, element
type, byte order and layout.
Usage: make_parts.py OUT_DIR
"""
import os
import sys

import h5py
import numpy as np

out = sys.argv[1]
parts = [
    # name, rows, x dtype, layout kwargs
    ("part-0.h5", 1234, "<f4", dict(chunks=(100, 4), compression="gzip", shuffle=True)),
    ("part-1.h5", 777, ">f8", dict()),
    ("part-2.h5", 2001, "<i4", dict(chunks=(256, 4), compression="lzf")),
]
g0 = 0
for name, n, dt, kw in parts:
    g = np.arange(g0, g0 + n, dtype=np.float64)
    x = np.stack([g, 2 * g, -g, g % 7], axis=1).astype(dt)
    with h5py.File(os.path.join(out, name), "w") as f:
        f.create_dataset("x", data=x, **kw)
        f.create_dataset("y", data=(np.arange(g0, g0 + n) % 10).astype(np.int64), chunks=(300,), compression="gzip")
        f.create_dataset("w", data=((np.arange(g0, g0 + n) % 3) == 0).astype(np.float32))
        f.create_dataset("x3", data=np.zeros((n, 3), dtype=np.float32))
    g0 += n
print(g0)

# files that must be refused next to the parts: another row shape; labels shorter than features
with h5py.File(os.path.join(out, "odd-shape.h5"), "w") as f:
    f.create_dataset("x", data=np.zeros((10, 5), dtype=np.float32))
    f.create_dataset("y", data=np.zeros(10, dtype=np.int64))
with h5py.File(os.path.join(out, "short-labels.h5"), "w") as f:
    f.create_dataset("x", data=np.zeros((10, 4), dtype=np.float32))
    f.create_dataset("y", data=np.zeros(9, dtype=np.int64))
