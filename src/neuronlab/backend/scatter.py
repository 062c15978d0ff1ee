"""Compiled scatter-add: the backward pass of indexing with an integer array (max pooling's and embeddings').

``index_add_rows`` does what ``np.add.at(out, index, values)`` does for one integer array indexing the first
axis, in one pass in the same order (so the sums round as NumPy's do); NumPy's ``add.at`` is a general
unbuffered loop, several times slower. ``tests/ops/test_window_kernels.py`` checks the two equal.
"""

from __future__ import annotations

from neuronlab.backend import kernel

__all__ = ["index_add_rows"]


@kernel
def index_add_rows(out, index, values):
    """out[index[k]] += values[k] for k in order: out (R, D), index (K,) integers in [-R, R) (negative ones count
    from the end, as in NumPy; the caller has checked the range), values (K, D)."""
    rows = out.shape[0]
    for k in range(index.shape[0]):
        r = index[k]
        if r < 0:
            r += rows
        for d in range(out.shape[1]):
            out[r, d] += values[k, d]
