"""Pooling and resizing: max, average and adaptive pools, nearest and (bi)linear interpolation.

Max pooling picks one element per window, y = x[argmax]: indexing (``getitem``) of the flattened input at
positions found on the forward pass, so its gradient goes to that element only, dx = dy added at them (an
element that is the maximum of several overlapping windows collects all their gradients). Ties go to the first maximum in the
window's row-major order, as PyTorch's CPU kernel; NaN counts as the maximum.

Average pooling, adaptive average pooling and interpolation are linear: average pooling sums the windows of
``unfold`` and divides; adaptive average pooling and interpolation act on the rows and the columns
separately, Y = A_H X A_W^T with constant matrices A (window averages, one-hot picks, or the two
interpolation weights per output). Their gradients (A_H^T dY A_W, ``fold``) follow from the ops they are
built from, and so do their second derivatives.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from neuronlab.backend import windows as compiled
from neuronlab.ops._util import to_tensor
from neuronlab.ops.conv import COMPILED, BatchWorkers, Geometry, Unfold, _tuple, even_chunks, window_counts, windows
from neuronlab.ops.linalg import matmul
from neuronlab.ops.shape import reshape


# ------------------------------------------------------------------------------------------ arguments
def pool_output_size(size: int, kernel: int, stride: int, padding: int, dilation: int, ceil_mode: bool) -> int:
    """PyTorch's pooling output size; with ``ceil_mode`` the last window may hang over the end, but must
    start inside the input or its left padding."""
    span = size + 2 * padding - dilation * (kernel - 1) - 1
    out = (span + (stride - 1 if ceil_mode else 0)) // stride + 1
    if ceil_mode and (out - 1) * stride >= size + padding:
        out -= 1
    return out


def _pool_geometry(op: str, shape: tuple, kernel_size, stride, padding, dilation, ceil_mode: bool, dims: int):
    """Kernel, the Geometry (with the extra right/bottom padding ceil_mode needs) and the output size."""
    kernel = _tuple(op, "kernel_size", kernel_size, dims, 1)
    stride = kernel if stride is None or stride == () or stride == [] else _tuple(op, "stride", stride, dims, 1)
    pads = _tuple(op, "padding", padding, dims, 0)
    dilation = _tuple(op, "dilation", dilation, dims, 1)
    if any(2 * p > k for p, k in zip(pads, kernel)):
        raise ValueError(f"{op}: padding {pads} should be at most half of kernel_size {kernel}")
    sizes = shape[-dims:]
    out = tuple(
        pool_output_size(n, k, s, p, d, ceil_mode) for n, k, s, p, d in zip(sizes, kernel, stride, pads, dilation)
    )
    if min(out) <= 0:
        raise ValueError(
            f"{op}: input shape {shape} is too small for kernel_size {kernel} with padding {pads} and "
            f"dilation {dilation} (output size {out})"
        )
    extra = [
        max(0, (o - 1) * s + d * (k - 1) + 1 - (n + 2 * p))
        for o, s, d, k, n, p in zip(out, stride, dilation, kernel, sizes, pads)
    ]
    pairs: tuple[tuple[int, int], ...]
    if dims == 1:
        kernel, stride, dilation, out = (1,) + kernel, (1,) + stride, (1,) + dilation, (1,) + out
        pairs = ((0, 0), (pads[0], pads[0] + extra[0]))
    else:
        pairs = tuple((p, p + e) for p, e in zip(pads, extra))
    return kernel, Geometry(stride, pairs, dilation), out


def _as_4d(op: str, x, dims: int):
    """x as (N, C, H, W) (1-D inputs get H = 1; unbatched inputs a batch of 1) and the shape to return to."""
    x = to_tensor(x)
    if x.ndim not in (dims + 1, dims + 2):
        raise ValueError(
            f"{op}: expected a {dims + 2}-D input (N, C, {'H, W' if dims == 2 else 'L'}) or a "
            f"{dims + 1}-D unbatched one, got shape {x.shape}"
        )
    lead = x.shape[:-dims]
    n = math.prod(lead[:-1]) if len(lead) > 1 else 1
    spatial = x.shape[-dims:] if dims == 2 else (1,) + x.shape[-1:]
    return reshape(x, (n, lead[-1]) + spatial), lead


def _back(y, lead: tuple, dims: int):
    return reshape(y, lead + y.shape[4 - dims :])


# ------------------------------------------------------------------------------------------ max pooling
def max_pool_index_reference(x: np.ndarray, kernel: tuple, geometry: Geometry) -> np.ndarray:
    """For each window of x (N, C, H, W) (padding read as -inf), the position r W + s in its (H, W) plane of the
    first maximum in row-major window order (NaN counts as the maximum): PyTorch's ``return_indices``."""
    n, c, h, w = x.shape
    view = windows(x, kernel, geometry, value=-np.inf)  # (N, C, OH, OW, KH, KW)
    oh, ow = view.shape[2:4]
    k = view.reshape(n, c, oh, ow, -1).argmax(axis=-1)
    p, q = np.divmod(k, kernel[1])
    rows = np.arange(oh).reshape(-1, 1) * geometry.stride[0] - geometry.padding[0][0] + p * geometry.dilation[0]
    cols = np.arange(ow) * geometry.stride[1] - geometry.padding[1][0] + q * geometry.dilation[1]
    return rows * w + cols


def max_pool_index(x: np.ndarray, kernel: tuple, geometry: Geometry) -> np.ndarray:
    """``max_pool_index_reference``, by the compiled loop of ``backend.windows`` for floating-point x when Numba is
    installed, batch chunk by batch chunk on the threads of ``BatchWorkers``."""
    if not COMPILED or x.dtype.kind != "f":
        return max_pool_index_reference(x, kernel, geometry)
    index = np.empty(x.shape[:2] + window_counts(x.shape, kernel, geometry), dtype=np.int64)
    (top, _), (left, _) = geometry.padding

    def chunk(part):
        compiled.max_pool_index(x[part], *kernel, *geometry.stride, top, left, *geometry.dilation, index[part])

    BatchWorkers.map(chunk, even_chunks(x.shape[0], x.size))
    return index


def _max_pool(op: str, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, dims: int):
    x, lead = _as_4d(op, input, dims)
    kernel, geometry, _ = _pool_geometry(op, x.shape, kernel_size, stride, padding, dilation, ceil_mode, dims)
    n, c, h, w = x.shape
    local = max_pool_index(x.data, kernel, geometry)
    planes = np.arange(n * c, dtype=np.int64).reshape(n, c, 1, 1) * (h * w)
    y = _back(reshape(x, -1)[planes + local], lead, dims)
    return (y, to_tensor(local.reshape(y.shape))) if return_indices else y


def max_pool2d(
    input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode: bool = False, return_indices: bool = False
):
    """The maximum of each window of input (N, C, H, W) (padding counts as -inf). With ``return_indices``
    also the position of each maximum, as an index into its H*W plane (PyTorch's convention)."""
    return _max_pool("max_pool2d", input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, 2)


def max_pool1d(
    input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode: bool = False, return_indices: bool = False
):
    """The maximum of each window of input (N, C, L); indices into L with ``return_indices``."""
    return _max_pool("max_pool1d", input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, 1)


# ------------------------------------------------------------------------------------------ average pooling
def _divisor(sizes, kernel, geometry: Geometry, out, count_include_pad: bool, dtype) -> np.ndarray:
    """1 / (the number of elements each window averages), shape (OH, OW), as PyTorch counts them:
    padding included unless ``count_include_pad=False``, never the overhang of ``ceil_mode``."""
    counts = []
    for n, k, s, (before, _), o in zip(sizes, kernel, geometry.stride, geometry.padding, out):
        start = np.arange(o) * s - before
        end = np.minimum(start + k, n + before)
        if not count_include_pad:
            start, end = np.maximum(start, 0), np.minimum(end, n)
        counts.append(end - start)
    return (1.0 / np.multiply.outer(counts[0], counts[1])).astype(dtype)


def _avg_pool(op, input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, dims):
    x, lead = _as_4d(op, input, dims)
    kernel, geometry, out = _pool_geometry(op, x.shape, kernel_size, stride, padding, 1, ceil_mode, dims)
    n, c = x.shape[:2]
    sums = reshape(Unfold.apply(x, kernel=kernel, geometry=geometry), (n, c, kernel[0] * kernel[1]) + out).sum(axis=2)
    if divisor_override is not None:
        if not divisor_override:
            raise ValueError(f"{op}: divisor_override must be non-zero")
        scale = np.asarray(1.0 / divisor_override, dtype=x.dtype)
    else:
        scale = _divisor(x.shape[2:], kernel, geometry, out, count_include_pad, x.dtype)
    return _back(sums * scale, lead, dims)


def avg_pool2d(
    input,
    kernel_size,
    stride=None,
    padding=0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override=None,
):
    """The mean of each window of input (N, C, H, W): the sum of the window's ``unfold`` column divided by
    the kernel's area (zero padding counted unless ``count_include_pad=False``) or ``divisor_override``."""
    return _avg_pool(
        "avg_pool2d", input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, 2
    )


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode: bool = False, count_include_pad: bool = True):
    """The mean of each window of input (N, C, L)."""
    return _avg_pool("avg_pool1d", input, kernel_size, stride, padding, ceil_mode, count_include_pad, None, 1)


# ------------------------------------------------------------------------------------------ adaptive pooling
def adaptive_windows(size: int, out: int) -> tuple[np.ndarray, np.ndarray]:
    """Window i covers [floor(i size / out), ceil((i + 1) size / out)) (PyTorch's adaptive pools)."""
    i = np.arange(out)
    return (i * size) // out, -((-(i + 1) * size) // out)


def _averaging(size: int, out: int, dtype) -> np.ndarray:
    """A (out, size): row i averages window i."""
    start, end = adaptive_windows(size, out)
    j = np.arange(size)
    inside = (j >= start[:, None]) & (j < end[:, None])
    return (inside / (end - start)[:, None]).astype(dtype)


def _output_size(op: str, output_size, sizes: tuple) -> tuple:
    dims = len(sizes)
    values: tuple[Any, ...] = (
        (output_size,) * dims
        if output_size is None or isinstance(output_size, (int, np.integer))
        else tuple(output_size)
    )
    if len(values) != dims:
        raise ValueError(
            f"{op}: output_size must be an int or {dims} ints (None keeps the input size), got {output_size!r}"
        )
    values = tuple(n if v is None else v for v, n in zip(values, sizes))
    if any(not isinstance(v, (int, np.integer)) or v < 1 for v in values):
        raise ValueError(f"{op}: output_size must be positive, got {output_size!r}")
    return tuple(int(v) for v in values)


def _float_dtype(x):
    return x.dtype if x.dtype.kind == "f" else np.dtype(np.float32)


def adaptive_avg_pool2d(input, output_size):
    """Average input (N, C, H, W) over the windows that split H and W into ``output_size`` parts:
    Y = A_H X A_W^T (A: window averages)."""
    x = to_tensor(input)
    if x.ndim not in (3, 4):
        raise ValueError(f"adaptive_avg_pool2d: expected a 4-D (N, C, H, W) or 3-D input, got shape {x.shape}")
    oh, ow = _output_size("adaptive_avg_pool2d", output_size, x.shape[-2:])
    dtype = _float_dtype(x)
    return matmul(matmul(_averaging(x.shape[-2], oh, dtype), x), _averaging(x.shape[-1], ow, dtype).T)


def adaptive_avg_pool1d(input, output_size):
    """Average input (N, C, L) over the windows that split L into ``output_size`` parts: Y = X A^T."""
    x = to_tensor(input)
    if x.ndim not in (2, 3):
        raise ValueError(f"adaptive_avg_pool1d: expected a 3-D (N, C, L) or 2-D input, got shape {x.shape}")
    (out,) = _output_size("adaptive_avg_pool1d", output_size, x.shape[-1:])
    return matmul(x, _averaging(x.shape[-1], out, _float_dtype(x)).T)


def adaptive_max_pool2d(input, output_size, return_indices: bool = False):
    """The maximum of each adaptive window of input (N, C, H, W) (windows as ``adaptive_avg_pool2d``'s)."""
    x, lead = _as_4d("adaptive_max_pool2d", input, 2)
    n, c, h, w = x.shape
    oh, ow = _output_size("adaptive_max_pool2d", output_size, (h, w))
    (hs, he), (ws, we) = adaptive_windows(h, oh), adaptive_windows(w, ow)
    local = np.empty((n, c, oh, ow), dtype=np.int64)
    for i in range(oh):
        for j in range(ow):
            window = x.data[:, :, hs[i] : he[i], ws[j] : we[j]]
            p, q = np.divmod(window.reshape(n, c, -1).argmax(axis=-1), we[j] - ws[j])
            local[:, :, i, j] = (hs[i] + p) * w + ws[j] + q
    planes = np.arange(n * c, dtype=np.int64).reshape(n, c, 1, 1) * (h * w)
    y = _back(reshape(x, -1)[planes + local], lead, 2)
    return (y, to_tensor(local.reshape(y.shape))) if return_indices else y


# ------------------------------------------------------------------------------------------ interpolation
def _nearest(size: int, out: int, scale) -> np.ndarray:
    """One-hot A (out, size): output i copies input floor(i / scale) (scale = out / size unless given)."""
    ratio = size / out if scale is None else 1.0 / scale
    src = np.minimum(np.floor(np.arange(out) * ratio).astype(np.int64), size - 1)
    a = np.zeros((out, size))
    a[np.arange(out), src] = 1
    return a


def _linear(size: int, out: int, scale, align_corners: bool) -> np.ndarray:
    """A (out, size): output i is (1 - t) x[i0] + t x[i0 + 1] at the source coordinate of i (PyTorch's)."""
    i = np.arange(out, dtype=np.float64)
    if align_corners:
        src = i * ((size - 1) / (out - 1)) if out > 1 else np.zeros(out)
    else:
        ratio = size / out if scale is None else 1.0 / scale
        src = np.maximum((i + 0.5) * ratio - 0.5, 0.0)
    i0 = np.minimum(np.floor(src).astype(np.int64), size - 1)
    i1 = np.minimum(i0 + 1, size - 1)
    t = src - i0
    a = np.zeros((out, size))
    np.add.at(a, (np.arange(out), i0), 1 - t)
    np.add.at(a, (np.arange(out), i1), t)
    return a


_MODES = {"nearest": 0, "linear": 1, "bilinear": 2}


def interpolate(input, size=None, scale_factor=None, mode: str = "nearest", align_corners=None):
    """Resize input (N, C, L) or (N, C, H, W) to ``size`` or by ``scale_factor`` (PyTorch's ``F.interpolate``):
    mode "nearest" (copy input floor(i / scale)), "linear" (3-D) or "bilinear" (4-D). Separable, so
    Y = A_H X A_W^T with one (out, in) matrix per axis."""
    x = to_tensor(input)
    if mode not in _MODES:
        raise ValueError(f"interpolate: mode must be one of {', '.join(_MODES)}, got {mode!r}")
    dims = x.ndim - 2
    if dims not in (1, 2) or (_MODES[mode] and _MODES[mode] != dims):
        raise ValueError(
            f"interpolate: mode {mode!r} got an input of shape {x.shape}; expected (N, C, L) for "
            "'linear', (N, C, H, W) for 'bilinear', either for 'nearest'"
        )
    if mode == "nearest" and align_corners is not None:
        raise ValueError("interpolate: align_corners only applies to the linear modes")
    if (size is None) == (scale_factor is None):
        raise ValueError("interpolate: give exactly one of size and scale_factor")
    sizes = x.shape[2:]
    scales: tuple[Any, ...]
    if size is not None:
        out = _output_size("interpolate", size, sizes)
        scales = (None,) * dims
    else:
        scales = (scale_factor,) * dims if isinstance(scale_factor, (int, float)) else tuple(scale_factor)
        if len(scales) != dims or any(s <= 0 for s in scales):
            raise ValueError(f"interpolate: scale_factor must be positive, one per spatial axis, got {scale_factor!r}")
        out = tuple(int(math.floor(n * s)) for n, s in zip(sizes, scales))
    dtype = _float_dtype(x)
    matrices = [
        (_nearest(n, o, s) if mode == "nearest" else _linear(n, o, s, bool(align_corners))).astype(dtype)
        for n, o, s in zip(sizes, out, scales)
    ]
    y = matmul(x, matrices[-1].T)
    return matmul(matrices[0], y) if dims == 2 else y
