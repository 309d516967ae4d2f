#!/usr/bin/python3
"""Make the benchmark HDF5 files (PyTables/h5py, i.e. the HDF5 C library) used by the peer comparison.
Usage: make_workload.py OUTDIR [rows]
Files: gzip.h5 (/x float32 [rows,256] chunks 1024 rows, zlib 4 + shuffle; /y int64 labels),
       raw.h5 (same data, contiguous), blosc.h5 (PyTables blosc:lz4 5), table.h5 (PyTables Table)."""
import sys, os, numpy as np, h5py, tables
out = sys.argv[1]; rows = int(sys.argv[2]) if len(sys.argv) > 2 else 400_000
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(7)
cols = 256
def blocks():
    for s in range(0, rows, 65536):
        n = min(65536, rows - s)
        x = (np.round(rng.standard_normal((n, cols)) * 64) / 64).astype(np.float32)  # compressible like real features
        y = rng.integers(0, 10, n).astype(np.int64)
        yield s, n, x, y
def done(p): return os.path.exists(p) and os.path.getsize(p) > 0
if not done(f"{out}/gzip.h5"):
    with h5py.File(f"{out}/gzip.h5.tmp", "w") as g, h5py.File(f"{out}/raw.h5.tmp", "w") as r:
        gx = g.create_dataset("x", (rows, cols), "f4", chunks=(1024, cols), compression="gzip", compression_opts=4, shuffle=True)
        gy = g.create_dataset("y", (rows,), "i8", chunks=(65536,), compression="gzip", compression_opts=4)
        rx = r.create_dataset("x", (rows, cols), "f4"); ry = r.create_dataset("y", (rows,), "i8")
        for s, n, x, y in blocks():
            gx[s:s+n] = x; gy[s:s+n] = y; rx[s:s+n] = x; ry[s:s+n] = y
    os.rename(f"{out}/gzip.h5.tmp", f"{out}/gzip.h5"); os.rename(f"{out}/raw.h5.tmp", f"{out}/raw.h5")
if not done(f"{out}/blosc.h5"):
    with h5py.File(f"{out}/gzip.h5", "r") as g, tables.open_file(f"{out}/blosc.h5.tmp", "w") as t:
        a = t.create_carray("/", "x", tables.Float32Atom(), (rows, cols), chunkshape=(1024, cols),
                            filters=tables.Filters(complib="blosc:lz4", complevel=5, shuffle=True))
        for s in range(0, rows, 65536): a[s:s+65536] = g["x"][s:s+65536]
    os.rename(f"{out}/blosc.h5.tmp", f"{out}/blosc.h5")
print("ok", out, rows)
