"""The classic long-range tests for recurrent networks, synthetic and seeded, lengths chosen by the user.

Both return arrays laid out batch first, (samples, T, features), as ``nn.GRU(..., batch_first=True)`` takes
them; wrap them in ``TensorDataset`` for a ``DataLoader``.
"""

from __future__ import annotations

import numpy as np

from neuronlab.data.datasets.synthetic import _rng


def _positive(name: str, value, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def make_adding_problem(
    n: int = 1000, length: int = 50, seed: int | np.random.Generator = 0
) -> tuple[np.ndarray, np.ndarray]:
    """The adding problem (Hochreiter and Schmidhuber 1997; Le et al. 2015): each step carries a value
    U(0, 1) and a marker; exactly two steps are marked, one in each half of the sequence, and the target is
    the sum of the two marked values. Returns X (n, length, 2) float32 (value, marker) and y (n,) float32.

    Predicting the mean 1 gives MSE Var(U1 + U2) = 2/12 ~ 0.167; solving it means remembering a value for up
    to ``length`` steps.
    """
    n, length = _positive("n", n), _positive("length", length, 2)
    rng = _rng(seed)
    values = rng.random((n, length))
    first = rng.integers(0, length // 2, size=n)
    second = rng.integers(length // 2, length, size=n)
    markers = np.zeros((n, length))
    rows = np.arange(n)
    markers[rows, first] = markers[rows, second] = 1.0
    X = np.stack([values, markers], axis=2).astype(np.float32)
    return X, (values[rows, first] + values[rows, second]).astype(np.float32)


def make_copy_task(
    n: int = 1000, length: int = 10, delay: int = 50, num_symbols: int = 8, seed: int | np.random.Generator = 0
) -> tuple[np.ndarray, np.ndarray]:
    """The copy (memory) task (Hochreiter and Schmidhuber 1997; Arjovsky et al. 2016): ``length`` random
    symbols from 1..num_symbols, ``delay - 1`` blanks (0), a delimiter (num_symbols + 1) and ``length``
    blanks; the target is blank everywhere except the last ``length`` steps, which repeat the symbols.

    Returns X (n, T, num_symbols + 2) float32 one-hot and y (n, T) int64 class indices, T = delay + 2 length.
    Outputting blanks and then random symbols scores a cross-entropy of length log(num_symbols) / T.
    """
    n, length = _positive("n", n), _positive("length", length)
    delay, num_symbols = _positive("delay", delay), _positive("num_symbols", num_symbols)
    rng = _rng(seed)
    steps = delay + 2 * length
    symbols = rng.integers(1, num_symbols + 1, size=(n, length))
    tokens = np.zeros((n, steps), dtype=np.int64)
    tokens[:, :length] = symbols
    tokens[:, length + delay - 1] = num_symbols + 1
    y = np.zeros((n, steps), dtype=np.int64)
    y[:, -length:] = symbols
    return np.eye(num_symbols + 2, dtype=np.float32)[tokens], y


__all__ = ["make_adding_problem", "make_copy_task"]
