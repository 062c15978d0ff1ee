import numpy as np
import pytest

from neuronlab.data import AddGaussianNoise, DataLoader, RandomShift, TensorDataset


def shifted(x, s, fill=0.0):
    """Reference shift of one sample along its last len(s) axes by slicing: x'[t] = x[t - s]."""
    out = np.full_like(x, fill)
    src, dst = [slice(None)] * x.ndim, [slice(None)] * x.ndim
    for k, shift in enumerate(s):
        axis = x.ndim - len(s) + k
        size = x.shape[axis]
        if abs(shift) >= size:
            return out
        dst[axis] = slice(max(shift, 0), size + min(shift, 0))
        src[axis] = slice(max(-shift, 0), size - max(shift, 0))
    out[tuple(dst)] = x[tuple(src)]
    return out


def recover_shifts(x, out, max_shift, axes, fill=0.0):
    """For each sample, the shifts in range that reproduce ``out``; exactly one must fit."""
    grid = np.stack(np.meshgrid(*[np.arange(-max_shift, max_shift + 1)] * axes, indexing="ij"), -1).reshape(-1, axes)
    found = []
    for xi, oi in zip(x, out):
        fits = [tuple(s) for s in grid if np.array_equal(shifted(xi, s, fill), oi)]
        assert len(fits) == 1, fits
        found.append(fits[0])
    return np.array(found)


def test_gaussian_noise_has_the_requested_statistics():
    x = np.full((400, 250), 3.0, dtype=np.float32)
    out = AddGaussianNoise(std=0.5, generator=np.random.default_rng(0))(x)
    assert out.shape == x.shape and out.dtype == np.float32
    noise = (out - x).astype(np.float64).ravel()
    n = noise.size
    assert abs(noise.mean()) < 5 * 0.5 / np.sqrt(n)
    assert abs(noise.std() - 0.5) < 5 * 0.5 / np.sqrt(2 * n)
    # Gaussian: about 68.27% within one standard deviation
    assert abs(np.mean(np.abs(noise) < 0.5) - 0.6827) < 0.005
    np.testing.assert_array_equal(x, 3.0)


def test_gaussian_noise_is_fresh_each_call_and_seeded():
    x = np.zeros((4, 3))
    a = AddGaussianNoise(1.0, generator=np.random.default_rng(1))
    first, second = a(x), a(x)
    assert not np.array_equal(first, second)
    np.testing.assert_array_equal(first, AddGaussianNoise(1.0, generator=np.random.default_rng(1))(x))
    np.testing.assert_array_equal(AddGaussianNoise(0.0)(x), x)


def test_shift_1d_matches_reference_and_covers_the_range_uniformly():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3000, 12)).astype(np.float32)
    out = RandomShift(max_shift=3, generator=np.random.default_rng(1))(x)
    assert out.shape == x.shape and out.dtype == np.float32
    s = recover_shifts(x, out, 3, axes=1)[:, 0]
    counts = np.bincount(s + 3, minlength=7)
    chi2 = np.sum((counts - len(x) / 7) ** 2 / (len(x) / 7))
    assert chi2 < 22.5  # chi-square, 6 degrees of freedom, p = 0.001


def test_shift_2d_images_moves_rows_and_columns_independently():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(300, 6, 7))
    out = RandomShift(max_shift=2, fill=-9.0, generator=np.random.default_rng(3))(x)
    s = recover_shifts(x, out, 2, axes=2, fill=-9.0)
    assert set(s[:, 0]) == set(range(-2, 3)) and set(s[:, 1]) == set(range(-2, 3))
    assert abs(np.corrcoef(s[:, 0], s[:, 1])[0, 1]) < 0.2


def test_shift_of_flattened_images_and_channels():
    rng = np.random.default_rng(4)
    flat = rng.normal(size=(50, 8 * 8)).astype(np.float32)
    out = RandomShift(1, image_shape=(8, 8), generator=np.random.default_rng(5))(flat)
    assert out.shape == (50, 64)
    recover_shifts(flat.reshape(50, 8, 8), out.reshape(50, 8, 8), 1, axes=2)
    chw = rng.normal(size=(40, 3, 5, 5))
    out = RandomShift(1, generator=np.random.default_rng(6))(chw)
    s = recover_shifts(chw, out, 1, axes=3)  # channel axis included: it must never move
    assert np.all(s[:, 0] == 0)


def test_shift_keeps_the_sum_of_a_centred_bump_and_zero_shift_is_identity():
    x = np.zeros((20, 15))
    x[:, 6:9] = [1.0, 2.0, 1.0]
    out = RandomShift(3, generator=np.random.default_rng(0))(x)
    np.testing.assert_allclose(out.sum(axis=1), 4.0)
    np.testing.assert_array_equal(RandomShift(0)(x), x)


def test_augmentation_in_a_training_loader_changes_inputs_only():
    X = np.tile(np.arange(10, dtype=np.float32), (32, 1))
    y = np.arange(32)
    loader = DataLoader(TensorDataset(X, y), batch_size=8, transform=RandomShift(2, generator=np.random.default_rng(0)))
    xb, yb = next(iter(loader))
    assert xb.shape == (8, 10)
    np.testing.assert_array_equal(yb.data, np.arange(8))
    assert not np.array_equal(xb.data, X[:8])


@pytest.mark.parametrize(
    "make, x, match",
    [
        (lambda: AddGaussianNoise(-1.0), None, "std must be"),
        (lambda: RandomShift(-1), None, "max_shift"),
        (lambda: RandomShift(1, image_shape=(0, 3)), None, "image_shape"),
        (lambda: RandomShift(1, image_shape=(3, 3)), np.zeros((2, 8)), r"\(n, 9\)"),
        (lambda: RandomShift(1), np.zeros((2, 2, 2, 2, 2)), "expected"),
        (lambda: AddGaussianNoise(), np.zeros(5), "shape \\(samples"),
    ],
)
def test_bad_arguments(make, x, match):
    with pytest.raises(ValueError, match=match):
        make()(x)
