#!/usr/bin/python3
"""h5py fancy indexing of exactly the rows ReaderBench requested, rows/s, median of 3 after a warm-up.

ReaderBench writes its rows (sorted, distinct, one index per line) to an indices file and, given
--peer, runs this script on it; run by hand as
    reader_peer.py FILE DATASET INDICES_FILE [ORDER_FILE]
Each pass opens the file anew (a cold h5py chunk cache, 64 MiB) and reads h[DATASET][idx] with the
sorted index array. checksum_x0 sums column 0 of the rows, to compare with ReaderBench's.
With ORDER_FILE (the same rows in the order ReaderBench requested them, one per line), it also
reads the rows one at a time in that order, h[DATASET][row], with the same cache: median of 3
passes after a warm-up on the first 200 rows.
"""
import statistics
import sys
import time

import h5py
import numpy as np

if len(sys.argv) not in (4, 5):
    sys.exit(__doc__)
f, path, indices = sys.argv[1], sys.argv[2], sys.argv[3]
order_file = sys.argv[4] if len(sys.argv) == 5 else None
idx = np.loadtxt(indices, dtype=np.int64, ndmin=1)
if idx.size == 0 or np.any(np.diff(idx) <= 0):
    sys.exit(f"{indices}: the indices must be sorted, distinct and non-empty")
with h5py.File(f, "r") as h:
    if idx[-1] >= h[path].shape[0]:
        sys.exit(f"{indices}: row {idx[-1]} is out of range for {path} {h[path].shape}")
ts = []
x = None
for _ in range(4):
    with h5py.File(f, "r", rdcc_nbytes=64 << 20) as h:
        t = time.perf_counter()
        x = h[path][idx]
        ts.append(time.perf_counter() - t)
n = idx.size
x0 = float(np.sum(x.reshape(n, -1)[:, 0], dtype=np.float64))
print(f"reader=h5py fancy_sorted_rows={n} rows_per_s={n / statistics.median(ts[1:]):.0f} "
      f"(passes {n / max(ts[1:]):.0f}..{n / min(ts[1:]):.0f}) checksum_x0={x0:.6g} indices={indices}")

if order_file is not None:
    order = np.loadtxt(order_file, dtype=np.int64, ndmin=1)
    if not np.array_equal(np.sort(order), idx):
        sys.exit(f"{order_file}: not the rows of {indices}")
    ts = []
    x0 = 0.0
    for p in range(4):
        rows = order[:200] if p == 0 else order
        with h5py.File(f, "r", rdcc_nbytes=64 << 20) as h:
            d = h[path]
            t = time.perf_counter()
            s = 0.0
            for r in rows:
                s += float(d[r].reshape(-1)[0])
            if p > 0:
                ts.append(time.perf_counter() - t)
                x0 = s
    print(f"reader=h5py one_by_one_rows={n} rows_per_s={n / statistics.median(ts):.0f} "
          f"(passes {n / max(ts):.0f}..{n / min(ts):.0f}) checksum_x0={x0:.6g} order={order_file}")
