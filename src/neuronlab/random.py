"""The library's seeded random generator: initialization, dropout masks and shuffling all draw from it.

``neuronlab.manual_seed(n)`` makes every run that follows reproducible, as ``torch.manual_seed`` does.
"""

from __future__ import annotations

from typing import cast

import numpy as np

_generator = np.random.default_rng()


def manual_seed(seed: int) -> np.random.Generator:
    """Reseed the global generator; returns it."""
    global _generator
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise TypeError(f"manual_seed expects an integer seed, got {type(seed).__name__}")
    _generator = np.random.default_rng(int(seed))
    return _generator


def default_generator() -> np.random.Generator:
    """The generator used when a function is not given one explicitly."""
    return _generator


def get_rng_state() -> dict:
    """The global generator's state as a JSON-serialisable dict (saved in checkpoints)."""
    return cast(dict, _generator.bit_generator.state)


def set_rng_state(state: dict) -> None:
    """Restore a state returned by :func:`get_rng_state`."""
    _generator.bit_generator.state = state
