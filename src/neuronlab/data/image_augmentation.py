"""Image augmentation for CNNs: random crops of a padded image and random flips (issue 12).

Each works on a batch of images (n, C, H, W) or (n, H, W), or on flattened rows (n, H*W) / (n, C*H*W)
with ``image_shape`` given (the layout of the ``digits`` and ``mnist`` datasets), and returns the batch in
the layout it came in. Whole batches at once, no loop over samples; randomness from ``generator`` or the
library's default generator. Give them to the training ``DataLoader`` (``transform=``) only.
"""

from __future__ import annotations

import math

import numpy as np

from neuronlab.random import default_generator


def _images(x, image_shape, what: str) -> tuple[np.ndarray, tuple]:
    """The batch as (n, ..., H, W) images and the shape to return it in."""
    x = np.asarray(x)
    if not (np.issubdtype(x.dtype, np.floating) or np.issubdtype(x.dtype, np.integer)):
        raise ValueError(f"{what}: expected a numeric batch, got dtype {x.dtype}")
    if image_shape is not None:
        if x.ndim != 2 or x.shape[1] != math.prod(image_shape):
            raise ValueError(
                f"{what}: image_shape={tuple(image_shape)} needs a batch of shape "
                f"(n, {math.prod(image_shape)}), got {x.shape}"
            )
        return x.reshape((len(x),) + tuple(image_shape)), x.shape
    if x.ndim not in (3, 4):
        raise ValueError(
            f"{what}: expected images (n, H, W) or (n, C, H, W), or flattened rows with "
            f"image_shape, got shape {x.shape}"
        )
    return x, x.shape


def _check_shape(image_shape, what: str):
    if image_shape is None:
        return None
    image_shape = tuple(int(d) for d in image_shape)
    if len(image_shape) not in (2, 3) or min(image_shape) < 1:
        raise ValueError(f"{what}: image_shape must be (H, W) or (C, H, W) with positive sizes, got {image_shape}")
    return image_shape


class RandomCrop:
    """Pad each image by ``padding`` (with ``fill``) and cut out a ``size`` window at a random position:
    with padding p and size = the image size, a random shift by up to p pixels (the CIFAR recipe)."""

    def __init__(
        self, size, padding: int = 0, fill: float = 0.0, image_shape=None, generator: np.random.Generator | None = None
    ) -> None:
        size = (size, size) if isinstance(size, (int, np.integer)) else tuple(size)
        if len(size) != 2 or min(size) < 1:
            raise ValueError(f"RandomCrop: size must be a positive int or (H, W), got {size!r}")
        if not isinstance(padding, (int, np.integer)) or isinstance(padding, bool) or padding < 0:
            raise ValueError(f"RandomCrop: padding must be an integer >= 0, got {padding!r}")
        self.size, self.padding, self.fill = tuple(int(s) for s in size), int(padding), float(fill)
        self.image_shape = _check_shape(image_shape, "RandomCrop")
        self.generator = generator

    def __call__(self, x) -> np.ndarray:
        images, shape = _images(x, self.image_shape, "RandomCrop")
        p = self.padding
        padded = np.pad(
            images, [(0, 0)] * (images.ndim - 2) + [(p, p), (p, p)], constant_values=images.dtype.type(self.fill)
        )
        h, w = padded.shape[-2:]
        if self.size[0] > h or self.size[1] > w:
            raise ValueError(f"RandomCrop: crop size {self.size} is larger than the padded image ({h}, {w})")
        rng = self.generator if self.generator is not None else default_generator()
        top = rng.integers(0, h - self.size[0] + 1, size=len(images))
        left = rng.integers(0, w - self.size[1] + 1, size=len(images))
        windows = np.lib.stride_tricks.sliding_window_view(padded, self.size, axis=(-2, -1))
        index = (np.arange(len(images)),) + (slice(None),) * (images.ndim - 3) + (top, left)
        out = windows[index]
        if self.image_shape is not None:
            if self.size != tuple(self.image_shape[-2:]):
                return out.reshape(len(out), -1)
            return out.reshape(shape)
        return np.ascontiguousarray(out)

    def __repr__(self) -> str:
        return f"RandomCrop(size={self.size}, padding={self.padding})"


class _RandomFlip:
    axis = -1

    def __init__(self, p: float = 0.5, image_shape=None, generator: np.random.Generator | None = None) -> None:
        if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 <= p <= 1:
            raise ValueError(f"{type(self).__name__}: p must be a number in [0, 1], got {p!r}")
        self.p, self.image_shape, self.generator = float(p), _check_shape(image_shape, type(self).__name__), generator

    def __call__(self, x) -> np.ndarray:
        images, shape = _images(x, self.image_shape, type(self).__name__)
        rng = self.generator if self.generator is not None else default_generator()
        flip = (rng.random(len(images)) < self.p).reshape((-1,) + (1,) * (images.ndim - 1))
        return np.where(flip, np.flip(images, axis=self.axis), images).reshape(shape)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(p={self.p})"


class RandomHorizontalFlip(_RandomFlip):
    """Mirror each image left-right (x'[i, j] = x[i, W - 1 - j]) with probability ``p``."""

    axis = -1


class RandomVerticalFlip(_RandomFlip):
    """Mirror each image top-bottom (x'[i, j] = x[H - 1 - i, j]) with probability ``p``."""

    axis = -2
