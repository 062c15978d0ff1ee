"""Rearranging entries with PyTorch's names: flip, roll, repeat, repeat_interleave, tile, tril, triu, diag,
diagonal, split, chunk, unbind, unflatten, movedim, meshgrid and ``pad`` (PyTorch's F.pad: constant,
reflect, replicate, circular; negative pads crop).

Each is composed from indexing, reshape, broadcast and transpose, whose gradients move the values back
(repeated positions add up), so no new Function is needed and second derivatives come for free.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from neuronlab.ops._util import axis_index, to_tensor
from neuronlab.ops.elementwise import where
from neuronlab.ops.indexing import IndexAdd, getitem
from neuronlab.ops.shape import Pad, broadcast_to, permute, reshape


def _dims(op: str, dims, ndim: int) -> tuple:
    dims = (dims,) if isinstance(dims, (int, np.integer)) else tuple(dims)
    dims = tuple(axis_index(op, d, max(ndim, 1)) for d in dims)
    if len(set(dims)) != len(dims):
        raise ValueError(f"{op}: dims {dims} repeat a dimension")
    return dims


def _take(x, dim: int, index):
    """x indexed by ``index`` along ``dim`` (a slice or an integer array)."""
    return getitem(x, (slice(None),) * dim + (index,))


def flip(input, dims):
    """``input`` with the order of entries reversed along ``dims``."""
    x = to_tensor(input)
    dims = _dims("flip", dims, x.ndim)
    if x.ndim == 0:
        return getitem(x, ())
    return getitem(x, tuple(slice(None, None, -1) if d in dims else slice(None) for d in range(x.ndim)))


def roll(input, shifts, dims=None):
    """Entries shifted cyclically by ``shifts`` along ``dims`` (the flattened tensor when ``dims`` is None)."""
    x = to_tensor(input)
    if dims is None:
        if not isinstance(shifts, (int, np.integer)):
            raise ValueError("roll: with dims=None, shifts must be one integer")
        return reshape(roll(reshape(x, (-1,)), shifts, 0), x.shape)
    shifts = (shifts,) if isinstance(shifts, (int, np.integer)) else tuple(shifts)
    dims = (dims,) if isinstance(dims, (int, np.integer)) else tuple(dims)
    if len(shifts) != len(dims):
        raise ValueError(f"roll: {len(shifts)} shifts for {len(dims)} dims")
    for shift, dim in zip(shifts, dims):
        dim = axis_index("roll", dim, max(x.ndim, 1))
        n = x.shape[dim]
        if n:
            x = _take(x, dim, (np.arange(n) - shift) % n)
    return x


def repeat(input, *sizes):
    """PyTorch's ``Tensor.repeat``: the tensor tiled ``sizes[d]`` times along each dim (leading sizes add dims)."""
    x = to_tensor(input)
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        sizes = tuple(sizes[0])
    if len(sizes) < x.ndim:
        raise ValueError(f"repeat: {len(sizes)} sizes for a tensor with {x.ndim} dimensions (need at least {x.ndim})")
    shape = (1,) * (len(sizes) - x.ndim) + x.shape
    interleaved = tuple(v for r, n in zip(sizes, shape) for v in (r, n))
    ones = tuple(v for n in shape for v in (1, n))
    return reshape(broadcast_to(reshape(x, ones), interleaved), tuple(r * n for r, n in zip(sizes, shape)))


def tile(input, dims):
    """The tensor repeated ``dims[d]`` times along each dim (missing leading dims count as 1)."""
    x = to_tensor(input)
    dims = tuple(dims)
    return repeat(x, (1,) * (x.ndim - len(dims)) + dims)


def repeat_interleave(input, repeats, dim=None):
    """Each entry repeated ``repeats`` times (an int, or one count per entry) along ``dim`` (of the flattened
    tensor when None): [a, b] -> [a, a, b, b]."""
    x = to_tensor(input)
    if dim is None:
        x, dim = reshape(x, (-1,)), 0
    dim = axis_index("repeat_interleave", dim, max(x.ndim, 1))
    counts = np.asarray(getattr(repeats, "data", repeats))
    if counts.ndim == 1 and counts.shape[0] != x.shape[dim]:
        raise ValueError(f"repeat_interleave: {counts.shape[0]} repeats for dimension {dim} of size {x.shape[dim]}")
    if (counts < 0).any():
        raise ValueError("repeat_interleave: repeats must be non-negative")
    return _take(x, dim, np.repeat(np.arange(x.shape[dim]), counts))


def _triangle(op: str, input, diagonal: int, lower: bool):
    x = to_tensor(input)
    if x.ndim < 2:
        raise ValueError(f"{op}: the input must have at least 2 dimensions, got shape {x.shape}")
    rows, cols = x.shape[-2:]
    keep = np.tri(rows, cols, k=diagonal, dtype=bool) if lower else ~np.tri(rows, cols, k=diagonal - 1, dtype=bool)
    return where(keep, x, 0)


def tril(input, diagonal: int = 0):
    """The lower triangle of the last two dims (entries on and below the ``diagonal``-th diagonal), zeros above."""
    return _triangle("tril", input, diagonal, lower=True)


def triu(input, diagonal: int = 0):
    """The upper triangle of the last two dims (entries on and above the ``diagonal``-th diagonal), zeros below."""
    return _triangle("triu", input, diagonal, lower=False)


def _diagonal_positions(rows: int, cols: int, offset: int) -> tuple:
    length = max(min(rows + min(offset, 0), cols - max(offset, 0)), 0)
    start = np.arange(length)
    return start - min(offset, 0), start + max(offset, 0)


def diag(input, diagonal: int = 0):
    """A vector's square matrix with it on the ``diagonal``-th diagonal, or a matrix's ``diagonal``-th diagonal."""
    x = to_tensor(input)
    if x.ndim == 1:
        n = x.shape[0] + abs(diagonal)
        return IndexAdd.apply(x, index=_diagonal_positions(n, n, diagonal), shape=(n, n))
    if x.ndim == 2:
        rows, cols = x.shape
        return getitem(x, _diagonal_positions(rows, cols, diagonal))
    raise ValueError(f"diag: the input must be 1-D or 2-D, got shape {x.shape}")


def movedim(input, source, destination):
    """The dims ``source`` moved to positions ``destination`` (ints or sequences), the others in order."""
    x = to_tensor(input)
    source, destination = _dims("movedim", source, x.ndim), _dims("movedim", destination, x.ndim)
    if len(source) != len(destination):
        raise ValueError(f"movedim: {len(source)} source dims for {len(destination)} destinations")
    order = [d for d in range(x.ndim) if d not in source]
    for dest, src in sorted(zip(destination, source)):
        order.insert(dest, src)
    return permute(x, order)


def diagonal(input, offset: int = 0, dim1: int = 0, dim2: int = 1):
    """The diagonal of the (dim1, dim2) planes, as a new last dim (PyTorch's ``diagonal``)."""
    x = to_tensor(input)
    if x.ndim < 2:
        raise ValueError(f"diagonal: the input must have at least 2 dimensions, got shape {x.shape}")
    moved = movedim(x, (dim1, dim2), (-2, -1))
    rows, cols = moved.shape[-2:]
    return getitem(moved, (Ellipsis,) + _diagonal_positions(rows, cols, offset))


def split(tensor, split_size_or_sections, dim: int = 0) -> tuple:
    """Pieces along ``dim``: of ``split_size`` each (the last may be smaller), or of the listed sizes."""
    x = to_tensor(tensor)
    dim = axis_index("split", dim, max(x.ndim, 1))
    n = x.shape[dim]
    if isinstance(split_size_or_sections, (int, np.integer)):
        size = int(split_size_or_sections)
        if size <= 0:
            raise ValueError(f"split: split_size must be positive, got {size}")
        sizes = [min(size, n - start) for start in range(0, n, size)] or [0]
    else:
        sizes = [int(s) for s in split_size_or_sections]
        if sum(sizes) != n or any(s < 0 for s in sizes):
            raise ValueError(f"split: sections {sizes} do not add up to dimension {dim} of size {n}")
    bounds = np.cumsum([0] + sizes)
    return tuple(_take(x, dim, slice(int(a), int(b))) for a, b in zip(bounds[:-1], bounds[1:]))


def chunk(input, chunks: int, dim: int = 0) -> tuple:
    """At most ``chunks`` pieces along ``dim``, each of ceil(n / chunks) entries (the last may be smaller)."""
    if chunks <= 0:
        raise ValueError(f"chunk: chunks must be positive, got {chunks}")
    x = to_tensor(input)
    n = x.shape[axis_index("chunk", dim, max(x.ndim, 1))]
    return split(x, max(-(-n // chunks), 1), dim)


def unbind(input, dim: int = 0) -> tuple:
    """The slices along ``dim``, with that dim removed."""
    x = to_tensor(input)
    dim = axis_index("unbind", dim, max(x.ndim, 1))
    return tuple(_take(x, dim, i) for i in range(x.shape[dim]))


def unflatten(input, dim: int, sizes):
    """Dim ``dim`` split into several of ``sizes`` (one may be -1): the inverse of ``flatten``."""
    x = to_tensor(input)
    dim = axis_index("unflatten", dim, max(x.ndim, 1))
    sizes = tuple(sizes)
    known = int(np.prod([s for s in sizes if s != -1]))
    if (-1 not in sizes and known != x.shape[dim]) or (-1 in sizes and (known == 0 or x.shape[dim] % known)):
        raise ValueError(f"unflatten: sizes {sizes} do not multiply to dimension {dim} of size {x.shape[dim]}")
    return reshape(x, x.shape[:dim] + sizes + x.shape[dim + 1 :])


def meshgrid(*tensors, indexing: str = "ij") -> tuple:
    """Coordinate grids from 1-D tensors: output k varies along dim k ('ij', the default) or with the first two
    dims swapped ('xy', Cartesian, as NumPy's default)."""
    if len(tensors) == 1 and isinstance(tensors[0], (tuple, list)):
        tensors = tuple(tensors[0])
    if indexing not in ("ij", "xy"):
        raise ValueError(f"meshgrid: indexing must be 'ij' or 'xy', got {indexing!r}")
    xs = [reshape(to_tensor(t), (-1,)) for t in tensors]
    for t in tensors:
        if np.ndim(getattr(t, "data", t)) > 1:
            raise ValueError(f"meshgrid: inputs must be 0-D or 1-D, got shape {np.shape(getattr(t, 'data', t))}")
    shape = [x.shape[0] for x in xs]
    axes = list(range(len(xs)))
    if indexing == "xy" and len(xs) >= 2:
        shape[0], shape[1] = shape[1], shape[0]
        axes[0], axes[1] = 1, 0
    return tuple(
        broadcast_to(reshape(x, tuple(-1 if d == a else 1 for d in range(len(xs)))), tuple(shape))
        for x, a in zip(xs, axes)
    )


_NUMPY_MODES: dict[str, Literal["reflect", "edge", "wrap"]] = {
    "reflect": "reflect",
    "replicate": "edge",
    "circular": "wrap",
}


def pad(input, pad, mode: str = "constant", value=None):
    """PyTorch's ``F.pad``: ``pad`` = (left, right) for the last dim, then (top, bottom) for the one before, ...
    Modes: 'constant' (``value``, 0 by default), 'reflect' (mirror without the edge), 'replicate' (repeat the
    edge), 'circular' (wrap around). Negative pads crop. The gradient of the copies adds back to their sources."""
    x = to_tensor(input)
    pad = tuple(int(p) for p in pad)
    if len(pad) % 2 or len(pad) // 2 > x.ndim:
        raise ValueError(f"pad: {pad} must hold (before, after) pairs for at most the {x.ndim} dims of the input")
    if mode not in ("constant", *_NUMPY_MODES):
        raise ValueError(f"pad: mode must be 'constant', 'reflect', 'replicate' or 'circular', got {mode!r}")
    if mode != "constant" and value is not None:
        raise ValueError(f"pad: value applies to mode='constant' only, not {mode!r}")
    widths = [(0, 0)] * (x.ndim - len(pad) // 2) + [(pad[i], pad[i + 1]) for i in range(len(pad) - 2, -1, -2)]
    crop = tuple(slice(max(-before, 0), n - max(-after, 0)) for (before, after), n in zip(widths, x.shape))
    if any(s.start or s.stop != n for s, n in zip(crop, x.shape)):
        if any(s.stop - s.start < 0 for s in crop):
            raise ValueError(f"pad: negative pads {pad} crop more than the input shape {x.shape} holds")
        x = getitem(x, crop)
    widths = [(max(before, 0), max(after, 0)) for before, after in widths]
    if mode == "constant":
        return Pad.apply(x, pad_width=widths, value=0.0 if value is None else value)
    for dim, (before, after) in enumerate(widths):
        if before or after:
            n = x.shape[dim]
            limit = {"reflect": n - 1, "circular": n, "replicate": np.inf}[mode]
            if max(before, after) > limit or n == 0:
                raise ValueError(
                    f"pad: {mode} padding of ({before}, {after}) is too large for dimension {dim} "
                    f"of size {n} (at most {limit})"
                )
            x = _take(x, dim, np.pad(np.arange(n), (before, after), mode=_NUMPY_MODES[mode]))
    return x


__all__ = [
    "flip",
    "roll",
    "repeat",
    "tile",
    "repeat_interleave",
    "tril",
    "triu",
    "diag",
    "diagonal",
    "split",
    "chunk",
    "unbind",
    "unflatten",
    "movedim",
    "meshgrid",
]
