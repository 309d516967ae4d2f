"""Writes the Spark tests' HDF5 file: /x float32 [N, D] with x[:, 0] = row / N (the row's id, so
that the tests can tell rows apart where they are read), the other columns standard normal;
/y int32 class ids of a fixed linear rule over x[:, 1:], so a network can learn them.
Usage: make_spark_fixture.py OUT N D CLASSES SEED"""
import sys

import h5py
import numpy as np

out, n, d, classes, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
rng = np.random.default_rng(seed)
x = rng.standard_normal((n, d)).astype("f4")
x[:, 0] = np.arange(n, dtype="f8") / n
w = rng.standard_normal((d - 1, classes))
y = np.argmax(x[:, 1:].astype("f8") @ w, axis=1).astype("i4")
with h5py.File(out, "w") as f:
    f.create_dataset("x", data=x, chunks=(64, d), compression="gzip", shuffle=True)
    f.create_dataset("y", data=y, chunks=(64,), compression="gzip")
