#!/usr/bin/env python3
"""Writes vlen.h5 with h5py: variable-length sequences of numbers as h5py (not PyTables) writes
them, the fixture of VlenDatasetsTest. Values are given by formulas, computed again in the test:

  /f32_chunked  vlen float32, 300 rows, chunks of 64 rows, gzip + shuffle:
                row r = arange(r % 37) * 0.5 + r   (rows 0, 37, 74, ... empty); about 21 kB of
                elements, so the global heap holds several collections
  /i64_contig   vlen int64, contiguous, 100 rows: row r = r * 10**12 + arange(r % 5) - 2
  /u8           vlen uint8, chunks of 8 rows: row r = (arange(r % 9) * 30 + r) % 256, 50 rows
  /f64_long     vlen float64, 6 rows: row r = sin(arange(700 * r)), rows of up to 28 kB

Run (from any directory; the file is written next to this script):

    /usr/bin/python3 make_vlen_fixture.py
"""
import os

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def put(f, name, dtype, rows, **kw):
    ds = f.create_dataset(name, (len(rows),), dtype=h5py.vlen_dtype(dtype), **kw)
    for i, r in enumerate(rows):
        ds[i] = np.asarray(r, dtype=dtype)


with h5py.File(os.path.join(HERE, "vlen.h5"), "w") as f:
    put(f, "f32_chunked", np.float32, [np.arange(r % 37) * 0.5 + r for r in range(300)],
        chunks=(64,), compression="gzip", shuffle=True)
    put(f, "i64_contig", np.int64, [r * 10 ** 12 + np.arange(r % 5) - 2 for r in range(100)])
    put(f, "u8", np.uint8, [(np.arange(r % 9) * 30 + r) % 256 for r in range(50)], chunks=(8,))
    put(f, "f64_long", np.float64, [np.sin(np.arange(700 * r)) for r in range(6)])
