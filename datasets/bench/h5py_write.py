#!/usr/bin/python3
"""h5py writing the same rows as WriteBench: float32 [N, 256], gzip 4 + shuffle, 1024-row chunks,
extensible along rows, appended in blocks of 65536 rows; median of RUNS runs (default 3).
Usage: h5py_write.py data.npy out.h5 [RUNS]"""
import sys, time, statistics, numpy as np, h5py
x = np.load(sys.argv[1], mmap_mode="r")
runs = int(sys.argv[3]) if len(sys.argv) > 3 else 3
rates = []
for _ in range(runs):
    t = time.perf_counter()
    with h5py.File(sys.argv[2], "w") as f:
        d = f.create_dataset("x", (0, x.shape[1]), "f4", maxshape=(None, x.shape[1]), chunks=(1024, x.shape[1]),
                             compression="gzip", compression_opts=4, shuffle=True)
        for s in range(0, x.shape[0], 65536):
            b = x[s:s + 65536]
            d.resize(s + b.shape[0], axis=0)
            d[s:s + b.shape[0]] = b
    rates.append(x.shape[0] / (time.perf_counter() - t))
print(f"writer=h5py rows_per_s={statistics.median(rates):.0f} runs={sorted(round(r) for r in rates)}")
