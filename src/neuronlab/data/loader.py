"""``DataLoader``: mini-batches over a dataset, one epoch per iteration.

An epoch visits every sample once; an iteration processes one mini-batch, so an epoch of N samples
has ceil(N / batch_size) iterations (N // batch_size with ``drop_last``), notes 001 "iterations vs epochs".
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from neuronlab.data.dataset import Dataset
from neuronlab.random import default_generator


def to_tensor(array: np.ndarray):
    """Wrap one batch array as a ``neuronlab.Tensor`` (the only place the loader touches the engine)."""
    from neuronlab.autograd import Tensor

    return Tensor(array)


def collate(samples: list) -> tuple[np.ndarray, ...] | np.ndarray:
    """Stack per-sample arrays into batch arrays: a list of (x, y) pairs becomes (X, Y)."""
    first = samples[0]
    if isinstance(first, (tuple, list)):
        return tuple(np.stack([np.asarray(s[k]) for s in samples]) for k in range(len(first)))
    return np.stack([np.asarray(s) for s in samples])


class DataLoader:
    """Iterate over ``dataset`` in mini-batches of ``batch_size``, yielding Tensors.

    ``shuffle`` draws a fresh permutation at the start of every epoch from ``generator``
    (or the library's default generator, so ``neuronlab.manual_seed`` makes it reproducible).
    Datasets with ``__getitems__`` (``TensorDataset``, its ``Subset`` s) are fetched a whole batch
    at a time by fancy indexing; others sample by sample and stacked by :func:`collate`.
    ``transform`` (e.g. an augmentation) is applied to each batch's inputs, the first field,
    before wrapping: give it to the training loader only.
    """

    def __init__(
        self,
        dataset: Dataset,
        batch_size: int = 1,
        shuffle: bool = False,
        drop_last: bool = False,
        generator: np.random.Generator | None = None,
        transform: Callable[[np.ndarray], np.ndarray] | None = None,
    ) -> None:
        if not isinstance(batch_size, (int, np.integer)) or isinstance(batch_size, bool) or batch_size < 1:
            raise ValueError(f"DataLoader: batch_size must be a positive integer, got {batch_size!r}")
        if generator is not None and not isinstance(generator, np.random.Generator):
            raise TypeError(f"DataLoader: generator must be a numpy.random.Generator, got {type(generator).__name__}")
        if transform is not None and not callable(transform):
            raise TypeError(f"DataLoader: transform must be callable, got {type(transform).__name__}")
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.generator = generator
        self.transform = transform

    def __len__(self) -> int:
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def _fetch(self, indices: np.ndarray):
        if hasattr(self.dataset, "__getitems__"):
            batch = self.dataset.__getitems__(indices)
            return collate(batch) if isinstance(batch, list) else batch
        return collate([self.dataset[int(i)] for i in indices])

    def __iter__(self):
        n = len(self.dataset)
        if self.shuffle:
            rng = self.generator if self.generator is not None else default_generator()
            order = rng.permutation(n)
        else:
            order = np.arange(n)
        for b in range(len(self)):
            batch = self._fetch(order[b * self.batch_size : (b + 1) * self.batch_size])
            fields = list(batch) if isinstance(batch, tuple) else [batch]
            if self.transform is not None:
                fields[0] = self.transform(fields[0])
            tensors = tuple(to_tensor(f) for f in fields)
            yield tensors if isinstance(batch, tuple) else tensors[0]
