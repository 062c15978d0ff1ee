"""Data augmentation and noise injection, applied to each training batch (notes 003 §5.4.2, notes 000 §9):
new samples that imitate the inputs, to make the model invariant to what the label does not depend on.

Give them to the training ``DataLoader`` (``transform=``) only; validation and test batches stay clean.
Each call draws fresh randomness from ``generator`` or the library's default generator.
"""

from __future__ import annotations

import math

import numpy as np

from neuronlab.random import default_generator


def _float_batch(x, what: str) -> np.ndarray:
    x = np.asarray(x)
    if not (np.issubdtype(x.dtype, np.floating) or np.issubdtype(x.dtype, np.integer)) or x.ndim < 2:
        raise ValueError(
            f"{what}: expected a numeric batch of shape (samples, ...), got dtype {x.dtype} shape {x.shape}"
        )
    return x if np.issubdtype(x.dtype, np.floating) else x.astype(np.float32)


class AddGaussianNoise:
    """Noise injection: x' = x + std * e,  e ~ N(0, 1) drawn independently for every element."""

    def __init__(self, std: float = 0.1, generator: np.random.Generator | None = None) -> None:
        if not (isinstance(std, (int, float)) and math.isfinite(std) and std >= 0):
            raise ValueError(f"AddGaussianNoise: std must be a finite number >= 0, got {std!r}")
        self.std = float(std)
        self.generator = generator

    def __call__(self, x) -> np.ndarray:
        x = _float_batch(x, "AddGaussianNoise")
        rng = self.generator if self.generator is not None else default_generator()
        draw = x.dtype if x.dtype in (np.float32, np.float64) else np.float64  # the dtypes numpy draws natively
        return x + (rng.standard_normal(x.shape, dtype=draw) * self.std).astype(x.dtype, copy=False)

    def __repr__(self) -> str:
        return f"AddGaussianNoise(std={self.std})"


class RandomShift:
    """Shift each sample by a random whole number of positions, filling what is uncovered with ``fill``:

        1-D signals:  x'[t] = x[t - s],             s ~ Uniform{-max_shift, ..., max_shift}
        2-D images:   x'[i, j] = x[i - s_i, j - s_j], s_i, s_j drawn independently

    Batch layouts: ``image_shape=None`` means (n, L) signals, (n, H, W) images or (n, C, H, W) images
    (the last two axes shift); ``image_shape=(L,)`` or ``(H, W)`` means flattened rows (n, L) or (n, H*W),
    e.g. the ``digits`` and ``mnist`` datasets, returned flattened again. One pad and one gather per
    batch, no loop over samples.
    """

    def __init__(
        self,
        max_shift: int = 1,
        image_shape: tuple[int, ...] | None = None,
        fill: float = 0.0,
        generator: np.random.Generator | None = None,
    ) -> None:
        if not isinstance(max_shift, (int, np.integer)) or isinstance(max_shift, bool) or max_shift < 0:
            raise ValueError(f"RandomShift: max_shift must be an integer >= 0, got {max_shift!r}")
        if image_shape is not None:
            image_shape = tuple(int(d) for d in image_shape)
            if len(image_shape) not in (1, 2) or min(image_shape) < 1:
                raise ValueError(
                    f"RandomShift: image_shape must be (L,) or (H, W) with positive sizes, got {image_shape}"
                )
        self.max_shift = int(max_shift)
        self.image_shape = image_shape
        self.fill = float(fill)
        self.generator = generator

    def __call__(self, x) -> np.ndarray:
        x = _float_batch(x, "RandomShift")
        flat_shape = x.shape
        if self.image_shape is not None:
            if x.ndim != 2 or x.shape[1] != math.prod(self.image_shape):
                raise ValueError(
                    f"RandomShift: image_shape={self.image_shape} needs a batch of shape "
                    f"(n, {math.prod(self.image_shape)}), got {x.shape}"
                )
            x = x.reshape((len(x),) + self.image_shape)
            axes = len(self.image_shape)
        elif x.ndim in (2, 3, 4):
            axes = 1 if x.ndim == 2 else 2
        else:
            raise ValueError(f"RandomShift: expected (n, L), (n, H, W) or (n, C, H, W), got shape {x.shape}")
        rng = self.generator if self.generator is not None else default_generator()
        m = self.max_shift
        shifts = rng.integers(-m, m + 1, size=(axes, len(x)))
        # pad by m with `fill`, view every (2m+1)^axes window position, pick window m - s per sample:
        # out[t] = padded[t + m - s] = x[t - s]
        pad = [(0, 0)] * (x.ndim - axes) + [(m, m)] * axes
        padded = np.pad(x, pad, constant_values=x.dtype.type(self.fill))
        spatial = tuple(range(x.ndim - axes, x.ndim))
        windows = np.lib.stride_tricks.sliding_window_view(padded, x.shape[x.ndim - axes :], axis=spatial)
        index = (np.arange(len(x)),) + (slice(None),) * (x.ndim - 1 - axes) + tuple(m - shifts)
        out = windows[index]
        return out.reshape(flat_shape)

    def __repr__(self) -> str:
        return f"RandomShift(max_shift={self.max_shift}, image_shape={self.image_shape}, fill={self.fill})"
