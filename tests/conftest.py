import pytest
from threadpoolctl import threadpool_limits

import neuronlab  # noqa: F401  (loads NumPy's BLAS before the limit below is set)


@pytest.fixture(autouse=True, scope="session")
def one_blas_thread():
    """The tests' small matrix products run fastest on one BLAS thread: several threads per worker
    competing for two cores (pytest -n 2) make them many times slower."""
    with threadpool_limits(1, user_api="blas"):
        yield


@pytest.fixture(autouse=True, scope="session")
def no_internet_downloads(tmp_path_factory):
    """No test touches the internet or the user's cache: downloads go to a fresh cache folder, from a mirror on
    a closed local port (tests that download set NEURONLAB_DATA_MIRROR to their own 127.0.0.1 server)."""
    import os
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    saved = {key: os.environ.get(key) for key in ("NEURONLAB_DATA", "NEURONLAB_DATA_MIRROR")}
    os.environ["NEURONLAB_DATA"] = str(tmp_path_factory.mktemp("neuronlab-cache"))
    os.environ["NEURONLAB_DATA_MIRROR"] = f"http://127.0.0.1:{port}/"
    yield
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
