import json
import math

import numpy as np
import pytest
from nn_testing import leaf, torch_leaf

import neuronlab
from neuronlab import nn
from neuronlab.autograd import gradcheck, gradgradcheck
from neuronlab.nn import functional as F

# The notes' exercise 3.6 (seed 000): X = [2 -1 1], W = [[2 0], [1 1], [0 4]], Y = X W = [3 3].
X_NOTES = [[2.0, -1.0, 1.0]]
W_NOTES = [[2.0, 0.0], [1.0, 1.0], [0.0, 4.0]]


def notes_layer():
    layer = nn.Linear(3, 2, bias=False, dtype=np.float64)
    with neuronlab.no_grad():
        layer.weight.copy_(np.array(W_NOTES))
    return layer


def test_notes_exercise_squared_error_gradients():
    # (1) E = 1/2 ((y1 - 1)^2 + (y2 - 2)^2): dE/dY = [2 1], dE/dX = dE/dY W^T = [4 3 4], dE/dW = X^T dE/dY.
    layer = notes_layer()
    x = leaf(X_NOTES)
    y = layer(x)
    np.testing.assert_array_equal(y.data, [[3.0, 3.0]])
    nn.MSELoss(reduction="sum", half=True)(y, np.array([[1.0, 2.0]])).backward()
    np.testing.assert_allclose(x.grad.data, [[4.0, 3.0, 4.0]])
    np.testing.assert_allclose(layer.weight.grad.data, [[4.0, 2.0], [-2.0, -1.0], [2.0, 1.0]])


def test_notes_exercise_softmax_cross_entropy_gradients():
    # (2) softmax + cross-entropy with t = (1, 0): dE/dY = [-1/2 1/2], dE/dX = [-1 0 2],
    # dE/dW = [[-1 1] [1/2 -1/2] [-1/2 1/2]].
    layer = notes_layer()
    x = leaf(X_NOTES)
    nn.CrossEntropyLoss()(layer(x), np.array([0])).backward()
    np.testing.assert_allclose(x.grad.data, [[-1.0, 0.0, 2.0]], atol=1e-15)
    np.testing.assert_allclose(layer.weight.grad.data, [[-1.0, 1.0], [0.5, -0.5], [-0.5, 0.5]], atol=1e-15)


@pytest.mark.parametrize("shape", [(5, 3), (2, 4, 3), (3,)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_gradcheck(shape, bias):
    rng = np.random.default_rng(0)
    x, w = leaf(rng.normal(size=shape)), leaf(rng.normal(size=(3, 2)))
    b = leaf(rng.normal(size=2)) if bias else None
    assert gradcheck(lambda x, w, b: F.linear(x, w, b), [x, w, b])
    assert gradgradcheck(lambda x, w, b: F.linear(x, w, b), [x, w, b])


def test_only_the_needed_gradients_are_computed():
    rng = np.random.default_rng(1)
    x = neuronlab.tensor(rng.normal(size=(4, 3)))  # data: no gradient wanted
    layer = nn.Linear(3, 2, dtype=np.float64)
    layer(x).sum().backward()
    assert x.grad is None
    np.testing.assert_allclose(layer.bias.grad.data, [4.0, 4.0])
    np.testing.assert_allclose(layer.weight.grad.data, np.repeat(x.data.sum(axis=0)[:, None], 2, axis=1))


@pytest.mark.parametrize("shape", [(6, 5), (2, 3, 5)])
def test_linear_matches_torch_values_and_gradients(shape):
    torch = pytest.importorskip("torch", reason="PyTorch not installed: cross-check skipped")
    rng = np.random.default_rng(2)
    x_np, w_np, b_np, g_np = (
        rng.normal(size=shape),
        rng.normal(size=(5, 4)),
        rng.normal(size=4),
        rng.normal(size=shape[:-1] + (4,)),
    )
    x, w, b = leaf(x_np), leaf(w_np), leaf(b_np)
    y = F.linear(x, w, b)
    y.backward(g_np)
    xt, wt, bt = torch_leaf(torch, x_np), torch_leaf(torch, w_np.T), torch_leaf(torch, b_np)
    yt = torch.nn.functional.linear(xt, wt, bt)  # PyTorch's weight is our W transposed
    yt.backward(torch.from_numpy(g_np))
    np.testing.assert_allclose(y.data, yt.detach().numpy(), rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(x.grad.data, xt.grad.numpy(), rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(w.grad.data, wt.grad.numpy().T, rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(b.grad.data, bt.grad.numpy(), rtol=1e-13, atol=1e-13)


def test_default_initialization_is_pytorchs_uniform():
    neuronlab.manual_seed(0)
    layer = nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)
    w, b = layer.weight.data, layer.bias.data
    assert w.shape == (400, 300) and b.shape == (300,) and w.dtype == np.float32
    assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
    assert np.abs(w).max() > 0.99 * bound  # spans the whole interval
    # U(-a, a) has variance a^2 / 3 = 1 / (3 fan_in); 120000 draws: standard error of the variance ~0.3%.
    assert w.var() == pytest.approx(bound**2 / 3, rel=0.02)
    assert abs(w.mean()) < 5 * bound / math.sqrt(3 * w.size)


def test_initialization_is_reproducible_from_the_seed():
    neuronlab.manual_seed(7)
    first = nn.Linear(4, 3).weight.data.copy()
    neuronlab.manual_seed(7)
    np.testing.assert_array_equal(nn.Linear(4, 3).weight.data, first)
    assert not np.array_equal(nn.Linear(4, 3).weight.data, first)


def test_linear_validation_and_config():
    layer = nn.Linear(3, 2)
    with pytest.raises(ValueError, match="in_features=3"):
        layer(neuronlab.tensor(np.zeros((4, 5))))
    with pytest.raises(ValueError, match="in_features"):
        nn.Linear(-1, 2)
    with pytest.raises(TypeError, match="floating"):
        nn.Linear(2, 2, dtype=np.int64)
    config = json.loads(json.dumps(nn.Linear(3, 2, bias=False, dtype=np.float64).config()))
    rebuilt = nn.build_module(config)
    assert isinstance(rebuilt, nn.Linear) and rebuilt.bias is None and rebuilt.weight.dtype == np.float64
    assert "bias" not in rebuilt.state_dict()
    assert repr(layer) == "Linear(in_features=3, out_features=2, bias=True)  # 8 params"
