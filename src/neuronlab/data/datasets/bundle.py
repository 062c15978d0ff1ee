"""``DatasetBundle``: a loaded dataset, its arrays and what they mean."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from neuronlab.data.task import TASKS, infer_task


@dataclass(frozen=True, repr=False)
class DatasetBundle:
    """Inputs ``X`` (float32, samples x features; images flattened, their shape in ``image_shape``)
    and targets ``y``: int64 class indices into ``class_names`` for classification, float32 (n,) or
    (n, k) for regression."""

    name: str
    X: np.ndarray
    y: np.ndarray
    task: str
    class_names: list[str] | None = None
    feature_names: list[str] | None = None
    image_shape: tuple[int, ...] | None = None
    task_reason: str | None = None

    def __post_init__(self) -> None:
        if self.task not in TASKS:
            raise ValueError(f"DatasetBundle {self.name!r}: task must be one of {TASKS}, got {self.task!r}")
        if self.X.ndim != 2 or self.X.dtype != np.float32:
            raise ValueError(
                f"DatasetBundle {self.name!r}: X must be float32 (samples, features), got {self.X.dtype} {self.X.shape}"
            )
        if len(self.y) != len(self.X):
            raise ValueError(f"DatasetBundle {self.name!r}: {len(self.X)} inputs but {len(self.y)} targets")
        if self.task == "classification":
            if self.y.ndim != 1 or self.y.dtype != np.int64 or self.class_names is None:
                raise ValueError(f"DatasetBundle {self.name!r}: classification needs int64 labels (n,) and class_names")
            if len(self.y) and (self.y.min() < 0 or self.y.max() >= len(self.class_names)):
                raise ValueError(
                    f"DatasetBundle {self.name!r}: labels must index class_names (0..{len(self.class_names) - 1})"
                )
        elif self.y.dtype != np.float32 or self.y.ndim not in (1, 2):
            raise ValueError(
                f"DatasetBundle {self.name!r}: regression needs float32 targets (n,) or (n, k), got {self.y.dtype} {self.y.shape}"
            )
        for what, values in (("X", self.X), ("y", self.y if self.task == "regression" else None)):
            if values is not None and not np.isfinite(values.sum(dtype=np.float64)):  # float32 sums cannot overflow
                bad = np.unravel_index(int(np.argmax(~np.isfinite(values))), values.shape)
                raise ValueError(
                    f"DatasetBundle {self.name!r}: {what} holds the non-finite value {values[bad]} at "
                    f"sample {bad[0]}" + (f", column {bad[1]}" if len(bad) > 1 else "")
                )
        if self.feature_names is not None and len(self.feature_names) != self.X.shape[1]:
            raise ValueError(
                f"DatasetBundle {self.name!r}: {len(self.feature_names)} feature names for {self.X.shape[1]} features"
            )
        if self.image_shape is not None and int(np.prod(self.image_shape)) != self.X.shape[1]:
            raise ValueError(
                f"DatasetBundle {self.name!r}: image_shape {self.image_shape} does not match {self.X.shape[1]} features"
            )

    @property
    def n_features(self) -> int:
        return self.X.shape[1]

    @property
    def num_classes(self) -> int | None:
        """Number of classes, or None for regression."""
        if self.task != "classification":
            return None
        assert self.class_names is not None  # __post_init__ requires class_names for classification
        return len(self.class_names)

    def with_task(self, task: str) -> DatasetBundle:
        """The same data read as the other task (the CLI's override of the inferred task), checked
        by :func:`~neuronlab.data.infer_task`.

        classification -> regression needs numeric class names (the label values become the targets);
        regression -> classification needs 1-D whole-number targets: at most 20 distinct values, or class
        indices 0..K-1 or 1..K (encoded as sorted classes).
        """
        if task not in TASKS:
            raise ValueError(f"task must be one of {TASKS}, got {task!r}")
        if task == self.task:
            return self
        if task == "regression":
            assert self.class_names is not None  # self.task is classification, checked by __post_init__
            try:
                values = np.array([float(c) for c in self.class_names], dtype=np.float64)
            except ValueError:
                raise ValueError(
                    f"dataset {self.name!r}: class names {self.class_names[:5]} are not numbers; "
                    "it cannot be used for regression"
                ) from None
            inference = infer_task(values, "regression")
            return replace(
                self,
                y=values.astype(np.float32)[self.y],
                task="regression",
                class_names=None,
                task_reason=inference.reason,
            )
        if self.y.ndim != 1:
            raise ValueError(
                f"dataset {self.name!r}: regression targets of shape {self.y.shape} cannot be class labels"
            )
        try:
            inference = infer_task(self.y, "classification")
        except ValueError as error:
            raise ValueError(f"dataset {self.name!r}: {error}") from None
        values, labels = np.unique(self.y, return_inverse=True)
        return replace(
            self,
            y=labels.astype(np.int64),
            task="classification",
            class_names=[str(int(v)) for v in values],
            task_reason=inference.reason,
        )

    def __repr__(self) -> str:
        extra = f", classes={self.num_classes}" if self.task == "classification" else ""
        return f"DatasetBundle({self.name!r}, X={self.X.shape}, y={self.y.shape}, task={self.task!r}{extra})"


def image_classes(name: str, parts: list, class_names: Sequence[str], image_shape: tuple[int, ...]) -> DatasetBundle:
    """A classification bundle of images read in ``parts`` ((images, labels) pairs, e.g. a dataset's train and
    test files), concatenated in order: images flattened to float32 rows, labels int64."""
    images = np.concatenate([images for images, _ in parts])
    labels = np.concatenate([labels for _, labels in parts])
    return DatasetBundle(
        name=name,
        X=images.reshape(len(images), -1).astype(np.float32),
        y=labels.astype(np.int64),
        task="classification",
        class_names=list(class_names),
        image_shape=tuple(image_shape),
    )
