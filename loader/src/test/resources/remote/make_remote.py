"""Writes remote.h5, the fixture of the remote-file tests (HDFS, S3), and remote.json.

/x: float32 [3000, 8], chunks (64, 8), gzip 4 + shuffle; x[r, k] = ((r*31 + k*7) % 200 - 100) / 4
/y: int64 [3000], chunks (64,), gzip 4 + shuffle; y[r] = r
remote.json: the number of chunks and their stored bytes (h5py's chunk index), per dataset.
Run with /usr/bin/python3 make_remote.py in this folder.
"""
import json

import h5py
import numpy as np

ROWS, COLS, CHUNK = 3000, 8, 64
r = np.arange(ROWS, dtype=np.int64)[:, None]
k = np.arange(COLS, dtype=np.int64)[None, :]
x = (((r * 31 + k * 7) % 200 - 100) / 4).astype(np.float32)
y = np.arange(ROWS, dtype=np.int64)

with h5py.File("remote.h5", "w", libver="earliest") as f:
    f.create_dataset("x", data=x, chunks=(CHUNK, COLS), compression="gzip", compression_opts=4, shuffle=True)
    f.create_dataset("y", data=y, chunks=(CHUNK,), compression="gzip", compression_opts=4, shuffle=True)

info = {}
with h5py.File("remote.h5", "r") as f:
    assert np.array_equal(f["x"][...], x) and np.array_equal(f["y"][...], y)
    for name in ("x", "y"):
        ds = f[name]
        n = ds.id.get_num_chunks()
        sizes = [ds.id.get_chunk_info(i).size for i in range(n)]
        info["/" + name] = {"chunks": n, "storedBytes": int(sum(sizes))}
with open("remote.json", "w") as out:
    json.dump(info, out, indent=1, sort_keys=True)
    out.write("\n")
