#!/usr/bin/env python3
"""Writes iter.h5, the iterator tests' fixture, with the HDF5 C library (h5py).

Row r of every /x* dataset holds [r, 2r, -r, r % 7] so that a row names itself; /y holds r % 10.
/cls holds a learnable 4-class problem (Gaussian clusters in 16 dimensions).
Run: python3 make_iter_fixture.py  (h5py and numpy required)
"""
import h5py
import numpy as np

N = 10000
r = np.arange(N, dtype=np.float64)
x = np.stack([r, 2 * r, -r, r % 7], axis=1).astype(np.float32)
with h5py.File("iter.h5", "w") as f:
    f.create_dataset("x", data=x, chunks=(256, 4), compression="gzip", compression_opts=4, shuffle=True)
    f.create_dataset("x_contig", data=x)
    f.create_dataset("x_f8_be", data=x.astype(">f8"), chunks=(100, 4), compression="gzip")
    f.create_dataset("x_i4", data=x.astype("<i4"), chunks=(1000, 4))
    f.create_dataset("y", data=(np.arange(N) % 10).astype(np.int64), chunks=(700,), compression="gzip")
    f.create_dataset("y_contig", data=(np.arange(N) % 10).astype(np.int64))
    f.create_dataset("y_bad", data=np.where(np.arange(N) == 4321, 12, np.arange(N) % 10).astype(np.int64))
    f.create_dataset("y_short", data=np.zeros(N - 1, dtype=np.int64))
    f.create_dataset("empty", shape=(0, 4), dtype=np.float32, chunks=(16, 4), maxshape=(None, 4))
    rng = np.random.default_rng(7)
    centers = rng.normal(0, 3, size=(4, 16))
    cls = rng.integers(0, 4, size=2048)
    cx = (centers[cls] + rng.normal(0, 1, size=(2048, 16))).astype(np.float32)
    g = f.create_group("cls")
    g.create_dataset("x", data=cx, chunks=(128, 16), compression="gzip", shuffle=True)
    g.create_dataset("y", data=cls.astype(np.int64))
