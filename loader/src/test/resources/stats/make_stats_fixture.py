"""Writes stats.h5 for FeatureStatisticsTest: features in several stored types, layouts and
filters, and numpy's per-column statistics of them (whole dataset and rows [1234, 4321)).
Run: python3 make_stats_fixture.py (h5py, numpy)."""
import h5py
import numpy as np

rng = np.random.default_rng(19)
N = 5000
RANGE = (1234, 4321)

with h5py.File("stats.h5", "w") as f:
    data = {}
    # float32, gzip + shuffle, chunks that do not divide the rows nor the range
    data["f4"] = (rng.normal(size=(N, 7)) * np.arange(1, 8) + np.arange(-3, 4) * 10).astype(np.float32)
    f.create_dataset("f4", data=data["f4"], chunks=(333, 7), compression="gzip", shuffle=True)
    # a large offset with a small spread: a sum of squares in float would lose the variance
    data["offset"] = (1e4 + rng.normal(size=(N, 3)) * 0.01).astype(np.float32)
    f.create_dataset("offset", data=data["offset"], chunks=(512, 3), compression="gzip")
    # big-endian float64, chunked
    data["f8_be"] = rng.normal(size=(N, 3)).astype(">f8")
    f.create_dataset("f8_be", data=data["f8_be"], chunks=(256, 3))
    # int16, contiguous
    data["i2"] = rng.integers(-30000, 30000, size=(N, 4)).astype(np.int16)
    f.create_dataset("i2", data=data["i2"])
    # a column of a compound table: a float32 vector of 4 per row
    t = np.zeros(N, dtype=[("id", "<i8"), ("v", "<f4", (4,)), ("w", "<f8")])
    t["id"] = np.arange(N)
    t["v"] = rng.normal(size=(N, 4)) * 3 + 1
    t["w"] = rng.normal(size=N)
    f.create_dataset("table", data=t, chunks=(300,), compression="gzip")
    data["table_v"] = t["v"]
    # a NaN in column 1 (row 437, in the second chunk): numpy's statistics of that column are NaN
    nan = rng.normal(size=(N, 3)).astype(np.float32)
    nan[437, 1] = np.nan
    f.create_dataset("nan", data=nan, chunks=(400, 3))
    data["nan"] = nan
    # images and sequences, which FeatureStatistics refuses
    f.create_dataset("img", data=rng.integers(0, 256, size=(100, 1, 4, 4)).astype(np.uint8))
    for name, x in data.items():
        x = np.asarray(x).astype(np.float64)
        for part, rows in (("all", x), ("range", x[RANGE[0]:RANGE[1]])):
            g = f.create_group("expected/%s/%s" % (name, part))
            g["mean"] = rows.mean(axis=0)
            g["std"] = rows.std(axis=0)           # population (ddof=0)
            g["min"] = rows.min(axis=0)
            g["max"] = rows.max(axis=0)
