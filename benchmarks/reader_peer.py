#!/usr/bin/python3
"""h5py fancy indexing of the same sorted unique rows as ReaderBench, rows/s, median of 3.
Usage: reader_peer.py FILE DATASET [n]"""
import sys, time, statistics, numpy as np, h5py
f, path = sys.argv[1], sys.argv[2]
n = int(sys.argv[3]) if len(sys.argv) > 3 else 10000
with h5py.File(f, "r") as h:
    rows = h[path].shape[0]
# the same draw as ReaderBench is not reproducible across languages; a seeded uniform draw of n distinct rows
idx = np.sort(np.random.default_rng(7).choice(rows, n, replace=False))
ts = []
for _ in range(4):
    with h5py.File(f, "r", rdcc_nbytes=64 << 20) as h:
        t = time.perf_counter()
        x = h[path][idx]
        ts.append(time.perf_counter() - t)
print(f"reader=h5py fancy_sorted_rows={n} rows_per_s={n / statistics.median(ts[1:]):.0f}")
