#!/usr/bin/env python3
"""Writes multitables.h5 with PyTables, the fixture of MultitablesPortTest (the reader behaviours
that multitables' own v2 tests check, ported to Java).

It holds the same three nodes as the setUp of those tests, with sizes scaled down to keep the
file small and values given by formulas (instead of random numbers) so that the Java tests
compute every reference independently:

  /test_array       Array (contiguous) int32 [1000, 10, 10]: x[r, i, j] = r*100 + i*10 + j
                    (np.arange(100*1000).reshape(1000, 10, 10), as in the original)
  /test_table       Table, zlib, 1000 rows of
                      col_A uint8   [100, 40]: b(r, k) = (r*31 + k*7) % 200, k = i*40 + j
                      col_B float64 [7, 49]:   (b(r, k) - 100) / 4,           k = i*49 + j
                      col_C float32:           ((r * 7919) % 1000) / 1000     (distinct values)
  /test_byte_array  CArray, zlib, uint8 [1000000]: (r*31) % 200

Run (from any directory; the file is written next to this script):

    /usr/bin/python3 make_multitables_fixture.py
"""
import os

import numpy as np
import tables

HERE = os.path.dirname(os.path.abspath(__file__))
N = 1000
A_SHAPE = (100, 40)
B_SHAPE = (7, 49)


def b(shape):
    r = np.arange(N, dtype=np.int64).reshape(-1, 1)
    k = np.arange(int(np.prod(shape)), dtype=np.int64).reshape(1, -1)
    return ((r * 31 + k * 7) % 200).reshape((N,) + shape)


class TestTableRow(tables.IsDescription):
    col_A = tables.UInt8Col(shape=A_SHAPE, pos=0)
    col_B = tables.Float64Col(shape=B_SHAPE, pos=1)
    col_C = tables.Float32Col(pos=2)


with tables.open_file(os.path.join(HERE, "multitables.h5"), "w") as f:
    f.create_array(f.root, "test_array", np.arange(100 * N, dtype=np.int32).reshape((N, 10, 10)))

    rows = np.zeros(N, dtype=tables.dtype_from_descr(TestTableRow))
    rows["col_A"] = b(A_SHAPE).astype(np.uint8)
    rows["col_B"] = (b(B_SHAPE) - 100) / 4.0
    rows["col_C"] = ((np.arange(N) * 7919) % 1000) / 1000.0
    table = f.create_table(f.root, "test_table", TestTableRow, filters=tables.Filters(complib="zlib", complevel=5))
    table.append(rows)

    byte_array = f.create_carray(f.root, "test_byte_array", atom=tables.UInt8Atom(), shape=(1000 * 1000,),
                                 filters=tables.Filters(complib="zlib", complevel=5))
    byte_array[:] = ((np.arange(1000 * 1000, dtype=np.int64) * 31) % 200).astype(np.uint8)
