"""Datasets in PyTorch's shape: ``Dataset``, array-backed ``TensorDataset``, ``Subset``, ``random_split``.

A dataset maps an index to a sample. Array-backed datasets also implement ``__getitems__``
(PyTorch's batched fetch): given an index array they return whole batches by fancy indexing,
so a ``DataLoader`` never loops over samples in Python.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from neuronlab.random import default_generator


class Dataset:
    """Base class: subclasses define ``__len__`` and ``__getitem__(i)`` returning one sample.

    A sample is an array or a tuple of arrays (inputs, target). Defining ``__getitems__(indices)``
    as well lets ``DataLoader`` fetch a batch in one call.
    """

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must define __len__")

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")


class TensorDataset(Dataset):
    """Samples are rows of equally long arrays: ``TensorDataset(X, y)[i] == (X[i], y[i])``."""

    def __init__(self, *arrays) -> None:
        if not arrays:
            raise ValueError("TensorDataset needs at least one array")
        self.arrays = tuple(np.asarray(a) for a in arrays)
        for k, a in enumerate(self.arrays):
            if a.ndim == 0:
                raise ValueError(f"TensorDataset: array {k} is a scalar; expected at least one dimension (samples)")
        lengths = [len(a) for a in self.arrays]
        if len(set(lengths)) != 1:
            raise ValueError(
                f"TensorDataset: arrays have different lengths {lengths}; expected the same number of samples"
            )

    def __len__(self) -> int:
        return len(self.arrays[0])

    def __getitem__(self, index):
        return tuple(a[index] for a in self.arrays)

    def __getitems__(self, indices: np.ndarray) -> tuple[np.ndarray, ...]:
        """A whole batch: each array fancy-indexed once."""
        return tuple(a[indices] for a in self.arrays)


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order."""

    def __init__(self, dataset: Dataset, indices: Sequence[int] | np.ndarray) -> None:
        self.dataset = dataset
        self.indices = np.asarray(indices, dtype=np.int64).reshape(-1)
        n = len(dataset)
        if self.indices.size and (self.indices.min() < -n or self.indices.max() >= n):
            raise IndexError(f"Subset: indices must lie in [0, {n}) for a dataset of {n} samples")

    def __len__(self) -> int:
        return len(self.indices)

    def __getitem__(self, index):
        return self.dataset[int(self.indices[index])]

    def __getitems__(self, indices: np.ndarray):
        parent = self.indices[indices]
        if hasattr(self.dataset, "__getitems__"):
            return self.dataset.__getitems__(parent)
        return [self.dataset[int(i)] for i in parent]


def _split_lengths(n: int, lengths: Sequence[float]) -> list[int]:
    """Integer lengths summing to ``n``: given as counts, or as fractions summing to 1 (PyTorch's rule:
    floor of each share, then the remainder handed out one by one from the first split)."""
    if all(isinstance(x, (int, np.integer)) and not isinstance(x, bool) for x in lengths):
        counts = [int(x) for x in lengths]
        if any(c < 0 for c in counts) or sum(counts) != n:
            raise ValueError(f"random_split: lengths {counts} must be non-negative and sum to the dataset size {n}")
        return counts
    fractions = [float(x) for x in lengths]
    if any(f < 0 or f > 1 for f in fractions) or not math.isclose(sum(fractions), 1.0, abs_tol=1e-9):
        raise ValueError(f"random_split: fractions {fractions} must lie in [0, 1] and sum to 1")
    counts = [int(math.floor(n * f)) for f in fractions]
    for i in range(n - sum(counts)):
        counts[i % len(counts)] += 1
    return counts


def random_split(
    dataset: Dataset, lengths: Sequence[float], generator: np.random.Generator | None = None
) -> list[Subset]:
    """Split ``dataset`` into non-overlapping random ``Subset`` s of the given lengths (counts or fractions)."""
    counts = _split_lengths(len(dataset), lengths)
    rng = generator if generator is not None else default_generator()
    order = rng.permutation(len(dataset))
    bounds = np.cumsum([0] + counts)
    return [Subset(dataset, order[a:b]) for a, b in zip(bounds[:-1], bounds[1:])]
