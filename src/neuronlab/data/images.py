"""Datasets as images: a bundle's flat rows (n, features) as (n, C, H, W) batches for convolutional networks.

``DatasetBundle.X`` stays (samples, features), the layout MLPs and the preprocessing transforms use; an image
dataset records its ``image_shape`` ((H, W) for grey images such as ``digits`` and ``mnist``, or (C, H, W)),
and ``as_images`` gives the channel-first view a Conv2d expects: ``digits`` becomes (1797, 1, 8, 8).
"""

from __future__ import annotations

import numpy as np


def channels_first(image_shape) -> tuple[int, int, int]:
    """(C, H, W) for an image shape given as (H, W) (one channel) or (C, H, W)."""
    shape = tuple(int(n) for n in image_shape)
    if len(shape) == 2:
        return (1,) + shape
    if len(shape) == 3:
        return shape
    raise ValueError(f"image_shape must be (H, W) or (C, H, W), got {image_shape!r}")


def as_images(bundle_or_X, image_shape=None) -> np.ndarray:
    """The rows of a DatasetBundle (or of an array X with ``image_shape``) as images (n, C, H, W) (a view)."""
    X = getattr(bundle_or_X, "X", bundle_or_X)
    shape = image_shape if image_shape is not None else getattr(bundle_or_X, "image_shape", None)
    if shape is None:
        name = getattr(bundle_or_X, "name", "the data")
        raise ValueError(f"as_images: {name} has no image_shape; pass image_shape=(H, W) or (C, H, W)")
    shape = channels_first(shape)
    X = np.asarray(X)
    if X.ndim != 2 or X.shape[1] != np.prod(shape):
        raise ValueError(f"as_images: rows of shape {X.shape} do not hold images of shape {shape}")
    return X.reshape((len(X),) + shape)
