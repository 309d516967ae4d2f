#!/usr/bin/env python3
"""Writes conditions.h5 with PyTables: a table whose columns have every kind numexpr types a
condition with (bool, int32 from int16/uint8, int64 from uint32/int64, float32, float64), and
under /expected what PyTables' get_where_list returned for each condition of CONDITIONS (and
start/stop/step), so that the Java tests compare the reader's where() with PyTables' own results
where typing matters: C-style integer %, int32 wrap-around, float32 arithmetic, exact int64
comparisons, bool columns, Python's operator precedence, and arithmetic of literals alone done
as Python does it before numexpr sees the condition (floor %, 2 ** -1 == 0.5, exact integers).

  /t   Table, zlib, 400 rows, chunkshape 50, fields (in this order):
         k    int16    i - 200
         x    float32  i / 10
         f    bool     i % 3 == 0
         u    uint32   i * 3
         big  int64    2**53 + i
         y    float64  sin(i)
         b    uint8    i % 256
  /expected/c<n>   int64 rows of CONDITIONS[n] (the same list is written into the Java test)
  /s   Table without an index, 300 rows, chunkshape 40, the sort keys of readSorted's fallback:
         v    float64  ((i * 7) % 11) - 5, then -0.0 where i % 13 == 0 and NaN where i % 17 == 0
         w    int64    2**53 + (i * 7919) % 13   (most not representable as float64)
  /expected/s_v, s_w   numpy's stable argsort of v and of w (NaN last, -0.0 equal to 0.0)

Run (from any directory; the file is written next to this script):

    /usr/bin/python3 make_conditions_fixture.py
"""
import os

import numpy as np
import tables

HERE = os.path.dirname(os.path.abspath(__file__))
N = 400


class Keys(tables.IsDescription):
    v = tables.Float64Col(pos=0)
    w = tables.Int64Col(pos=1)


class Row(tables.IsDescription):
    k = tables.Int16Col(pos=0)
    x = tables.Float32Col(pos=1)
    f = tables.BoolCol(pos=2)
    u = tables.UInt32Col(pos=3)
    big = tables.Int64Col(pos=4)
    y = tables.Float64Col(pos=5)
    b = tables.UInt8Col(pos=6)


# (condition, condvars, start, stop, step)
CONDITIONS = [
    ("k % 7 == 3", {}, None, None, None),
    ("k % -7 == -3", {}, None, None, None),
    ("k % 0 == 0", {}, None, None, None),
    ("x * 10 == 3", {}, None, None, None),
    ("x * 10.0 == 3", {}, None, None, None),
    ("x * 3 / 3 == x", {}, None, None, None),
    ("x % -0.7 > 0.5", {}, None, None, None),
    ("x % 0.7 < 0.1", {}, None, None, None),
    ("f", {}, None, None, None),
    ("~f", {}, None, None, None),
    ("f & (k > 0)", {}, None, None, None),
    ("(x > 35) | f & (k < -150)", {}, None, None, None),
    ("f == True", {}, None, None, None),
    ("f + 1 == 2", {}, None, None, None),
    ("u - 300 > 0", {}, None, None, None),
    ("u * 2000000000 > 0", {}, None, None, None),
    ("k * 1000 * 100000 > 0", {}, None, None, None),
    ("(b * b) % 256 == 0", {}, None, None, None),
    ("big == 9007199254740993", {}, None, None, None),
    ("big - 1 == 9007199254740992", {}, None, None, None),
    ("big + 0.5 > 9007199254740992.0", {}, None, None, None),
    ("k / 3 == -5", {}, None, None, None),
    ("k ** 2 > 9000", {}, None, None, None),
    ("k ** 3 < -1000000", {}, None, None, None),
    ("x ** 2 > 100", {}, None, None, None),
    ("k == 3.0", {}, None, None, None),
    ("-x < -19.85", {}, None, None, None),
    ("y * x > 1", {}, None, None, None),
    ("x * n == 3", {"n": 10}, None, None, None),
    ("x * n == 3", {"n": 10.0}, None, None, None),
    ("(k > lo) & (k < hi)", {"lo": -20, "hi": 35}, -300, 10 ** 6, 7),
    ("x > 0.5", {}, -100, None, 3),
    ("x > 0.5", {}, 50, 40, None),
    ("k == -7 % 3", {}, None, None, None),
    ("x > 3 % -2 * -10", {}, None, None, None),
    ("k > 2 ** -1", {}, None, None, None),
    ("k == -(2 ** 2) * 3", {}, None, None, None),
    ("big == 2 ** 53 + 1", {}, None, None, None),
    ("k < 7 / 2 - 1.5 % -1", {}, None, None, None),
]

with tables.open_file(os.path.join(HERE, "conditions.h5"), "w") as f:
    i = np.arange(N, dtype=np.int64)
    rows = np.zeros(N, dtype=tables.dtype_from_descr(Row))
    rows["k"] = i - 200
    rows["x"] = (i / 10.0).astype(np.float32)
    rows["f"] = i % 3 == 0
    rows["u"] = i * 3
    rows["big"] = 2 ** 53 + i
    rows["y"] = np.sin(i)
    rows["b"] = i % 256
    t = f.create_table(f.root, "t", Row, filters=tables.Filters(complib="zlib", complevel=5), chunkshape=50)
    t.append(rows)
    t.flush()
    exp = f.create_group(f.root, "expected")
    for n, (cond, cv, start, stop, step) in enumerate(CONDITIONS):
        hits = t.get_where_list(cond, condvars=cv, start=start, stop=stop, step=step).astype(np.int64)
        f.create_array(exp, "c%d" % n, hits if hits.size > 0 else np.zeros(0, dtype=np.int64))
        print(n, cond, cv, len(hits))

    keys = np.zeros(300, dtype=tables.dtype_from_descr(Keys))
    j = np.arange(300, dtype=np.int64)
    v = ((j * 7) % 11 - 5).astype(np.float64)
    v[j % 13 == 0] = -0.0
    v[j % 17 == 0] = np.nan
    keys["v"] = v
    keys["w"] = 2 ** 53 + (j * 7919) % 13
    s = f.create_table(f.root, "s", Keys, chunkshape=40)
    s.append(keys)
    s.flush()
    f.create_array(exp, "s_v", np.argsort(keys["v"], kind="stable").astype(np.int64))
    f.create_array(exp, "s_w", np.argsort(keys["w"], kind="stable").astype(np.int64))
