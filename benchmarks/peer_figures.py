#!/usr/bin/python3
"""Peer figures on one HDF5 dataset, in one process run: MB/s of decompressed rows delivered.
Usage: peer_figures.py FILE PATH MULTITABLES_SRC [n_procs]
Prints lines 'peer=NAME mbps=X' (median of 3 passes)."""
import sys, time, statistics, numpy as np
f, path, src = sys.argv[1], sys.argv[2], sys.argv[3]
nprocs = int(sys.argv[4]) if len(sys.argv) > 4 else 2
sys.path.insert(0, src)
import h5py, multitables
with h5py.File(f, "r") as h: shape, dt = h[path].shape, h[path].dtype; chunks = h[path].chunks
total = int(np.prod(shape)) * dt.itemsize
def h5py_chunks():
    with h5py.File(f, "r") as h:
        d = h[path]; step = chunks[0] if chunks else 1024
        buf = np.empty((step,) + shape[1:], dt)
        for s in range(0, shape[0], step):
            n = min(step, shape[0] - s)
            d.read_direct(buf, np.s_[s:s+n], np.s_[0:n])
def mt_queue():
    q = multitables.Streamer(f).get_queue(path, n_procs=nprocs, ordered=False, remainder=True)
    rows = 0
    for guard in q.iter():
        with guard as b: rows += b.shape[0]
    q.close()
    return rows
def mt_ordered():
    q = multitables.Streamer(f).get_queue(path, n_procs=nprocs, ordered=True, remainder=True)
    rows = 0
    try:
        for guard in q.iter():
            with guard as b: rows += b.shape[0]
    except Exception as e:  # multitables closes its reader before the last ordered blocks arrive
        print(f"# multitables ordered mode raised {type(e).__name__} after {rows} rows", file=sys.stderr)
    q.close()
    return rows
for name, fn in [("h5py-serial", h5py_chunks), (f"multitables-{nprocs}p", mt_queue), (f"multitables-{nprocs}p-ordered", mt_ordered)]:
    ts, lost = [], []
    for _ in range(3):
        t = time.perf_counter(); rows = fn(); ts.append(time.perf_counter() - t)
        lost.append(0 if rows is None else shape[0] - rows)
    print(f"peer={name} mbps={total/1e6/statistics.median(ts):.1f} rows_lost={lost}", flush=True)
