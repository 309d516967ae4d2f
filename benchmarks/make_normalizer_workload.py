#!/usr/bin/python3
"""The file NormalizerBench was measured on: /x float32 [rows, 256], chunks of 1024 rows, gzip 4 +
shuffle, every column with its own mean and spread, values rounded to 3 decimals (as sensor
data); /y int64 labels. Usage: make_normalizer_workload.py OUT.h5 [rows (400000)]"""
import sys
import h5py
import numpy as np

n = int(sys.argv[2]) if len(sys.argv) > 2 else 400_000
f = 256
rng = np.random.default_rng(19)
with h5py.File(sys.argv[1], "w") as h:
    d = h.create_dataset("x", (n, f), dtype="f4", chunks=(1024, f), compression="gzip", compression_opts=4, shuffle=True)
    y = h.create_dataset("y", (n,), dtype="i8", chunks=(65536,), compression="gzip")
    mu = rng.normal(0, 5, f).astype("f4")
    sd = rng.uniform(0.1, 3, f).astype("f4")
    for s in range(0, n, 65536):
        e = min(n, s + 65536)
        d[s:e] = np.round(rng.standard_normal((e - s, f), dtype="f4") * sd + mu, 3)
        y[s:e] = rng.integers(0, 10, e - s)
