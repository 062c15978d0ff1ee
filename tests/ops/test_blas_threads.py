"""BLAS thread policy (``backend.blas``): small products and neuronlab's own parallel regions run BLAS on one
thread, larger products keep BLAS's threads, and the setting is restored afterwards (also after an error)."""

import numpy as np
import pytest
from threadpoolctl import threadpool_info, threadpool_limits

from neuronlab.backend import blas


def _blas_threads() -> int:
    return max(info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas")


@pytest.fixture
def two_threads():
    np.ones((2, 2)) @ np.ones((2, 2))  # BLAS loaded
    with threadpool_limits(limits=2, user_api="blas"):
        if _blas_threads() != 2:
            pytest.skip("this BLAS cannot be set to two threads")
        yield


def test_small_products_run_on_one_blas_thread(two_threads):
    for multiply_adds, expected in [(1000, 2), (1 << 20, 1), (blas.SMALL - 1, 1), (blas.SMALL, 2), (1 << 30, 2)]:
        with blas.for_product(multiply_adds):
            assert _blas_threads() == expected, multiply_adds
        assert _blas_threads() == 2
    assert blas.max_threads() == 2


def test_one_thread_restores_the_setting_after_an_error(two_threads):
    with pytest.raises(RuntimeError), blas.one_thread():
        assert _blas_threads() == 1
        raise RuntimeError
    assert _blas_threads() == 2


def test_affine_gradients_unchanged_under_the_thread_policy(two_threads):
    """A product under the threshold (one BLAS thread) and one above it give the same values as NumPy."""
    import neuronlab as nl

    rng = np.random.default_rng(0)
    for n, k, m in [(64, 400, 120), (256, 256, 128)]:
        x, w = rng.standard_normal((n, k)), rng.standard_normal((k, m))
        xt, wt = nl.Tensor(x, requires_grad=True), nl.Tensor(w, requires_grad=True)
        nl.nn.functional.linear(xt, wt).sum().backward()
        np.testing.assert_allclose(xt.grad.data, np.ones((n, m)) @ w.T, rtol=1e-10)
        np.testing.assert_allclose(wt.grad.data, x.T @ np.ones((n, m)), rtol=1e-10)
