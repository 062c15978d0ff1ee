"""Tensor factories with PyTorch's names and signatures: constant fills, ranges, the identity, random draws.

Sizes are given as ``zeros(2, 3)`` or ``zeros((2, 3))``. Floating results default to float32 (as PyTorch);
``dtype`` takes anything NumPy accepts (``"float64"``, ``np.int64``, ``nl.float64``). Random factories draw
from the library's seeded generator (``neuronlab.manual_seed``) unless a ``generator`` is passed. Every
result is a leaf; ``requires_grad=True`` makes it one that collects a gradient (floating dtypes only).
"""

from __future__ import annotations

import math

import numpy as np

from neuronlab.autograd._tensor import Tensor
from neuronlab.random import default_generator


def _size(op: str, size: tuple) -> tuple:
    """``f(2, 3)``, ``f((2, 3))``, ``f([2, 3])`` and ``f()`` (a 0-d tensor) as one shape tuple."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    for n in size:
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
            raise ValueError(f"{op}: sizes must be non-negative integers, got {size}")
    return tuple(int(n) for n in size)


def _leaf(data: np.ndarray, requires_grad: bool) -> Tensor:
    return Tensor(data, requires_grad=requires_grad)


def _float_dtype(dtype) -> np.dtype:
    return np.dtype(np.float32 if dtype is None else dtype)


def zeros(*size, dtype=None, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros of the given size."""
    return _leaf(np.zeros(_size("zeros", size), _float_dtype(dtype)), requires_grad)


def ones(*size, dtype=None, requires_grad: bool = False) -> Tensor:
    """A tensor of ones of the given size."""
    return _leaf(np.ones(_size("ones", size), _float_dtype(dtype)), requires_grad)


def empty(*size, dtype=None, requires_grad: bool = False) -> Tensor:
    """An uninitialized tensor of the given size (its values are whatever the memory held)."""
    return _leaf(np.empty(_size("empty", size), _float_dtype(dtype)), requires_grad)


def full(size, fill_value, *, dtype=None, requires_grad: bool = False) -> Tensor:
    """A tensor of ``size`` filled with ``fill_value``; the dtype follows the value (bool, int64, float32)
    unless given, as in PyTorch."""
    if dtype is None:
        dtype = (
            np.bool_
            if isinstance(fill_value, (bool, np.bool_))
            else np.int64
            if isinstance(fill_value, (int, np.integer))
            else np.float32
        )
    return _leaf(np.full(_size("full", (size,)), fill_value, dtype=dtype), requires_grad)


def _like(x):
    return x.data if isinstance(x, Tensor) else np.asarray(x)


def zeros_like(input, *, dtype=None, requires_grad: bool = False) -> Tensor:
    """Zeros with the shape (and, unless given, the dtype) of ``input``."""
    return _leaf(np.zeros_like(_like(input), dtype=dtype), requires_grad)


def ones_like(input, *, dtype=None, requires_grad: bool = False) -> Tensor:
    """Ones with the shape (and, unless given, the dtype) of ``input``."""
    return _leaf(np.ones_like(_like(input), dtype=dtype), requires_grad)


def empty_like(input, *, dtype=None, requires_grad: bool = False) -> Tensor:
    """An uninitialized tensor with the shape (and, unless given, the dtype) of ``input``."""
    return _leaf(np.empty_like(_like(input), dtype=dtype), requires_grad)


def full_like(input, fill_value, *, dtype=None, requires_grad: bool = False) -> Tensor:
    """``fill_value`` with the shape (and, unless given, the dtype) of ``input``."""
    return _leaf(np.full_like(_like(input), fill_value, dtype=dtype), requires_grad)


def rand(*size, dtype=None, requires_grad: bool = False, generator=None) -> Tensor:
    """Uniform draws from [0, 1)."""
    rng = generator or default_generator()
    return _leaf(rng.random(_size("rand", size)).astype(_float_dtype(dtype)), requires_grad)


def randn(*size, dtype=None, requires_grad: bool = False, generator=None) -> Tensor:
    """Standard normal draws N(0, 1)."""
    rng = generator or default_generator()
    return _leaf(rng.standard_normal(_size("randn", size)).astype(_float_dtype(dtype)), requires_grad)


def randint(low, high=None, size=None, *, dtype=None, generator=None) -> Tensor:
    """Integers drawn uniformly from [low, high); ``randint(high, size)`` starts at 0 (PyTorch's two forms).
    int64 unless ``dtype`` is given."""
    if size is None:
        if high is None or not isinstance(high, (tuple, list)):
            raise TypeError("randint: size is required, as randint(high, size) or randint(low, high, size)")
        low, high, size = 0, low, high
    if high is None:
        low, high = 0, low
    if high <= low:
        raise ValueError(f"randint: high ({high}) must be greater than low ({low})")
    rng = generator or default_generator()
    values = rng.integers(low, high, _size("randint", (size,)), dtype=np.int64)
    return Tensor(values if dtype is None else values.astype(dtype))


def arange(start, end=None, step=1, *, dtype=None, requires_grad: bool = False) -> Tensor:
    """start, start + step, ... up to but excluding ``end``; ``arange(end)`` starts at 0. int64 when every
    bound is an integer, else float32 (PyTorch's rule), unless ``dtype`` is given."""
    if end is None:
        start, end = 0, start
    if step == 0:
        raise ValueError("arange: step must be nonzero")
    if dtype is None:
        integral = all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in (start, end, step))
        dtype = np.int64 if integral else np.float32
    count = max(math.ceil((end - start) / step), 0)  # PyTorch's length rule, computed in double precision
    return _leaf((start + step * np.arange(count, dtype=np.float64)).astype(dtype), requires_grad)


def linspace(start, end, steps: int, *, dtype=None, requires_grad: bool = False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive (float32 by default)."""
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"linspace: steps must be a non-negative integer, got {steps!r}")
    return _leaf(np.linspace(start, end, int(steps)).astype(_float_dtype(dtype)), requires_grad)


def eye(n: int, m: int | None = None, *, dtype=None, requires_grad: bool = False) -> Tensor:
    """The n x m identity matrix (square when ``m`` is None)."""
    (n, m) = _size("eye", (n, n if m is None else m))
    return _leaf(np.eye(n, m, dtype=_float_dtype(dtype)), requires_grad)


__all__ = [
    "zeros",
    "ones",
    "empty",
    "full",
    "zeros_like",
    "ones_like",
    "empty_like",
    "full_like",
    "rand",
    "randn",
    "randint",
    "arange",
    "linspace",
    "eye",
]
