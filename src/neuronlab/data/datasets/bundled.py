"""scikit-learn's bundled datasets (shipped inside scikit-learn, read from disk, never downloaded)."""

from __future__ import annotations

import numpy as np

from neuronlab.data.datasets.bundle import DatasetBundle


def load_sklearn(name: str) -> DatasetBundle:
    """``digits`` (8x8 images, 10 classes), ``iris``, ``wine``, ``breast_cancer`` (classification) or
    ``diabetes`` (regression, raw unscaled features)."""
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
