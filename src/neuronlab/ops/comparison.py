"""Tests of values: NaN, infinity, finiteness, closeness. The results are boolean arrays (plain ndarrays, like
the comparison operators and ``argmax``: they are not differentiable); ``allclose`` is a Python bool."""

from __future__ import annotations

import numpy as np


def _data(x):
    return np.asarray(getattr(x, "data", x))


def isnan(input) -> np.ndarray:
    """True where ``input`` is NaN."""
    return np.isnan(_data(input))


def isinf(input) -> np.ndarray:
    """True where ``input`` is +inf or -inf."""
    return np.isinf(_data(input))


def isfinite(input) -> np.ndarray:
    """True where ``input`` is neither infinite nor NaN."""
    return np.isfinite(_data(input))


def isclose(input, other, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> np.ndarray:
    """True where |input - other| <= atol + rtol |other| (PyTorch's defaults; broadcasting)."""
    return np.isclose(_data(input), _data(other), rtol=rtol, atol=atol, equal_nan=equal_nan)


def allclose(input, other, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> bool:
    """True if ``isclose`` holds everywhere."""
    return bool(np.all(isclose(input, other, rtol, atol, equal_nan)))


__all__ = ["isnan", "isinf", "isfinite", "isclose", "allclose"]
