"""Writes clean.h5 and corrupt.h5 into the directory given as the only argument.

Both hold /x: float32 [N, 4] with row r = (r, 2r, -r, r % 7), chunks of 100 rows, gzip 4 + shuffle,
and /y: int64 [N] = r (chunks of 100 rows, gzip). In corrupt.h5 the stored bytes of the /x
chunk holding rows BAD_FROM .. BAD_FROM + 99 are damaged (a run in the middle of the compressed
stream is inverted), so that chunk cannot be decoded; everything else is identical. Prints
"N BAD_FROM BAD_ROWS".
"""
import os
import shutil
import sys

import h5py
import numpy as np

N = 3000
CHUNK = 100
BAD_FROM = 1200

out = sys.argv[1]
clean = os.path.join(out, "clean.h5")
r = np.arange(N, dtype=np.float64)
x = np.stack([r, 2 * r, -r, r % 7], axis=1).astype(np.float32)
with h5py.File(clean, "w") as f:
    f.create_dataset("x", data=x, chunks=(CHUNK, 4), compression="gzip", compression_opts=4, shuffle=True)
    f.create_dataset("y", data=np.arange(N, dtype=np.int64), chunks=(CHUNK,), compression="gzip")

with h5py.File(clean, "r") as f:
    info = f["x"].id.get_chunk_info_by_coord((BAD_FROM, 0))
    offset, size = info.byte_offset, info.size

bad = os.path.join(out, "corrupt.h5")
shutil.copyfile(clean, bad)
with open(bad, "r+b") as fh:
    at = offset + size // 3
    fh.seek(at)
    run = bytearray(fh.read(16))
    fh.seek(at)
    fh.write(bytes(b ^ 0xFF for b in run))

with h5py.File(bad, "r") as f:
    try:
        f["x"][BAD_FROM:BAD_FROM + CHUNK]
        raise SystemExit("the damaged chunk still decodes")
    except OSError:
        pass
    assert np.array_equal(f["x"][:BAD_FROM], x[:BAD_FROM])
    assert np.array_equal(f["x"][BAD_FROM + CHUNK:], x[BAD_FROM + CHUNK:])
print(N, BAD_FROM, CHUNK)
