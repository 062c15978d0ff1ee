"""Compiled window loops: the position of the maximum of each window (max pooling) and col2im (convolution).

``max_pool_index`` does what its NumPy reference ``max_pool_index_reference`` in ``ops/pool.py`` does, in one
pass over the input: the reference pads a copy with -inf, copies the windows into rows (a strided view that
cannot be reshaped in place) and takes their argmax; the loop reads each window where it lies, reading
positions outside the input as -inf. ``col2im`` does what ``col2im_reference`` in ``ops/conv.py`` does: the
reference makes one strided addition per kernel offset into a padded array (slow when the rows are short) and
crops it; the loop adds each column element where it belongs, skipping the padding.
``tests/ops/test_window_kernels.py`` checks both equal to their references over grids of kernels, strides,
paddings, dilations, dtypes and memory layouts (and ``ceil_mode``, ties and NaNs for max pooling).
"""

from __future__ import annotations

import numpy as np

from neuronlab.backend import kernel

__all__ = ["max_pool_index", "col2im"]


@kernel
def max_pool_index(x, kh, kw, sh, sw, top, left, dh, dw, index):
    """index[n, c, i, j] = r W + s, the position (r, s) in x[n, c] of the first maximum of window (i, j) in
    row-major window order, padding read as -inf, NaN counting as the maximum (NumPy's argmax).

    x (N, C, H, W); index (N, C, OH, OW), int64. The scan keeps the first strictly greater value (a NaN is never
    greater) and notes whether it met a NaN; only then is the window scanned again for its first NaN. Windows
    inside x are read with no bounds checks; the others read -inf at the padding.
    """
    h, w = x.shape[2], x.shape[3]
    oh, ow = index.shape[2], index.shape[3]
    lowest = -x.dtype.type(np.inf)
    for n in range(x.shape[0]):
        for c in range(x.shape[1]):
            plane = x[n, c]
            for i in range(oh):
                r0 = i * sh - top
                rows_inside = r0 >= 0 and r0 + (kh - 1) * dh < h
                for j in range(ow):
                    s0 = j * sw - left
                    inside = rows_inside and s0 >= 0 and s0 + (kw - 1) * dw < w
                    best, best_r, best_s, nan = lowest, r0, s0, False
                    for p in range(kh):
                        r = r0 + p * dh
                        for q in range(kw):
                            s = s0 + q * dw
                            if inside or (0 <= r < h and 0 <= s < w):
                                v = plane[r, s]
                                if v > best:
                                    best, best_r, best_s = v, r, s
                                nan |= v != v
                    if nan:
                        for k in range(kh * kw - 1, -1, -1):  # the first NaN is the last one met going back
                            r, s = r0 + (k // kw) * dh, s0 + (k % kw) * dw
                            if 0 <= r < h and 0 <= s < w and plane[r, s] != plane[r, s]:
                                best_r, best_s = r, s
                    index[n, c, i, j] = best_r * w + best_s


@kernel
def col2im(cols, sh, sw, top, left, dh, dw, out):
    """The adjoint of im2col: out[n, c, i sh + p dh - top, j sw + q dw - left] += cols[c, p, q, n, i, j] for the
    positions inside out (overlapping windows add up; positions in the padding are dropped).

    cols (C, KH, KW, N, OH, OW); out (N, C, H, W), zeroed by the caller.
    """
    h, w = out.shape[2], out.shape[3]
    _, kh, kw, _, oh, ow = cols.shape
    for n in range(out.shape[0]):
        for c in range(out.shape[1]):
            for p in range(kh):
                start = p * dh - top
                i_lo = min(oh, max(0, (sh - 1 - start) // sh))  # the first i with i sh + start >= 0
                i_hi = max(i_lo, min(oh, (h - 1 - start) // sh + 1))  # one past the last inside
                for q in range(kw):
                    start_j = q * dw - left
                    j_lo = min(ow, max(0, (sw - 1 - start_j) // sw))
                    j_hi = max(j_lo, min(ow, (w - 1 - start_j) // sw + 1))
                    for i in range(i_lo, i_hi):
                        r = i * sh + start
                        for j in range(j_lo, j_hi):
                            out[n, c, r, j * sw + start_j] += cols[c, p, q, n, i, j]
