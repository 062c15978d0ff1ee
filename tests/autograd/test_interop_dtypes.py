"""interop.to_torch / from_torch keep a layer's floating dtype, float16 included, and name what they cannot convert.

(The rest of interop is tested in tests/nn/test_interop.py.)
"""

import numpy as np
import pytest

import neuronlab as nl
from neuronlab import interop

torch = pytest.importorskip("torch", reason="PyTorch not installed: interop cross-check skipped")


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_linear_converts_in_its_own_dtype(dtype):
    model = nl.nn.Sequential(nl.nn.Linear(3, 2, dtype=dtype), nl.nn.ReLU())
    converted = interop.to_torch(model)
    assert converted[0].weight.dtype == getattr(torch, np.dtype(dtype).name)
    np.testing.assert_array_equal(converted[0].weight.detach().numpy(), model[0].weight.data.T)
    x = np.random.default_rng(0).standard_normal((4, 3)).astype(dtype)
    expected = np.maximum(x @ model[0].weight.data + model[0].bias.data, 0)  # Y = relu(X W + b), by hand
    tol = 1e-2 if dtype == np.float16 else 1e-6
    np.testing.assert_allclose(converted(torch.from_numpy(x)).detach().numpy(), expected, rtol=tol, atol=tol)
    back = interop.from_torch(converted)
    assert back[0].weight.dtype == dtype
    np.testing.assert_array_equal(back[0].weight.data, model[0].weight.data)


def test_an_unsupported_dtype_is_named():
    config = {"type": "Linear", "args": {"in_features": 2, "out_features": 1, "bias": True, "dtype": "int8"}}
    with pytest.raises(TypeError, match="to_torch: Linear has dtype 'int8'; only float16, float32 and float64"):
        interop._build_torch(torch, config)
