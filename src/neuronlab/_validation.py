"""Argument checks shared by the whole library: numbers in a range, counts, probabilities, flags, choices, dtypes.

One rule everywhere, as in PyTorch: a value of the wrong type (a string, a bool where a number is expected) is
a ``TypeError``, a value of the right type outside its range a ``ValueError``; each message names the argument
(``name`` includes its owner, e.g. ``"Linear: in_features"``), what it got and what it expected. Each check
returns the value converted (``float``, ``int``, ``np.dtype``).
"""

from __future__ import annotations

import math
import numbers

import numpy as np


def number(
    name: str,
    value,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
    finite: bool = False,
) -> float:
    """``value`` as a float, a real number (not a bool) in the interval from ``low`` to ``high`` (closed ends
    unless ``low_open``/``high_open``; NaN is never inside); with ``finite``, infinities and NaN are refused
    as such before the interval is checked."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    x = float(value)
    if finite and not math.isfinite(x):
        raise ValueError(f"{name} must be finite, got {value!r}")
    inside = not math.isnan(x)
    if low is not None:
        inside = inside and (x > low if low_open else x >= low)
    if high is not None:
        inside = inside and (x < high if high_open else x <= high)
    if not inside:
        raise ValueError(f"{name} must be {_interval(low, high, low_open, high_open)}, got {value!r}")
    return x


def _interval(low, high, low_open: bool, high_open: bool) -> str:
    if low is not None and high is not None:
        return f"in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
    if low is not None:
        return f"{'>' if low_open else '>='} {low:g}"
    if high is not None:
        return f"{'<' if high_open else '<='} {high:g}"
    return "a number"


def positive(name: str, value) -> float:
    """A real number > 0."""
    return number(name, value, low=0, low_open=True)


def nonnegative(name: str, value) -> float:
    """A real number >= 0."""
    return number(name, value, low=0)


def probability(name: str, value) -> float:
    """A real number in [0, 1]."""
    try:
        return number(name, value, low=0, high=1)
    except ValueError:
        raise ValueError(f"{name} must be a probability in [0, 1], got {value!r}") from None


def integer(name: str, value, *, low: int | None = None) -> int:
    """``value`` as an int: an integer (Python's or NumPy's, not a bool) >= ``low``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {value!r}")
    if low is not None and value < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
    return int(value)


def positive_int(name: str, value) -> int:
    """An integer >= 1."""
    return integer(name, value, low=1)


def nonnegative_int(name: str, value) -> int:
    """An integer >= 0."""
    return integer(name, value, low=0)


def boolean(name: str, value) -> bool:
    """``value`` as a bool: True or False (a NumPy bool too), never 0/1 or a string."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__} {value!r}")
    return bool(value)


def one_of(name: str, value, choices: tuple):
    """``value`` itself, which must be one of ``choices``."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}, got {value!r}")
    return value


def floating_dtype(name: str, dtype) -> np.dtype:
    """``dtype`` as a NumPy dtype, which must be a floating type (what parameters and gradients use)."""
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(f"{name} must be a floating type, got {dtype}")
    return dtype
