import numpy as np
import pytest
from nn_testing import leaf, torch_leaf

import neuronlab
from neuronlab import nn
from neuronlab.autograd import gradcheck, gradgradcheck
from neuronlab.nn import functional as F

# (name, module, functional form, PyTorch counterpart as a function of torch and the input)
ACTIVATIONS = [
    ("sigmoid", nn.Sigmoid(), F.sigmoid, lambda t, x: t.sigmoid(x)),
    ("tanh", nn.Tanh(), F.tanh, lambda t, x: t.tanh(x)),
    ("relu", nn.ReLU(), F.relu, lambda t, x: t.relu(x)),
    ("leaky_relu", nn.LeakyReLU(0.2), lambda x: F.leaky_relu(x, 0.2), lambda t, x: t.nn.functional.leaky_relu(x, 0.2)),
    ("softmax", nn.Softmax(dim=1), lambda x: F.softmax(x, 1), lambda t, x: t.softmax(x, 1)),
    ("softmax_dim0", nn.Softmax(dim=0), lambda x: F.softmax(x, 0), lambda t, x: t.softmax(x, 0)),
    ("log_softmax", nn.LogSoftmax(dim=1), lambda x: F.log_softmax(x, 1), lambda t, x: t.log_softmax(x, 1)),
    ("elu", nn.ELU(), F.elu, lambda t, x: t.nn.functional.elu(x)),
    ("elu_alpha", nn.ELU(alpha=0.7), lambda x: F.elu(x, 0.7), lambda t, x: t.nn.functional.elu(x, 0.7)),
    ("gelu", nn.GELU(), F.gelu, lambda t, x: t.nn.functional.gelu(x)),
    (
        "gelu_tanh",
        nn.GELU("tanh"),
        lambda x: F.gelu(x, "tanh"),
        lambda t, x: t.nn.functional.gelu(x, approximate="tanh"),
    ),
]
IDS = [a[0] for a in ACTIVATIONS]


def sample(shape=(4, 5), seed=0):
    """Values away from the kinks of ReLU-like functions, where finite differences are exact enough."""
    x = np.random.default_rng(seed).normal(scale=2.0, size=shape)
    return np.where(np.abs(x) < 0.05, 0.5, x)


@pytest.mark.parametrize("name, module, function, reference", ACTIVATIONS, ids=IDS)
def test_module_and_functional_agree(name, module, function, reference):
    x = leaf(sample())
    np.testing.assert_array_equal(module(x).data, function(x).data)


@pytest.mark.parametrize("name, module, function, reference", ACTIVATIONS, ids=IDS)
@pytest.mark.parametrize("shape", [(4, 5), (2, 3, 4)])
def test_gradcheck(name, module, function, reference, shape):
    assert gradcheck(module, [leaf(sample(shape))])


@pytest.mark.parametrize(
    "name, module, function, reference",
    [a for a in ACTIVATIONS if a[0] in ("elu", "elu_alpha", "gelu", "gelu_tanh")],
    ids=["elu", "elu_alpha", "gelu", "gelu_tanh"],
)
def test_second_derivatives_of_the_new_functions(name, module, function, reference):
    assert gradgradcheck(module, [leaf(sample((3, 4), seed=1))])


@pytest.mark.parametrize("name, module, function, reference", ACTIVATIONS, ids=IDS)
def test_values_and_gradients_match_torch(name, module, function, reference):
    torch = pytest.importorskip("torch", reason="PyTorch not installed: cross-check skipped")
    x_np = sample((6, 7), seed=2)
    g_np = np.random.default_rng(3).normal(size=(6, 7))
    x = leaf(x_np)
    y = module(x)
    y.backward(g_np)
    xt = torch_leaf(torch, x_np)
    yt = reference(torch, xt)
    yt.backward(torch.from_numpy(g_np))
    np.testing.assert_allclose(y.data, yt.detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(x.grad.data, xt.grad.numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name, module, function, reference", ACTIVATIONS, ids=IDS)
def test_large_magnitudes_stay_finite_in_float32(name, module, function, reference):
    x = neuronlab.tensor(np.array([[-1000.0, -80.0, 0.0, 80.0, 1000.0]], dtype=np.float32), requires_grad=True)
    y = module(x)
    y.backward(np.ones((1, 5), dtype=np.float32))
    assert y.dtype == np.float32 and x.grad.dtype == np.float32
    assert np.all(np.isfinite(y.data)) and np.all(np.isfinite(x.grad.data))


def test_closed_forms():
    # ELU(x) = alpha (e^x - 1) for x <= 0; GELU(x) = x Phi(x) with Phi(1) = 0.841344746...
    x = leaf([-1.0, 0.0, 2.0])
    np.testing.assert_allclose(F.elu(x, 0.5).data, [0.5 * (np.exp(-1) - 1), 0.0, 2.0])
    np.testing.assert_allclose(F.gelu(leaf([1.0])).data, [0.8413447460685429], rtol=1e-14)
    assert F.gelu(leaf([0.0])).data[0] == 0.0
    with pytest.raises(ValueError, match="approximate"):
        nn.GELU("sigmoid")
