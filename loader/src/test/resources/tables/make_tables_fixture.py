#!/usr/bin/env python3
"""Writes tables.h5 with PyTables, the fixture of the reader's indexing, table-record, table-query
and variable-length tests. Next to each input node it stores what numpy/PyTables return for the
requests the Java tests make (under /expected), so the tests compare with PyTables' own results.

  /cube     CArray float32 [40, 6, 5, 4], zlib, chunks [7, 3, 5, 2]: x = arange(...) * 0.5
  /table    Table, zlib, 1000 rows, chunkshape 64, fields (in this order):
              id    int64     row number
              x     float32   ((id * 7919) % 1000) / 1000 + 0.0001 * (id % 7)   (CSI index)
              y     float64   sin(id)
              k     int16     (id * 31) % 97 - 48
              vec   float64 [3]  [id, -id, id / 2]
              name  S6        b"r%d" % (id % 5000)   (bytes, NUL padded)
              meta  nested:   a int16 = id % 11,  b uint8 [2] = [id % 256, (id * 3) % 256]
  /plain    Table without any index, 300 rows: v float32 = ((id * 37) % 300) / 7, w int32 = id
  /sliced   Table, 5000 rows: v float32 = ((id * 7919) % 5003) / 5003, w int32 = id; a CSI index on
            v of 4 full slices of 1024 positions plus a last row of 904
  /vl_int   VLArray int32, 50 rows: row r = arange(r % 7) * (r + 1)     (row 0, 7, ... empty)
  /vl_f64   VLArray float64, 20 rows: row r = linspace(0, 1, r + 1) * r
  /expected/<name>   numpy / PyTables results for the tests (see the code below)

Run (from any directory; the file is written next to this script):

    /usr/bin/python3 make_tables_fixture.py
"""
import os

import numpy as np
import tables

HERE = os.path.dirname(os.path.abspath(__file__))
N = 1000


class Meta(tables.IsDescription):
    a = tables.Int16Col(pos=0)
    b = tables.UInt8Col(shape=(2,), pos=1)


class Row(tables.IsDescription):
    id = tables.Int64Col(pos=0)
    x = tables.Float32Col(pos=1)
    y = tables.Float64Col(pos=2)
    k = tables.Int16Col(pos=3)
    vec = tables.Float64Col(shape=(3,), pos=4)
    name = tables.StringCol(6, pos=5)
    meta = Meta()


class Plain(tables.IsDescription):
    v = tables.Float32Col(pos=0)
    w = tables.Int32Col(pos=1)


with tables.open_file(os.path.join(HERE, "tables.h5"), "w") as f:
    zlib = tables.Filters(complib="zlib", complevel=5)
    exp = f.create_group(f.root, "expected")

    def save(name, value):
        value = np.asarray(value)
        if value.dtype == np.bool_:
            value = value.astype(np.uint8)
        f.create_array(exp, name, value if value.size > 0 else np.zeros(0, dtype=value.dtype))

    # ---- indexing --------------------------------------------------------------------------
    cube = (np.arange(40 * 6 * 5 * 4, dtype=np.float32) * 0.5).reshape(40, 6, 5, 4)
    f.create_carray(f.root, "cube", obj=cube, chunkshape=(7, 3, 5, 2), filters=zlib)
    mask5 = np.array([True, False, True, True, False])
    rowmask = (np.arange(40) % 3) == 1
    save("cube_row7", cube[7])
    save("cube_rowm1", cube[-1])
    save("cube_step", cube[3:30, ::2, [1, 3]])
    save("cube_mask_scalar", cube[rowmask, :, 2])
    save("cube_neg", cube[-5:-1, -2:, mask5, -1])
    # several index lists select orthogonally (one dimension after the other, as numpy's np.ix_,
    # h5py and PyTables do), not numpy's pointwise broadcasting: applied one axis at a time here
    save("cube_idx_step", cube[[4, 0, 4, 39]][:, 1:6:2][:, :, [4, 0, 2]][:, :, :, 1:])
    save("cube_scalar_all", cube[12, 3, 4, 1].reshape(1))
    save("cube_inner_rev", cube[10:12][:, [5, 2, 2, 0]][:, :, :, [3, 1]])

    # ---- tables ----------------------------------------------------------------------------
    ids = np.arange(N, dtype=np.int64)
    rows = np.zeros(N, dtype=tables.dtype_from_descr(Row))
    rows["id"] = ids
    rows["x"] = ((ids * 7919) % 1000) / 1000.0 + 0.0001 * (ids % 7)
    rows["y"] = np.sin(ids)
    rows["k"] = (ids * 31) % 97 - 48
    rows["vec"] = np.stack([ids, -ids, ids / 2.0], axis=1)
    rows["name"] = [b"r%d" % (i % 5000) for i in ids]
    rows["meta"]["a"] = ids % 11
    rows["meta"]["b"] = np.stack([ids % 256, (ids * 3) % 256], axis=1)
    t = f.create_table(f.root, "table", Row, filters=zlib, chunkshape=64)
    t.append(rows)
    t.cols.x.create_csindex()
    t.flush()

    # where: (name, condition, condvars, start, stop, step) -> coordinates
    wheres = [
        ("w_simple", "x > 0.5", {}, None, None, None),
        ("w_var", "x > lim", {"lim": 0.25}, 300, 700, None),
        ("w_and_or", "(x < 0.2) | ((k >= 10) & (y > 0))", {}, None, None, None),
        ("w_not", "~(x < 0.9) & (id % 3 == 0)", {}, None, None, None),
        ("w_arith", "(y * 2 + k / 4 - 1 > x) & (k != -48)", {}, 10, 990, 3),
        ("w_neg", "-k > 40", {}, None, None, None),
        ("w_eq", "k == 0", {}, None, None, None),
        ("w_pow", "x ** 2 + y ** 2 < 0.5", {}, None, None, None),
        ("w_none", "x > 5", {}, None, None, None),
    ]
    for name, cond, cv, start, stop, step in wheres:
        save(name, t.get_where_list(cond, condvars=cv, start=start, stop=stop, step=step).astype(np.int64))
    save("w_var_x", t.read_where("x > lim", condvars={"lim": 0.25}, start=300, stop=700, field="x"))
    # sorted reads through the CSI index; 'id' equals the row number, so field='id' gives the order
    save("sorted_x", t.read_sorted("x", checkCSI=True, field="id"))
    save("sorted_x_200_300", t.read_sorted("x", checkCSI=True, field="id", start=200, stop=300))
    save("sorted_x_step", t.read_sorted("x", checkCSI=True, field="id", start=5, stop=900, step=7))
    save("coords", t.read_coordinates([5, 999, 0, 5, 64, 63], field="x"))

    plain = f.create_table(f.root, "plain", Plain, chunkshape=32)
    pv = np.zeros(300, dtype=tables.dtype_from_descr(Plain))
    pid = np.arange(300)
    pv["v"] = ((pid * 37) % 300) / 7.0
    pv["w"] = pid
    plain.append(pv)
    plain.flush()
    save("plain_sorted_v", np.argsort(pv["v"], kind="stable").astype(np.int64))
    save("plain_sorted_v_desc", np.argsort(pv["v"], kind="stable")[::-1][::3].astype(np.int64))

    # a CSI index with full slices (slicesize 1024 through PyTables' _blocksizes) and a last row
    sliced = f.create_table(f.root, "sliced", Plain, chunkshape=256)
    sv = np.zeros(5000, dtype=tables.dtype_from_descr(Plain))
    sv["v"] = ((np.arange(5000) * 7919) % 5003) / 5003.0
    sv["w"] = np.arange(5000)
    sliced.append(sv)
    sliced.cols.v.create_index(optlevel=9, kind="full", _blocksizes=(4096, 2048, 1024, 256))
    assert sliced.cols.v.index.is_csi and sliced.cols.v.index.nslices == 4
    save("sliced_sorted", sliced.read_sorted("v", checkCSI=True, field="w", start=100, stop=4900, step=3))

    # ---- variable-length -------------------------------------------------------------------
    vi = f.create_vlarray(f.root, "vl_int", tables.Int32Atom(), filters=zlib)
    for r in range(50):
        vi.append(np.arange(r % 7, dtype=np.int32) * (r + 1))
    vf = f.create_vlarray(f.root, "vl_f64", tables.Float64Atom())
    for r in range(20):
        vf.append(np.linspace(0, 1, r + 1) * r)
