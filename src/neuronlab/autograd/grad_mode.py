"""Gradient recording on/off: ``no_grad``, ``enable_grad``, ``set_grad_enabled``.

The flag lives in a one-element list so the hot path in ``Function.apply`` reads it without a function call.
"""

from __future__ import annotations

import functools

_enabled = [True]


def is_grad_enabled() -> bool:
    """True when operations record the computational graph."""
    return _enabled[0]


class set_grad_enabled:
    """Context manager (and decorator) that turns graph recording on or off, restoring the old state on exit."""

    def __init__(self, mode: bool) -> None:
        self.mode = bool(mode)
        self.previous = _enabled[0]
        _enabled[0] = self.mode

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc) -> None:
        _enabled[0] = self.previous

    def __call__(self, func):
        _enabled[0] = self.previous  # as a decorator it must not change the mode at decoration time

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(self.mode):
                return func(*args, **kwargs)

        return wrapper


class no_grad:
    """``with no_grad():`` (or ``@no_grad()``) evaluates without recording a graph: inference, parameter updates."""

    def __enter__(self) -> None:
        self.previous = _enabled[0]
        _enabled[0] = False

    def __exit__(self, *exc) -> None:
        _enabled[0] = self.previous

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with type(self)():
                return func(*args, **kwargs)

        return wrapper


class enable_grad(no_grad):
    """Re-enable graph recording inside a ``no_grad`` block."""

    def __enter__(self) -> None:
        self.previous = _enabled[0]
        _enabled[0] = True
