import pytest
from threadpoolctl import threadpool_limits

import neuronlab  # noqa: F401  (loads NumPy's BLAS before the limit below is set)


@pytest.fixture(autouse=True, scope="session")
def one_blas_thread():
    """The tests' small matrix products run fastest on one BLAS thread: several threads per worker
    competing for two cores (pytest -n 2) make them many times slower."""
    with threadpool_limits(1, user_api="blas"):
        yield
