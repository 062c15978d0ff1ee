"""The preprocessing of a training run, fitted on the training split only (notes 004's recipe):

- inputs: ``standardize`` (x - mu) / sigma, ``minmax`` to [0, 1], ``pca``/``zca`` whitening, or ``none``;
- targets (regression only): standardized, so the loss is in units of the target's spread; predictions are
  mapped back to the target's original units.

One object carries both transforms from the run to the checkpoint (``as_dict()`` is what ``neuronlab.save``
stores as ``preprocessing``) and back (:meth:`Preprocessing.from_checkpoint`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from neuronlab.data import MinMaxScale, Standardize, TensorDataset, Whiten
from neuronlab.train.inference import model_outputs

INPUT_TRANSFORMS: dict[str, Callable[[], Standardize | MinMaxScale | Whiten | None]] = {
    "standardize": Standardize,
    "minmax": MinMaxScale,
    "pca": lambda: Whiten("pca"),
    "zca": lambda: Whiten("zca"),
    "none": lambda: None,
}


class Preprocessing:
    """``inputs`` and ``targets`` transforms (either may be None)."""

    def __init__(self, inputs=None, targets=None) -> None:
        self.inputs, self.targets = inputs, targets

    @classmethod
    def fit(cls, name: str, task: str, X_train: np.ndarray, y_train: np.ndarray) -> Preprocessing:
        """Fit input transform ``name`` (one of :data:`INPUT_TRANSFORMS`) and, for regression, the target
        standardization on the training split."""
        inputs = INPUT_TRANSFORMS[name]()
        if inputs is not None:
            inputs.fit(X_train)
        targets = None
        if task == "regression":
            targets = Standardize().fit(y_train.reshape(len(y_train), -1))
        return cls(inputs, targets)

    @classmethod
    def from_checkpoint(cls, checkpoint) -> Preprocessing:
        return cls(checkpoint.input_transform, checkpoint.target_transform)

    def transform_inputs(self, X: np.ndarray) -> np.ndarray:
        X = X if self.inputs is None else self.inputs.transform(X)
        return np.ascontiguousarray(X, dtype=np.float32)

    def transform_targets(self, y: np.ndarray) -> np.ndarray:
        if self.targets is None:
            return y
        return self.targets.transform(y.reshape(len(y), -1)).astype(np.float32)

    def dataset(self, X: np.ndarray, y: np.ndarray) -> TensorDataset:
        """The model's view of raw ``X, y``: transformed inputs and targets."""
        return TensorDataset(self.transform_inputs(X), self.transform_targets(y))

    def outputs(self, model, X: np.ndarray) -> np.ndarray:
        """The model's outputs for raw inputs, regression predictions in the target's original units."""
        return model_outputs(model, X, self.inputs, self.targets)

    def as_dict(self) -> dict:
        """``{"inputs": ..., "targets": ...}`` without the absent ones (``neuronlab.save(preprocessing=)``)."""
        return {key: t for key, t in (("inputs", self.inputs), ("targets", self.targets)) if t is not None}
