#!/usr/bin/python3
"""The peers of Harness --cold: h5py's serial chunk-by-chunk read and multitables' queue, each pass
after the file was dropped from the page cache (POSIX_FADV_DONTNEED), so that the disk is read as
for a file larger than the page cache. Same passes and output as peer_figures.py.
Usage: cold_peers.py FILE PATH MULTITABLES_SRC [n_procs]"""
import os, sys, time, statistics
import numpy as np
f, path, src = sys.argv[1], sys.argv[2], sys.argv[3]
nprocs = int(sys.argv[4]) if len(sys.argv) > 4 else 2
sys.path.insert(0, src)
import h5py, multitables

def drop():
    fd = os.open(f, os.O_RDONLY)
    try:
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)

with h5py.File(f, "r") as h:
    shape, dt, chunks = h[path].shape, h[path].dtype, h[path].chunks
total = int(np.prod(shape)) * dt.itemsize

def h5py_chunks():
    with h5py.File(f, "r") as h:
        d = h[path]; step = chunks[0] if chunks else 1024
        buf = np.empty((step,) + shape[1:], dt)
        for s in range(0, shape[0], step):
            n = min(step, shape[0] - s)
            d.read_direct(buf, np.s_[s:s + n], np.s_[0:n])
    return shape[0]

def mt_queue():
    q = multitables.Streamer(f).get_queue(path, n_procs=nprocs, ordered=False, remainder=True)
    rows = 0
    for guard in q.iter():
        with guard as b:
            rows += b.shape[0]
    q.close()
    return rows

for name, fn in [("h5py-serial", h5py_chunks), (f"multitables-{nprocs}p", mt_queue)]:
    ts, lost = [], []
    drop(); fn()  # warm-up pass, as the harness does
    for _ in range(3):
        drop()
        t = time.perf_counter(); rows = fn(); ts.append(time.perf_counter() - t)
        lost.append(shape[0] - rows)
    print(f"peer={name} mbps={total / 1e6 / statistics.median(ts):.1f} rows_lost={lost} (cold page cache)", flush=True)
