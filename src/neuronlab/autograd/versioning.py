"""Detecting in-place writes to arrays that a recorded graph saved for its backward pass.

Every in-place update through the Tensor API (``add_``, ``x[i] = v``, ``+=`` outside a graph, an
optimizer step) calls :func:`mark_modified`, which advances a global counter and logs the written array.
A Function remembers the counter's value when it is recorded; if the counter has moved by the time its
backward runs, the engine asks :func:`check_unmodified` whether a logged write overlaps one of the saved
arrays (``np.shares_memory``, so views, detached aliases and base arrays are all caught). The common case,
no write in between, costs one integer comparison.
"""
from __future__ import annotations

import numpy as np

epoch = [0]
_LOG_SIZE = 64
_log: dict[int, tuple[int, np.ndarray]] = {}  # id(array) -> (epoch of its last write, array), oldest first
_forgotten = [0]  # the newest epoch dropped from the log: older graphs can no longer be fully checked


def mark_modified(array: np.ndarray) -> None:
    """Record that ``array`` was written in place."""
    epoch[0] += 1
    _log.pop(id(array), None)
    _log[id(array)] = (epoch[0], array)
    if len(_log) > _LOG_SIZE:
        oldest = next(iter(_log))
        _forgotten[0] = _log.pop(oldest)[0]


def _overlaps(a: np.ndarray, b: np.ndarray) -> bool:
    try:
        return np.shares_memory(a, b, max_work=1000)
    except np.exceptions.TooHardError:
        return np.may_share_memory(a, b)


def check_unmodified(function, saved_epoch: int) -> None:
    """Raise if an array saved by ``function`` was written in place after ``saved_epoch``."""
    if saved_epoch < _forgotten[0]:
        return
    for written_at, written in _log.values():
        if written_at <= saved_epoch:
            continue
        for a in function.saved:
            if isinstance(a, np.ndarray) and _overlaps(a, written):
                raise RuntimeError(
                    f"{type(function).__name__}.backward: an array it saved for backward was modified in place "
                    "after the graph was recorded; the gradient would be wrong. Use an out-of-place operation, "
                    "or modify a copy (x.clone()/np.copy) instead.")
