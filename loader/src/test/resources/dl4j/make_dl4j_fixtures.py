"""Writes the fixtures of the DL4J integration tests (ClassNamesTest, SequenceIteratorTest,
NormalizerFitTest). Run: python3 make_dl4j_fixtures.py (h5py, numpy)."""
import h5py
import numpy as np

rng = np.random.default_rng(20261203)

# labels.h5: class names as h5py writes a list of str (variable-length UTF-8) on /y, on a group
# and on the root, and a file without names
with h5py.File("labels.h5", "w") as f:
    x = rng.normal(size=(300, 5)).astype(np.float32) * np.array([1, 2, 3, 4, 5], np.float32) + np.arange(5)
    f.create_dataset("x", data=x, chunks=(64, 5))
    f.create_dataset("y", data=(np.arange(300) % 3).astype(np.int64))
    f["y"].attrs["class_names"] = ["cat", "dog", "bird"]
    g = f.create_group("g")
    g.create_dataset("x", data=x)
    g.create_dataset("y", data=(np.arange(300) % 3).astype(np.int64))
    g.attrs["class_names"] = ["a", "b", "c"]
    f.create_dataset("y_plain", data=(np.arange(300) % 3).astype(np.int64))
    f.create_dataset("img", data=rng.integers(0, 256, size=(300, 1, 4, 4)).astype(np.uint8), chunks=(50, 1, 4, 4))
with h5py.File("root_names.h5", "w") as f:
    f.create_dataset("x", data=np.zeros((10, 2), np.float32))
    f.create_dataset("y", data=np.zeros(10, np.int64))
    f.attrs["class_names"] = ["zero", "one"]

# expected statistics of labels.h5:/x and /img, by numpy, for NormalizerFitTest
with h5py.File("labels.h5", "a") as f:
    x = f["x"][...].astype(np.float64)
    s = f.create_group("stats")
    s.create_dataset("mean", data=x.mean(axis=0))
    s.create_dataset("std", data=x.std(axis=0))           # population (ddof=0)
    s.create_dataset("min", data=x.min(axis=0))
    s.create_dataset("max", data=x.max(axis=0))
    s.create_dataset("img_scaled_first", data=f["img"][:8].astype(np.float64) / 255.0)
