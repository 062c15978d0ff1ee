"""Image batches and image augmentation (issue 12): expected values from slicing by hand."""

import numpy as np
import pytest

from neuronlab.data import RandomCrop, RandomHorizontalFlip, RandomVerticalFlip, as_images, channels_first, load_dataset


def test_digits_as_one_channel_images():
    bundle = load_dataset("digits")
    images = as_images(bundle)
    assert images.shape == (1797, 1, 8, 8) and images.dtype == np.float32
    np.testing.assert_array_equal(images[5, 0, 3], bundle.X[5, 24:32])
    assert channels_first((3, 32, 32)) == (3, 32, 32)
    with pytest.raises(ValueError, match="no image_shape"):
        as_images(load_dataset("iris"))


def test_random_crop_with_padding_is_a_shifted_window():
    x = np.arange(2 * 3 * 4 * 5, dtype=np.float32).reshape(2, 3, 4, 5)
    out = RandomCrop((4, 5), padding=2, generator=np.random.default_rng(0))(x)
    assert out.shape == x.shape
    padded = np.pad(x, ((0, 0), (0, 0), (2, 2), (2, 2)))
    for sample, result in zip(padded, out):
        fits = [(i, j) for i in range(5) for j in range(5) if np.array_equal(sample[:, i : i + 4, j : j + 5], result)]
        assert len(fits) >= 1


def test_random_crop_covers_every_offset_and_keeps_flat_layout():
    x = np.arange(16, dtype=np.float32).reshape(1, 16).repeat(400, axis=0)
    out = RandomCrop(4, padding=1, image_shape=(4, 4), generator=np.random.default_rng(1))(x)
    assert out.shape == (400, 16)
    offsets = {tuple(row) for row in out}
    assert len(offsets) == 9  # 3 x 3 possible windows of the padded 6x6 image


def test_flips_mirror_about_half_the_images():
    x = np.arange(1000 * 2 * 3, dtype=np.float64).reshape(1000, 1, 2, 3)
    out = RandomHorizontalFlip(0.5, generator=np.random.default_rng(2))(x)
    flipped = np.array([np.array_equal(o, a[..., ::-1]) for o, a in zip(out, x)])
    kept = np.array([np.array_equal(o, a) for o, a in zip(out, x)])
    assert np.all(flipped ^ kept) and 400 < flipped.sum() < 600
    out = RandomVerticalFlip(1.0, image_shape=(2, 3))(x.reshape(1000, 6))
    np.testing.assert_array_equal(out.reshape(x.shape), x[:, :, ::-1])
    with pytest.raises(ValueError, match="image_shape"):
        RandomHorizontalFlip(image_shape=(4, 4))(np.zeros((2, 10)))
