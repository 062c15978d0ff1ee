"""Detecting in-place writes to arrays that a recorded graph saved for its backward pass.

Every in-place update through the Tensor API (``add_``, ``x[i] = v``, ``+=`` outside a graph, an
optimizer step) calls :func:`mark_modified`, which advances a global write counter and records it as the
latest write of the memory buffer the array lives in: the ndarray at the root of its chain of views, shared
by the array, its views, its base and ``detach()``ed aliases (PyTorch's version counter is shared the same
way). A Function remembers the counter's value when it is recorded; if the counter has moved by the time
its backward runs, :func:`check_unmodified` looks up the buffer of each saved array and refuses to run when
one was written after the recording. The common case, no write in between, costs one integer comparison.
"""

from __future__ import annotations

import functools
import weakref

import numpy as np

write_count = [0]  # the in-place write counter: how many in-place writes so far
_last_write: dict[int, tuple[weakref.ref, int]] = {}  # id(buffer) -> (weak reference to it, latest write)


def _buffer(array: np.ndarray) -> np.ndarray:
    """The ndarray owning the memory ``array`` views (``array`` itself when it owns its data)."""
    while isinstance(array.base, np.ndarray):
        array = array.base
    return array


def _forget(key: int, reference: weakref.ref) -> None:
    """Drop a freed buffer's entry (unless a new buffer with the same id has replaced it)."""
    entry = _last_write.get(key)
    if entry is not None and entry[0] is reference:
        del _last_write[key]


def mark_modified(array: np.ndarray) -> None:
    """Record that ``array`` was written in place."""
    write_count[0] += 1
    buffer = _buffer(array)
    key = id(buffer)
    entry = _last_write.get(key)
    if entry is not None and entry[0]() is buffer:
        _last_write[key] = (entry[0], write_count[0])
    else:
        _last_write[key] = (weakref.ref(buffer, functools.partial(_forget, key)), write_count[0])


def written_since(array: np.ndarray, since: int) -> bool:
    """Whether the buffer of ``array`` was written in place after write number ``since``."""
    buffer = _buffer(array)
    entry = _last_write.get(id(buffer))
    return entry is not None and entry[1] > since and entry[0]() is buffer


def check_unmodified(function, recorded_at: int) -> None:
    """Raise if an array saved by ``function`` was written in place after ``recorded_at``."""
    for a in function.saved:
        if isinstance(a, np.ndarray) and written_since(a, recorded_at):
            raise RuntimeError(
                f"{type(function).__name__}.backward: an array it saved for backward was modified in place "
                "after the graph was recorded; the gradient would be wrong. Use an out-of-place operation, "
                "or modify a copy (x.clone()/np.copy) instead."
            )
