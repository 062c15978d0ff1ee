"""Convolution as im2col + one matrix product (notes 002, "parameter sharing and CNNs").

A 2-D convolution (PyTorch's, i.e. a cross-correlation) of x (N, C, H, W) with w (O, C/g, KH, KW):

    y[n, o, i, j] = b[o] + sum_{c, p, q} w[o, c, p, q] x[n, c + (C/g) (o div O/g), i s_h + p d_h, j s_w + q d_w]

(x already padded; s: stride, d: dilation, g: groups). Every output position applies the same weights to a
different window (parameter sharing), so laying the windows out as the columns of a matrix, cols(x) with one
column per output position (n, i, j) and one row per (c, p, q) (im2col, ``unfold``), makes the layer one
matrix product with W viewed as (O, C/g KH KW),
and the backward pass follows from the chain rule on that product:

    Y = W cols(X)                        forward                  (O, N*OH*OW)
    dW = dY cols(X)^T                    a correlation of the input with the output gradient
    dX = col2im(W^T dY)                  a transposed convolution of dY with the same weights

col2im (``fold``) is the adjoint of im2col: it adds every window back where it came from, so an element that
belongs to several overlapping windows receives the sum of their gradients.

The three products are three Functions whose derivatives are each other (Convolution, ConvolutionTranspose,
ConvolutionWeight), as ``unfold`` and ``fold`` are each other's: their backward passes are written with
these Functions, so under ``backward(create_graph=True)`` they are recorded and second derivatives are exact.
"""

from __future__ import annotations

import math
import os
from typing import Any, NamedTuple

import numpy as np
from numpy.lib.stride_tricks import as_strided

from neuronlab import backend
from neuronlab.autograd._tensor import Tensor
from neuronlab.autograd.function import Function
from neuronlab.backend import blas
from neuronlab.backend import windows as compiled
from neuronlab.ops._util import to_tensor
from neuronlab.ops.linalg import matmul
from neuronlab.ops.shape import reshape

_new = object.__new__
COMPILED = backend.available()  # col2im and the max-pool argmax by the compiled loops of ``backend.windows``


def call(cls, *inputs, **params):
    """Evaluate the Function ``cls`` inside another Function's backward.

    The usual backward passes arrays: the forward runs directly and returns an array. Under
    ``backward(create_graph=True)`` the engine passes Tensors: the Function is applied, so the backward pass
    is itself recorded in the graph.
    """
    if any(isinstance(a, Tensor) for a in inputs):
        return cls.apply(*inputs, **params)
    return _new(cls).forward(*inputs, **params)


class Geometry(NamedTuple):
    """How windows slide over the spatial axes (H, W): stride, ((top, bottom), (left, right)) zero padding,
    dilation, and the number of channel groups."""

    stride: tuple
    padding: tuple
    dilation: tuple
    groups: int = 1


def output_size(size: int, kernel: int, stride: int, padding: tuple, dilation: int) -> int:
    """Number of window positions along one axis: floor((size + pads - d (k - 1) - 1) / s) + 1."""
    return (size + padding[0] + padding[1] - dilation * (kernel - 1) - 1) // stride + 1


def window_counts(shape: tuple, kernel: tuple, geometry: Geometry) -> tuple[int, int]:
    """(OH, OW), the number of window positions of an (N, C, H, W) input; a clear error when there are none."""
    h, w = shape[2:]
    (kh, kw), (sh, sw), (dh, dw) = kernel, geometry.stride, geometry.dilation
    oh = output_size(h, kh, sh, geometry.padding[0], dh)
    ow = output_size(w, kw, sw, geometry.padding[1], dw)
    if oh <= 0 or ow <= 0:
        (top, bottom), (left, right) = geometry.padding
        raise ValueError(
            f"the padded input ({h + top + bottom}x{w + left + right}) is smaller than the dilated kernel "
            f"({dh * (kh - 1) + 1}x{dw * (kw - 1) + 1})"
        )
    return oh, ow


def windows(x: np.ndarray, kernel: tuple, geometry: Geometry, value: float = 0.0) -> np.ndarray:
    """Read-only view (N, C, OH, OW, KH, KW) of the windows of x (N, C, H, W) padded with ``value``.

    A strided view (no copy): element (n, c, i, j, p, q) is x_padded[n, c, i s_h + p d_h, j s_w + q d_w].
    Strides are counted in bytes by NumPy (int64), so the index arithmetic cannot overflow.
    """
    oh, ow = window_counts(x.shape, kernel, geometry)
    (top, bottom), (left, right) = geometry.padding
    if top or bottom or left or right:
        x = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)), constant_values=value)
    (kh, kw), (sh, sw), (dh, dw) = kernel, geometry.stride, geometry.dilation
    s = x.strides
    return as_strided(
        x, x.shape[:2] + (oh, ow, kh, kw), (s[0], s[1], s[2] * sh, s[3] * sw, s[2] * dh, s[3] * dw), writeable=False
    )


CHUNK = 1 << 18  # elements of cols per batch chunk (1 MiB in float32): filled and multiplied while in cache


def batch_chunks(n: int, per_image: int) -> list[slice]:
    """Slices of a batch of ``n`` whose columns hold about ``CHUNK`` elements each (at least one image).

    cols(x) is KH KW times the size of x; built for the whole batch it would be written to fresh memory and read
    back from RAM. Built chunk by chunk, each part is multiplied while still in cache, and the memory in use
    stays at one chunk per thread.
    """
    step = max(1, CHUNK // per_image)
    return [slice(start, min(n, start + step)) for start in range(0, n, step)]


def even_chunks(n: int, size: int) -> list[slice]:
    """A batch of ``n`` images holding ``size`` elements in all, in one equal slice per thread of
    ``BatchWorkers`` (at most one per image); one slice under ``CHUNK / 4`` elements, too little to share."""
    parts = 1 if size < CHUNK // 4 else min(n, blas.max_threads())
    return [slice(i * n // parts, (i + 1) * n // parts) for i in range(parts)]


class BatchWorkers:
    """The threads that process batch chunks side by side: the calling thread and helpers, as many in all as BLAS
    may use (threadpoolctl's limit)."""

    pool: Any = None  # a concurrent.futures.ThreadPoolExecutor of the helpers (imported on first use)
    owner = (0, 0)  # (process id, threads) the pool was made for: a forked child makes its own

    @classmethod
    def map(cls, work, parts: list) -> list:
        """``[work(part) for part in parts]``, on several threads calling BLAS single-threaded when BLAS may use
        several threads: one synchronisation per call instead of one per matrix product, which matters on a
        busy machine, where a thread BLAS waits for may not be running. Each thread takes the next part left;
        the calling thread is one of them (the data it wrote stays in its core's cache, and it does not sit
        idle waiting), which makes a LeNet-5 training step on two threads a quarter faster than handing every
        part to the helpers."""
        limit = 1 if len(parts) == 1 else blas.max_threads()
        threads = min(len(parts), limit)
        if threads == 1:
            return [work(part) for part in parts]
        if cls.pool is None or cls.owner != (os.getpid(), limit):
            from concurrent.futures import ThreadPoolExecutor

            if cls.pool is not None and cls.owner[0] == os.getpid():
                cls.pool.shutdown(wait=False)  # made for another thread count
            cls.pool = ThreadPoolExecutor(limit - 1, thread_name_prefix="neuronlab-conv")
            cls.owner = (os.getpid(), limit)
        from concurrent.futures import wait

        results = [None] * len(parts)
        order = iter(range(len(parts)))  # shared: each thread takes the next part left (next() is atomic)

        def drain():
            for i in order:
                results[i] = work(parts[i])

        with blas.one_thread():
            helpers = [cls.pool.submit(drain) for _ in range(threads - 1)]
            try:
                drain()  # the calling thread works too
            finally:
                wait(helpers)
        for helper in helpers:
            helper.result()  # raises a helper's error
        return results


def columns_view(x: np.ndarray, kernel: tuple, geometry: Geometry) -> np.ndarray:
    """cols(x) as a view (C, KH, KW, N, OH, OW) of the windows: row (c, p, q), column (n, i, j) of the matrix
    cols; ``view[:, :, :, part].reshape(C KH KW, -1)`` copies the columns of a batch slice (im2col)."""
    return windows(x, kernel, geometry).transpose(1, 4, 5, 0, 2, 3)


def col2im_reference(cols: np.ndarray, shape: tuple, geometry: Geometry) -> np.ndarray:
    """The adjoint of im2col: cols (C, KH, KW, N, OH, OW) added back into an array of ``shape`` (N, C, H, W).

    One strided addition per kernel offset (p, q), vectorised over everything else; where windows overlap
    (stride < dilated kernel) the contributions accumulate.
    """
    c, kh, kw, n, oh, ow = cols.shape
    (top, bottom), (left, right) = geometry.padding
    (sh, sw), (dh, dw) = geometry.stride, geometry.dilation
    h, w = shape[2] + top + bottom, shape[3] + left + right
    out = np.zeros((n, c, h, w), dtype=cols.dtype)
    for p in range(kh):
        for q in range(kw):
            out[:, :, p * dh : p * dh + sh * (oh - 1) + 1 : sh, q * dw : q * dw + sw * (ow - 1) + 1 : sw] += cols[
                :, p, q
            ].transpose(1, 0, 2, 3)
    if top or bottom or left or right:
        out = np.ascontiguousarray(out[:, :, top : top + shape[2], left : left + shape[3]])
    return out


def col2im(cols: np.ndarray, shape: tuple, geometry: Geometry) -> np.ndarray:
    """``col2im_reference``, by the compiled loop of ``backend.windows`` when Numba is installed."""
    if not COMPILED:
        return col2im_reference(cols, shape, geometry)
    out = np.zeros(tuple(shape), dtype=cols.dtype)
    (top, _), (left, _) = geometry.padding
    compiled.col2im(cols, *geometry.stride, top, left, *geometry.dilation, out)
    return out


def _columns(y, groups: int):
    """y (N, O, OH, OW) as (groups, O/g, N*OH*OW): one column per output position."""
    n, o = y.shape[:2]
    return y.transpose(1, 0, 2, 3).reshape(groups, o // groups, -1)


def _per_group(a, b):
    """a[i] @ b[i] for each group i: 2-D products, which BLAS takes with transposed operands and no copy."""
    if len(a) == 1:
        return (a[0] @ b[0])[None]
    return np.stack([ai @ bi for ai, bi in zip(a, b)])


def _grouped_weight(w, groups: int):
    """w (O, C/g, KH, KW) as (groups, O/g, C/g*KH*KW)."""
    return w.reshape(groups, w.shape[0] // groups, -1)


def _convolution(x, w, geometry: Geometry, size: tuple | None = None):
    """Y = W cols(X), batch chunk by batch chunk; with ``size`` only the first (OH, OW) window positions."""
    g, o = geometry.groups, w.shape[0]
    view = columns_view(x, w.shape[2:], geometry)
    if size is not None:
        view = view[..., : size[0], : size[1]]
    rows, n, oh, ow = view.shape[0] * view.shape[1] * view.shape[2], *view.shape[3:]
    weight = _grouped_weight(w, g)
    y = np.empty((n, o, oh, ow), dtype=np.result_type(x.dtype, w.dtype))

    def chunk(part):
        cols = view[:, :, :, part].reshape(g, rows // g, -1)
        y[part] = _per_group(weight, cols).reshape(o, -1, oh, ow).transpose(1, 0, 2, 3)

    BatchWorkers.map(chunk, batch_chunks(n, rows * oh * ow))
    return y


def _flipped_geometry(geometry: Geometry, kernel: tuple, shape: tuple, z_shape: tuple) -> Geometry | None:
    """With stride 1, col2im(W^T Z) is a convolution of Z with the kernel flipped (input and output channels
    swapped): ``dX[r] = sum_p W[p] Z[r + before - p d]`` reads Z padded by d (k - 1) - before in front and, behind,
    by what gives the output its ``shape`` (N, C, H, W). That convolution's Geometry when it is the cheaper way,
    else None.

    The convolution copies the windows of Z (Z's channels times the output's size); col2im adds up the columns of
    W^T Z (the output's channels times Z's size): the convolution is chosen when the first is no larger, as in a
    layer that keeps its channels and size, not one that widens the channels. Strided convolutions, and padding
    wider than the kernel, always take col2im.
    """
    copied, added = z_shape[1] * math.prod(shape[2:]), shape[1] * math.prod(z_shape[2:])
    if any(s != 1 for s in geometry.stride) or copied > added:
        return None
    size, z_size = shape[2:], z_shape[2:]
    pairs = tuple(
        (d * (k - 1) - before, n - m + before)
        for (before, _), d, k, n, m in zip(geometry.padding, geometry.dilation, kernel, size, z_size)
    )
    if min(min(pair) for pair in pairs) < 0:
        return None
    return Geometry(geometry.stride, pairs, geometry.dilation, geometry.groups)


def _convolution_transpose(z, w, geometry: Geometry, size: tuple):
    """col2im(W^T Z): for stride 1 a convolution with the flipped kernel, else batch chunk by batch chunk."""
    n, _, oh, ow = z.shape
    o, cg, kh, kw = w.shape
    g = geometry.groups
    flipped = _flipped_geometry(geometry, (kh, kw), (n, g * cg) + tuple(size), z.shape)
    if flipped is not None:
        w = w.reshape(g, o // g, cg, kh, kw).transpose(0, 2, 1, 3, 4)[..., ::-1, ::-1]
        return _convolution(z, w.reshape(g * cg, o // g, kh, kw), flipped)
    weight = _grouped_weight(w, g).transpose(0, 2, 1)  # (g, C/g*KH*KW, O/g)
    out = np.empty((n, g * cg) + tuple(size), dtype=np.result_type(z.dtype, w.dtype))

    def chunk(part):
        grad_cols = _per_group(weight, _columns(z[part], g)).reshape(g * cg, kh, kw, -1, oh, ow)
        out[part] = col2im(grad_cols, out[part].shape, geometry)

    BatchWorkers.map(chunk, batch_chunks(n, g * cg * kh * kw * oh * ow))
    return out


def _convolution_weight(x, gy, kernel: tuple, geometry: Geometry):
    """dW = dY cols(X)^T, summed over batch chunks."""
    g = geometry.groups
    view = columns_view(x, kernel, geometry)[..., : gy.shape[2], : gy.shape[3]]  # see Convolution's ``size``
    rows, n, oh, ow = view.shape[0] * view.shape[1] * view.shape[2], *view.shape[3:]
    # dW^T = cols(X) dY^T, (g, C/g*KH*KW, O/g): OpenBLAS is many times slower at the transposed product when
    # O is small and N*OH*OW large

    def chunk(part):
        return _per_group(view[:, :, :, part].reshape(g, rows // g, -1), _columns(gy[part], g).transpose(0, 2, 1))

    gw = sum(BatchWorkers.map(chunk, batch_chunks(n, rows * oh * ow)))
    return np.ascontiguousarray(gw.transpose(0, 2, 1)).reshape(gy.shape[1], x.shape[1] // g, *kernel)


class Convolution(Function):
    """Y = W cols(X) + b.  dX = ConvolutionTranspose(dY, W),  dW = ConvolutionWeight(X, dY),
    db = sum of dY over (N, OH, OW).

    ``size`` keeps only the first (OH, OW) window positions: the adjoint of a transposed convolution whose
    output_padding added rows that no window of its input reaches.
    """

    def forward(self, x, w, b, geometry, size=None):
        self.geometry = geometry
        self.save_for_backward(x, w)
        y = _convolution(x, w, geometry, size)
        if b is not None:
            y += b.reshape(-1, 1, 1)
        return y

    def backward(self, gy):
        x, w = self.saved
        need_x, need_w, need_b = self.needs_input_grad
        gx = call(ConvolutionTranspose, gy, w, None, geometry=self.geometry, size=x.shape[2:]) if need_x else None
        gw = call(ConvolutionWeight, x, gy, kernel=w.shape[2:], geometry=self.geometry) if need_w else None
        gb = gy.sum(axis=(0, 2, 3)) if need_b else None
        return gx, gw, gb


class ConvolutionTranspose(Function):
    """Y = col2im(W^T Z) + b, the adjoint of Convolution in its input (weight (in, out/g, KH, KW), the same
    array as the convolution's).  dZ = Convolution(dY, W),  dW = ConvolutionWeight(dY, Z),  db = sum of dY."""

    def forward(self, z, w, b, geometry, size):
        self.geometry = geometry
        self.save_for_backward(z, w)
        y = _convolution_transpose(z, w, geometry, size)
        if b is not None:
            y += b.reshape(-1, 1, 1)
        return y

    def backward(self, gy):
        z, w = self.saved
        need_z, need_w, need_b = self.needs_input_grad
        gz = call(Convolution, gy, w, None, geometry=self.geometry, size=z.shape[2:]) if need_z else None
        gw = call(ConvolutionWeight, gy, z, kernel=w.shape[2:], geometry=self.geometry) if need_w else None
        gb = gy.sum(axis=(0, 2, 3)) if need_b else None
        return gz, gw, gb


class ConvolutionWeight(Function):
    """dW = dY cols(X)^T: the weight gradient of a convolution, a correlation of X with dY, as a Function of both.

    It is bilinear with <ConvolutionWeight(X, G), V> = <Convolution(X, V), G>, hence for an incoming V = dY:
    dX = ConvolutionTranspose(G, V),  dG = Convolution(X, V).
    """

    def forward(self, x, g, kernel, geometry):
        self.geometry = geometry
        self.save_for_backward(x, g)
        return _convolution_weight(x, g, tuple(kernel), geometry)

    def backward(self, gy):
        x, g = self.saved
        need_x, need_g = self.needs_input_grad
        gx = call(ConvolutionTranspose, g, gy, None, geometry=self.geometry, size=x.shape[2:]) if need_x else None
        gg = call(Convolution, x, gy, None, geometry=self.geometry, size=g.shape[2:]) if need_g else None
        return gx, gg


class Unfold(Function):
    """im2col: Y[n, (c, p, q), (i, j)] = X_padded[n, c, i s_h + p d_h, j s_w + q d_w], shape (N, C KH KW, OH OW).
    dX = Fold(dY) (col2im: overlapping windows add up)."""

    def forward(self, x, kernel, geometry):
        self.kernel, self.geometry, self.size = kernel, geometry, x.shape[2:]
        view = windows(x, kernel, geometry)
        n, c, oh, ow, kh, kw = view.shape
        cols = view.transpose(0, 1, 4, 5, 2, 3).reshape(n, c * kh * kw, oh * ow)
        return cols if cols.flags.writeable else cols.copy()  # a 1x1 kernel can reshape without copying

    def backward(self, gy):
        return call(Fold, gy, size=self.size, kernel=self.kernel, geometry=self.geometry)


class Fold(Function):
    """col2im: Y = the sum of the columns of X put back at their windows, shape (N, C, H, W).  dX = Unfold(dY)."""

    def forward(self, cols, size, kernel, geometry):
        self.kernel, self.geometry = kernel, geometry
        n, ckk, _ = cols.shape
        kh, kw = kernel
        oh = output_size(size[0], kh, geometry.stride[0], geometry.padding[0], geometry.dilation[0])
        ow = output_size(size[1], kw, geometry.stride[1], geometry.padding[1], geometry.dilation[1])
        if ckk % (kh * kw) or cols.shape[2] != oh * ow:
            raise ValueError(
                f"expected input of shape (N, C*{kh * kw}, {oh * ow}) for output_size {tuple(size)}, got {cols.shape}"
            )
        c = ckk // (kh * kw)
        return col2im(cols.reshape(n, c, kh, kw, oh, ow).transpose(1, 2, 3, 0, 4, 5), (n, c) + tuple(size), geometry)

    def backward(self, gy):
        return call(Unfold, gy, kernel=self.kernel, geometry=self.geometry)


# ------------------------------------------------------------------------------------------ arguments
def _tuple(op: str, name: str, value, n: int, minimum: int) -> tuple:
    """An int or a sequence of ``n`` ints, each >= minimum, as a tuple."""
    values = (value,) * n if isinstance(value, (int, np.integer)) else tuple(value)
    if len(values) != n or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in values):
        raise ValueError(f"{op}: {name} must be an int or a sequence of {n} ints, got {value!r}")
    if any(v < minimum for v in values):
        raise ValueError(f"{op}: {name} must be >= {minimum}, got {value!r}")
    return tuple(int(v) for v in values)


def pad_pairs(op: str, padding, kernel: tuple, stride: tuple, dilation: tuple) -> tuple:
    """``padding`` (an int, one int per axis, "valid" or "same") as ((before, after), ...) per spatial axis.

    "same" pads d (k - 1) in total, the extra element of an odd total after, as PyTorch (stride 1 only).
    """
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0),) * len(kernel)
        if padding == "same":
            if any(s != 1 for s in stride):
                raise ValueError(f"{op}: padding='same' is not supported for strided convolutions (stride {stride})")
            totals = [d * (k - 1) for k, d in zip(kernel, dilation)]
            return tuple((t // 2, t - t // 2) for t in totals)
        raise ValueError(f"{op}: padding must be an int, a tuple, 'valid' or 'same', got {padding!r}")
    return tuple((p, p) for p in _tuple(op, "padding", padding, len(kernel), 0))


def _check_conv(op: str, x: Tensor, w: Tensor, b, dims: int, groups: int, transposed: bool) -> None:
    if x.ndim != dims + 2:
        raise ValueError(
            f"{op}: expected a {dims + 2}-D input (N, C, {'H, W' if dims == 2 else 'L'}) "
            f"or {dims + 1}-D unbatched input, got shape {x.shape}"
        )
    if w.ndim != dims + 2:
        raise ValueError(f"{op}: expected a {dims + 2}-D weight, got shape {w.shape}")
    if not isinstance(groups, (int, np.integer)) or isinstance(groups, bool) or groups < 1:
        raise ValueError(f"{op}: groups must be a positive integer, got {groups!r}")
    c = x.shape[1]
    if transposed:
        if c != w.shape[0] or c % groups:
            raise ValueError(
                f"{op}: input shape {x.shape} and weight shape {w.shape}: the weight's first axis "
                f"must equal the input's channels {c}, divisible by groups={groups}"
            )
        out = w.shape[1] * groups
    else:
        if c != w.shape[1] * groups or w.shape[0] % groups:
            raise ValueError(
                f"{op}: input shape {x.shape} and weight shape {w.shape}: expected weight shape "
                f"(out_channels, in_channels/groups = {c}/{groups}, *kernel) with out_channels "
                f"divisible by groups"
            )
        out = w.shape[0]
    if b is not None and tuple(b.shape) != (out,):
        raise ValueError(f"{op}: bias of shape {tuple(b.shape)} for {out} output channels; expected ({out},)")


def _batched(x: Tensor, dims: int):
    """An unbatched (C, *spatial) input gets a batch axis of 1 (removed again from the output)."""
    return (reshape(x, (1,) + x.shape), True) if x.ndim == dims + 1 else (x, False)


def _unbatched(y: Tensor, added: bool):
    return reshape(y, y.shape[1:]) if added else y


def _optional(t):
    return None if t is None else to_tensor(t)


# ------------------------------------------------------------------------------------------ public functions
def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups: int = 1):
    """2-D convolution (cross-correlation) of input (N, C, H, W) with weight (O, C/groups, KH, KW).

    PyTorch's ``F.conv2d``: ``padding`` is an int, a pair, "valid" or "same" (zeros; other padding modes
    are ``nn.Conv2d(padding_mode=...)``). Output (N, O, OH, OW) with
    OH = floor((H + 2 pad - dilation (KH - 1) - 1) / stride) + 1.
    """
    x, w, b = to_tensor(input), to_tensor(weight), _optional(bias)
    x, added = _batched(x, 2)
    _check_conv("conv2d", x, w, b, 2, groups, transposed=False)
    kernel = w.shape[2:]
    stride = _tuple("conv2d", "stride", stride, 2, 1)
    dilation = _tuple("conv2d", "dilation", dilation, 2, 1)
    geometry = Geometry(stride, pad_pairs("conv2d", padding, kernel, stride, dilation), dilation, int(groups))
    return _unbatched(Convolution.apply(x, w, b, geometry=geometry), added)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups: int = 1):
    """1-D convolution of input (N, C, L) with weight (O, C/groups, K): a conv2d with height 1."""
    x, w, b = to_tensor(input), to_tensor(weight), _optional(bias)
    x, added = _batched(x, 1)
    _check_conv("conv1d", x, w, b, 1, groups, transposed=False)
    stride = _tuple("conv1d", "stride", stride, 1, 1)
    dilation = _tuple("conv1d", "dilation", dilation, 1, 1)
    pairs = pad_pairs("conv1d", padding, w.shape[2:], stride, dilation)
    geometry = Geometry((1,) + stride, ((0, 0),) + pairs, (1,) + dilation, int(groups))
    y = Convolution.apply(
        reshape(x, (x.shape[0], x.shape[1], 1, x.shape[2])),
        reshape(w, (w.shape[0], w.shape[1], 1, w.shape[2])),
        b,
        geometry=geometry,
    )
    return _unbatched(reshape(y, (y.shape[0], y.shape[1], y.shape[3])), added)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups: int = 1, dilation=1):
    """Transposed convolution (the input-gradient of conv2d as a layer) of input (N, C_in, H, W) with weight
    (C_in, C_out/groups, KH, KW); PyTorch's argument order. Output size per axis:
    (H - 1) stride - 2 padding + dilation (KH - 1) + output_padding + 1.
    """
    x, w, b = to_tensor(input), to_tensor(weight), _optional(bias)
    x, added = _batched(x, 2)
    _check_conv("conv_transpose2d", x, w, b, 2, groups, transposed=True)
    kernel = w.shape[2:]
    stride = _tuple("conv_transpose2d", "stride", stride, 2, 1)
    dilation = _tuple("conv_transpose2d", "dilation", dilation, 2, 1)
    pads = _tuple("conv_transpose2d", "padding", padding, 2, 0)
    extra = _tuple("conv_transpose2d", "output_padding", output_padding, 2, 0)
    if any(e >= s and e >= d for e, s, d in zip(extra, stride, dilation)):
        raise ValueError(
            f"conv_transpose2d: output_padding {extra} must be smaller than either stride {stride} "
            f"or dilation {dilation}"
        )
    size = tuple(
        (n - 1) * s - 2 * p + d * (k - 1) + e + 1
        for n, s, p, d, k, e in zip(x.shape[2:], stride, pads, dilation, kernel, extra)
    )
    if min(size) <= 0:
        raise ValueError(f"conv_transpose2d: the output size {size} for input shape {x.shape} is not positive")
    geometry = Geometry(stride, tuple((p, p) for p in pads), dilation, int(groups))
    return _unbatched(ConvolutionTranspose.apply(x, w, b, geometry=geometry, size=size), added)


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """im2col (PyTorch's ``F.unfold``): the sliding windows of input (N, C, H, W) as the columns of
    (N, C KH KW, L), L = OH OW window positions, ordered (c, p, q) down a column."""
    x = to_tensor(input)
    if x.ndim != 4:
        raise ValueError(f"unfold: expected a 4-D input (N, C, H, W), got shape {x.shape}")
    kernel = _tuple("unfold", "kernel_size", kernel_size, 2, 1)
    geometry = Geometry(
        _tuple("unfold", "stride", stride, 2, 1),
        tuple((p, p) for p in _tuple("unfold", "padding", padding, 2, 0)),
        _tuple("unfold", "dilation", dilation, 2, 1),
    )
    return Unfold.apply(x, kernel=kernel, geometry=geometry)


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """col2im (PyTorch's ``F.fold``), the adjoint of ``unfold``: columns (N, C KH KW, L) summed back into
    (N, C, *output_size); values of overlapping windows add up."""
    cols = to_tensor(input)
    if cols.ndim != 3:
        raise ValueError(f"fold: expected a 3-D input (N, C*KH*KW, L), got shape {cols.shape}")
    size = _tuple("fold", "output_size", output_size, 2, 1)
    kernel = _tuple("fold", "kernel_size", kernel_size, 2, 1)
    geometry = Geometry(
        _tuple("fold", "stride", stride, 2, 1),
        tuple((p, p) for p in _tuple("fold", "padding", padding, 2, 0)),
        _tuple("fold", "dilation", dilation, 2, 1),
    )
    return Fold.apply(cols, size=size, kernel=kernel, geometry=geometry)


# ------------------------------------------------------------------------------------------ padding modes
def _source_index(n: int, before: int, after: int, mode: str) -> np.ndarray:
    """For each position of a padded axis, the position of the input it copies."""
    i = np.arange(-before, n + after)
    if mode == "replicate":
        return np.clip(i, 0, n - 1)
    if mode == "circular":
        return i % n
    period = 2 * (n - 1)  # reflect: ... 2 1 | 0 1 2 ... n-1 | n-2 n-3 ...
    i = np.abs(i) % period if period else np.zeros_like(i)
    return np.where(i < n, i, period - i)


def _selection(index: np.ndarray, n: int, dtype) -> np.ndarray:
    """The one-hot matrix S (len(index), n) with S[k, index[k]] = 1, so S @ v = v[index]."""
    s = np.zeros((len(index), n), dtype=dtype)
    s[np.arange(len(index)), index] = 1
    return s


def pad_spatial(x, pairs: tuple[tuple[int, int], ...], mode: str):
    """Pad the last ``len(pairs)`` axes of x (a Tensor) by ((before, after), ...) with ``mode``:
    "zeros", "reflect" (mirror without repeating the edge), "replicate" (repeat the edge) or "circular" (wrap).

    The non-constant modes copy input elements, a linear map: padded = S_H x S_W^T with one-hot selection
    matrices, whose gradient S_H^T dY S_W adds up every copy of an element (and is linear again, so exactly
    twice differentiable).
    """
    x = to_tensor(x)
    if mode == "zeros":
        if not any(any(p) for p in pairs):
            return x
        from neuronlab.ops.shape import pad

        return pad(x, ((0, 0),) * (x.ndim - len(pairs)) + tuple(pairs))
    if mode not in ("reflect", "replicate", "circular"):
        raise ValueError(f"padding_mode must be 'zeros', 'reflect', 'replicate' or 'circular', got {mode!r}")
    sizes = x.shape[x.ndim - len(pairs) :]
    for n, (before, after) in zip(sizes, pairs):
        if mode == "reflect" and max(before, after) >= n:
            raise ValueError(
                f"padding_mode='reflect': padding ({before}, {after}) must be smaller than the "
                f"input size {n} along that axis (input shape {x.shape})"
            )
        if mode == "circular" and max(before, after) > n:
            raise ValueError(
                f"padding_mode='circular': padding ({before}, {after}) must not exceed the "
                f"input size {n} along that axis (input shape {x.shape})"
            )
    dtype = x.dtype if x.dtype.kind == "f" else np.float64
    last = sizes[-1]
    y = matmul(x, _selection(_source_index(last, *pairs[-1], mode), last, dtype).T)
    if len(pairs) == 2:
        rows = sizes[0]
        y = matmul(_selection(_source_index(rows, *pairs[0], mode), rows, dtype), y)
    return y
