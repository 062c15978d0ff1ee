"""scikit-learn's bundled datasets (shipped inside scikit-learn, read from disk, never downloaded).

``digits``, the default dataset of ``neuronlab train``, is read straight from the file scikit-learn ships
(``sklearn/datasets/data/digits.csv.gz``: 64 pixel values and the label per row), without importing
scikit-learn (over a second of start-up on a small machine); the others through ``sklearn.datasets``.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

from neuronlab.data.datasets.bundle import DatasetBundle


def load_sklearn(name: str) -> DatasetBundle:
    """``digits`` (8x8 images, 10 classes), ``iris``, ``wine``, ``breast_cancer`` (classification) or
    ``diabetes`` (regression, raw unscaled features)."""
    if name == "digits":
        return _load_digits()
    from sklearn import datasets

    if name == "diabetes":
        raw = datasets.load_diabetes(scaled=False)
        return DatasetBundle(
            name=name,
            X=raw.data.astype(np.float32),
            y=raw.target.astype(np.float32),
            task="regression",
            feature_names=list(raw.feature_names),
        )
    raw = getattr(datasets, f"load_{name}")()
    return DatasetBundle(
        name=name,
        X=raw.data.astype(np.float32),
        y=raw.target.astype(np.int64),
        task="classification",
        class_names=[str(c) for c in raw.target_names],
        feature_names=[str(f) for f in raw.feature_names],
        image_shape=(8, 8) if name == "digits" else None,
    )


def _load_digits() -> DatasetBundle:
    """The 1,797 8x8 digits, as ``sklearn.datasets.load_digits`` returns them (pixels 0..16, labels 0..9)."""
    spec = importlib.util.find_spec("sklearn")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("the digits dataset ships with scikit-learn: pip install scikit-learn")
    table = np.loadtxt(Path(spec.submodule_search_locations[0], "datasets", "data", "digits.csv.gz"), delimiter=",")
    return DatasetBundle(
        name="digits",
        X=table[:, :-1].astype(np.float32),
        y=table[:, -1].astype(np.int64),
        task="classification",
        class_names=[str(c) for c in range(10)],
        feature_names=[f"pixel_{i}_{j}" for i in range(8) for j in range(8)],
        image_shape=(8, 8),
    )
