"""Sequence fixtures for SequenceIteratorTest, in the layouts of the datasets CLI
(SequenceWriter): padded x [n, T, F] float32, lengths int64 [n], y per sequence [n] or per step
[n, T]; ragged x [steps, F], offsets int64 [n], lengths, y [n] or [steps].
Values follow closed formulas (also used by the test to write DL4J's CSV files):
  length(i) = 1 + (5 * i) % 9
  x(i, t, f) = ((31 * i + 7 * t + 3 * f) % 17) / 4 - 2
  class(i) = i % 3,  step class(i, t) = (i + t) % 2
sum_sign.h5: a learnable task, label = 1 if the sum of a random sequence's steps is positive.
Run: python3 make_sequence_fixtures.py (h5py, numpy)."""
import h5py
import numpy as np

N, F, T = 41, 3, 9
lengths = np.array([1 + (5 * i) % 9 for i in range(N)], np.int64)


def x(i, t, f):
    return ((31 * i + 7 * t + 3 * f) % 17) / 4.0 - 2.0


padded = np.zeros((N, T, F), np.float32)
steps_y_padded = np.zeros((N, T), np.int64)
ragged, steps_y = [], []
for i in range(N):
    for t in range(lengths[i]):
        row = [x(i, t, f) for f in range(F)]
        padded[i, t] = row
        ragged.append(row)
        steps_y_padded[i, t] = (i + t) % 2
        steps_y.append((i + t) % 2)
ragged = np.array(ragged, np.float32)
offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
seq_y = (np.arange(N) % 3).astype(np.int64)

with h5py.File("seq_padded.h5", "w") as f:
    f.create_dataset("x", data=padded, chunks=(4, T, F), compression="gzip")
    f.create_dataset("lengths", data=lengths)
    f.create_dataset("y", data=seq_y)
    f.create_dataset("y_steps", data=steps_y_padded, chunks=(5, T))
    f.attrs["sequence_layout"] = "padded"
with h5py.File("seq_ragged.h5", "w") as f:
    f.create_dataset("x", data=ragged, chunks=(7, F), compression="gzip", shuffle=True)
    f.create_dataset("x_f8_be", data=ragged.astype(">f8"))
    f.create_dataset("offsets", data=offsets)
    f.create_dataset("lengths", data=lengths)
    f.create_dataset("y", data=seq_y)
    f.create_dataset("y_steps", data=np.array(steps_y, np.int64), chunks=(11,))
    f.attrs["sequence_layout"] = "ragged"

rng = np.random.default_rng(7)
M = 480
lens = rng.integers(2, 12, size=M)
offs = np.concatenate([[0], np.cumsum(lens)[:-1]])
xs = rng.normal(size=(int(lens.sum()), 1)).astype(np.float32)
y = np.array([1 if xs[o:o + l, 0].sum() > 0 else 0 for o, l in zip(offs, lens)], np.int64)
with h5py.File("sum_sign.h5", "w") as f:
    f.create_dataset("x", data=xs, chunks=(512, 1))
    f.create_dataset("offsets", data=offs.astype(np.int64))
    f.create_dataset("lengths", data=lens.astype(np.int64))
    f.create_dataset("y", data=y)
    f["y"].attrs["class_names"] = ["negative", "positive"]
