#!/usr/bin/python3
"""Rows for the write benchmark, like the shared workload: round(N(0,1)*64)/64 as float32 [rows, 256].
Usage: make_data.py out.npy rows"""
import sys, numpy as np
rng = np.random.default_rng(7)
rows = int(sys.argv[2])
np.save(sys.argv[1], (np.round(rng.standard_normal((rows, 256)) * 64) / 64).astype(np.float32))
