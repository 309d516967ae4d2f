#!/usr/bin/env python3
"""Writes iter_replacement.h5: a file with the datasets of iter.h5 (/x, /x_contig, /y) but other
values and chunking, used to replace iter.h5 by a rename while an iterator or reader is open.

Row r of /x and /x_contig holds [r + 0.5, 3r, r, 100] and /y holds (r + 3) % 10, so a row of this
file never passes for a row of iter.h5 ([r, 2r, -r, r % 7], label r % 10).
Run: python3 make_replacement_fixture.py  (h5py and numpy required)
"""
import h5py
import numpy as np

N = 10000
r = np.arange(N, dtype=np.float64)
x = np.stack([r + 0.5, 3 * r, r, np.full(N, 100.0)], axis=1).astype(np.float32)
with h5py.File("iter_replacement.h5", "w") as f:
    f.create_dataset("x", data=x, chunks=(100, 4), compression="gzip", compression_opts=1)
    f.create_dataset("x_contig", data=x)
    f.create_dataset("y", data=((np.arange(N) + 3) % 10).astype(np.int64), chunks=(333,))
