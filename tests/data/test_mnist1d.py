"""MNIST-1D through the optional mnist1d package."""

import numpy as np
import pytest

pytest.importorskip("mnist1d", reason="mnist1d not installed (pip install 'neuronlab[sequences]')")

from neuronlab.data.datasets.mnist1d import make_mnist1d


def test_small_mnist1d_shapes_split_and_determinism():
    np.random.seed(123)  # noqa: NPY002  (the global generator is what must stay untouched)
    before = np.random.get_state()[1].copy()  # noqa: NPY002
    X_train, y_train, X_test, y_test = make_mnist1d(num_samples=200, seed=3)
    np.testing.assert_array_equal(np.random.get_state()[1], before)  # noqa: NPY002      # NumPy's global generator untouched
    assert X_train.shape == (160, 40) and X_test.shape == (40, 40) and X_train.dtype == np.float32
    assert y_train.dtype == np.int64 and set(np.concatenate([y_train, y_test])) == set(range(10))
    assert np.bincount(np.concatenate([y_train, y_test])).tolist() == [20] * 10
    np.testing.assert_array_equal(make_mnist1d(num_samples=200, seed=3)[0], X_train)
    assert not np.array_equal(make_mnist1d(num_samples=200, seed=4)[0], X_train)


def test_registry_loads_the_paper_dataset():
    from neuronlab.data import load_dataset

    bundle = load_dataset("mnist1d")
    assert bundle.X.shape == (5000, 40) and bundle.num_classes == 10
    X_train, _, X_test, _ = make_mnist1d()
    np.testing.assert_array_equal(bundle.X[:4000], X_train)
    np.testing.assert_array_equal(bundle.X[4000:], X_test)
