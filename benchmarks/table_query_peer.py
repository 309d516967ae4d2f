#!/usr/bin/python3
"""PyTables side of TableQueryBench: writes the benchmark table if it is missing, then times
PyTables on the same queries the Java side runs, best of 3, printing one line per query:
    name seconds result_count

Table /table (PyTables, zlib 5, chunkshape 1024), N rows: id int64 = row, x float32 =
((id * 7919) % 1000003) / 1000003, k int16 = (id * 31) % 97 - 48, name S8; a CSI index on x.

Usage: table_query_peer.py FILE [N=1000000]
"""
import os
import sys
import time

import numpy as np
import tables

path = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000


class Row(tables.IsDescription):
    id = tables.Int64Col(pos=0)
    x = tables.Float32Col(pos=1)
    k = tables.Int16Col(pos=2)
    name = tables.StringCol(8, pos=3)


if not os.path.exists(path):
    with tables.open_file(path + ".tmp", "w") as f:
        t = f.create_table("/", "table", Row, filters=tables.Filters(complib="zlib", complevel=5), chunkshape=1024,
                           expectedrows=n)
        for s in range(0, n, 100_000):
            ids = np.arange(s, min(n, s + 100_000), dtype=np.int64)
            rows = np.zeros(len(ids), dtype=t.dtype)
            rows["id"] = ids
            rows["x"] = ((ids * 7919) % 1000003) / 1000003.0
            rows["k"] = (ids * 31) % 97 - 48
            rows["name"] = [b"r%d" % i for i in ids]
            t.append(rows)
        t.cols.x.create_csindex()
    os.rename(path + ".tmp", path)

coords = np.random.default_rng(7).choice(n, 10_000, replace=False)
coords.sort()
with tables.open_file(path) as f:
    t = f.root.table
    queries = [
        ("where", lambda: t.get_where_list("(x > lim) & (k != 0)", condvars={"lim": 0.25})),
        ("read_where", lambda: t.read_where("(x > lim) & (k != 0)", condvars={"lim": 0.25})),
        ("read_sorted_100k", lambda: t.read_sorted("x", checkCSI=True, start=0, stop=100_000)),
        ("read_coordinates_10k", lambda: t.read_coordinates(coords)),
    ]
    for name, q in queries:
        best = None
        for _ in range(3):
            t0 = time.perf_counter()
            r = q()
            dt = time.perf_counter() - t0
            best = dt if best is None else min(best, dt)
        print(name, "%.4f" % best, len(r), flush=True)
