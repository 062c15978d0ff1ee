"""Compiled window loop of max pooling: the position of the maximum of each window.

``max_pool_index`` does what its NumPy reference ``max_pool_index_reference`` in ``ops/pool.py`` does, in one
pass over the input: the reference pads a copy with -inf, copies the windows into rows (a strided view that
cannot be reshaped in place) and takes their argmax; the loop reads each window where it lies, reading
positions outside the input as -inf. ``tests/ops/test_pool_kernel.py`` checks it equal to the reference over a
grid of kernels, strides, paddings, dilations, ``ceil_mode``, dtypes, memory layouts, ties and NaNs.
"""

from __future__ import annotations

import numpy as np

from neuronlab.backend import kernel

__all__ = ["max_pool_index"]


@kernel
def max_pool_index(x, kh, kw, sh, sw, top, left, dh, dw, index):
    """index[n, c, i, j] = r W + s, the position (r, s) in x[n, c] of the first maximum of window (i, j) in
    row-major window order, padding read as -inf, NaN counting as the maximum (NumPy's argmax).

    x (N, C, H, W); index (N, C, OH, OW), int64.
    """
    n_batch, channels, h, w = x.shape
    oh, ow = index.shape[2], index.shape[3]
    lowest = -x.dtype.type(np.inf)
    for n in range(n_batch):
        for c in range(channels):
            for i in range(oh):
                for j in range(ow):
                    best = lowest
                    best_r, best_s = i * sh - top, j * sw - left
                    first = True
                    for p in range(kh):
                        r = i * sh + p * dh - top
                        for q in range(kw):
                            s = j * sw + q * dw - left
                            v = x[n, c, r, s] if 0 <= r < h and 0 <= s < w else lowest
                            if first or v > best or (v != v and best == best):
                                best, best_r, best_s = v, r, s
                                first = False
                    index[n, c, i, j] = best_r * w + best_s
