"""MNIST-1D (Greydanus 2020): ten 1-D digit templates, padded, shifted, sheared, scaled and noised into sequences
of 40 values; small enough to train on a CPU in seconds, hard enough to separate an MLP, a CNN and a GRU.

Generated locally by the ``mnist1d`` package (``pip install neuronlab[sequences]``) with the paper's
arguments: 5,000 samples, the first 4,000 for training and the last 1,000 for testing. As a sequence, each
row is 40 time steps of 1 feature (``SequenceClassifier(..., input_size=1)``).
"""

from __future__ import annotations

import numpy as np

from neuronlab.data.datasets.bundle import DatasetBundle
from neuronlab.data.errors import DataError


def make_mnist1d(num_samples: int = 5000, seed: int = 42) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(X_train, y_train, X_test, y_test): float32 (n, 40) and int64 labels, the paper's 80/20 split."""
    try:
        from mnist1d.data import get_dataset_args, make_dataset
    except ImportError:
        raise DataError("mnist1d needs the mnist1d package: pip install 'neuronlab[sequences]' (or mnist1d)") from None
    args = get_dataset_args()
    args.num_samples, args.seed = int(num_samples), int(seed)
    state = np.random.get_state()  # noqa: NPY002  make_dataset reseeds NumPy's global generator: leave it as it was
    try:
        data = make_dataset(args)
    finally:
        np.random.set_state(state)  # noqa: NPY002
    return (
        data["x"].astype(np.float32),
        data["y"].astype(np.int64),
        data["x_test"].astype(np.float32),
        data["y_test"].astype(np.int64),
    )


def load_mnist1d(seed: int = 42) -> DatasetBundle:
    """The 5,000 MNIST-1D samples as one table (training rows first, then the 1,000 test rows)."""
    X_train, y_train, X_test, y_test = make_mnist1d(seed=seed)
    return DatasetBundle(
        name="mnist1d",
        X=np.concatenate([X_train, X_test]),
        y=np.concatenate([y_train, y_test]),
        task="classification",
        class_names=[str(k) for k in range(10)],
        feature_names=[f"t{k}" for k in range(X_train.shape[1])],
    )


__all__ = ["make_mnist1d", "load_mnist1d"]
