#!/usr/bin/env python3
"""Writes reader.h5, the fixture of the reader's inner-slicing and sampling tests, with the HDF5
C library (h5py).

Values follow the loader's fixture formula (see ../fixtures/make_fixtures.py): for row r and flat
element index k within the row, b = (r*31 + k*7) % 200; floats store (b - 100) / 4, signed
integers b - 100.

  /rank4         <f4 [40, 6, 5, 4], chunks (8, 4, 5, 2), gzip: chunks split the inner dimensions
  /rank4_be      >f8 [40, 6, 5, 4], contiguous
  /rank4_i2      <i2 [40, 6, 5, 4], chunks (16, 6, 5, 4)
  /small         <f4 [10, 3], contiguous: ten rows for the sampling distribution tests
  /small_labels  <i8 [10]: r % 3
  /small_weights <f8 [10]: [0, 1, 2, 3, 4, 0, 6, 7, 8, 9] (rows 0 and 5 weigh nothing)
  /bad_weights   <f8 [10]: row 4 holds -1
  /zero_weights  <f8 [10]: all zero

Run (from any directory; the file is written next to this script):

    /usr/bin/python3 make_reader_fixtures.py
"""
import os

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def values(shape, dtype):
    rows = shape[0]
    per_row = int(np.prod(shape[1:])) if len(shape) > 1 else 1
    r = np.arange(rows, dtype=np.int64).reshape(-1, 1)
    k = np.arange(per_row, dtype=np.int64).reshape(1, -1)
    b = (r * 31 + k * 7) % 200
    dt = np.dtype(dtype)
    v = (b - 100) / 4.0 if dt.kind == "f" else b - 100
    return v.astype(dt).reshape(shape)


R4 = (40, 6, 5, 4)
with h5py.File(os.path.join(HERE, "reader.h5"), "w", track_order=False) as f:
    f.create_dataset("rank4", data=values(R4, "<f4"), chunks=(8, 4, 5, 2), compression="gzip", track_times=False)
    f.create_dataset("rank4_be", data=values(R4, ">f8"), track_times=False)
    f.create_dataset("rank4_i2", data=values(R4, "<i2"), chunks=(16, 6, 5, 4), track_times=False)
    f.create_dataset("small", data=values((10, 3), "<f4"), track_times=False)
    f.create_dataset("small_labels", data=np.arange(10, dtype=np.int64) % 3, track_times=False)
    f.create_dataset("small_weights", data=np.array([0, 1, 2, 3, 4, 0, 6, 7, 8, 9], dtype="<f8"), track_times=False)
    f.create_dataset("bad_weights", data=np.array([1, 1, 1, 1, -1, 1, 1, 1, 1, 1], dtype="<f8"), track_times=False)
    f.create_dataset("zero_weights", data=np.zeros(10, dtype="<f8"), track_times=False)
