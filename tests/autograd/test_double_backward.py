"""The double-backward contract (Function.saved_for_graph, once_differentiable) and the engine bugs it fixed:
a scaled fused loss crashed backward() (the backward guessed its mode from the gradient's type, and NumPy
arithmetic on 0-d arrays returns NumPy scalars), and backward(create_graph=True) freed the graph it built."""

import numpy as np
import pytest

import neuronlab as nl
from neuronlab import nn
from neuronlab.autograd import Function, grad

F = nn.functional
try:
    import torch

    TF = torch.nn.functional
except ImportError:  # the contract tests run without it; the cross-checks skip
    torch = TF = None
needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch not installed: cross-check skipped")
pytestmark = pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph")  # torch's, about .grad cycles

RNG = np.random.default_rng(3)
LOGITS = RNG.standard_normal((4, 3))
LABELS = np.array([0, 2, 1, 2])
BINARY = (RNG.standard_normal((4, 3)) > 0).astype(np.float64)

LOSSES = {
    "cross_entropy": (lambda x: F.cross_entropy(x, LABELS), lambda x: TF.cross_entropy(x, torch.tensor(LABELS))),
    "CrossEntropyLoss": (
        lambda x: nn.CrossEntropyLoss()(x, LABELS),
        lambda x: torch.nn.CrossEntropyLoss()(x, torch.tensor(LABELS)),
    ),
    "bce_with_logits": (
        lambda x: F.binary_cross_entropy_with_logits(x, BINARY),
        lambda x: TF.binary_cross_entropy_with_logits(x, torch.tensor(BINARY)),
    ),
    "bce": (
        lambda x: F.binary_cross_entropy(x.sigmoid(), BINARY),
        lambda x: TF.binary_cross_entropy(x.sigmoid(), torch.tensor(BINARY)),
    ),
    "mse": (lambda x: F.mse_loss(x, BINARY), lambda x: TF.mse_loss(x, torch.tensor(BINARY))),
    "nll": (
        lambda x: F.nll_loss(x.log_softmax(axis=1), LABELS),
        lambda x: TF.nll_loss(x.log_softmax(1), torch.tensor(LABELS)),
    ),
    "softmax": (lambda x: x.softmax(axis=1)[:, 0].sum(), lambda x: x.softmax(1)[:, 0].sum()),
    "elu": (lambda x: F.elu(x).sum(), lambda x: TF.elu(x).sum()),
    "gelu": (lambda x: F.gelu(x).sum(), lambda x: TF.gelu(x).sum()),
    "logsumexp": (lambda x: nl.logsumexp(x), lambda x: torch.logsumexp(x, dim=(0, 1))),
}
SCALINGS = {
    "times 0.5": lambda loss: loss * 0.5,
    "2 times": lambda loss: 2 * loss,
    "over steps": lambda loss: loss / 4,
    "tanh": lambda loss: loss.tanh(),
    "numpy scalar": lambda loss: loss * np.float64(0.25),
}


@needs_torch
@pytest.mark.parametrize("scaling", SCALINGS, ids=list(SCALINGS))
@pytest.mark.parametrize("loss", LOSSES, ids=list(LOSSES))
def test_a_scaled_loss_backpropagates_like_torch(loss, scaling):
    ours, theirs = LOSSES[loss]
    x = nl.tensor(LOGITS, requires_grad=True)
    SCALINGS[scaling](ours(x)).backward()
    x_ref = torch.tensor(LOGITS, requires_grad=True)
    SCALINGS[scaling](theirs(x_ref)).backward()
    np.testing.assert_allclose(x.grad.data, x_ref.grad.numpy(), rtol=1e-10, atol=1e-12)


@needs_torch
def test_two_weighted_losses_and_batchnorm_backpropagate():
    x = nl.tensor(LOGITS, requires_grad=True)
    bn = nn.BatchNorm1d(3).double()
    (0.3 * F.cross_entropy(bn(x), LABELS) + 0.7 * F.mse_loss(x, BINARY)).backward()
    x_ref = torch.tensor(LOGITS, requires_grad=True)
    bn_ref = torch.nn.BatchNorm1d(3).double()
    (
        0.3 * TF.cross_entropy(bn_ref(x_ref), torch.tensor(LABELS)) + 0.7 * TF.mse_loss(x_ref, torch.tensor(BINARY))
    ).backward()
    np.testing.assert_allclose(x.grad.data, x_ref.grad.numpy(), rtol=1e-10, atol=1e-12)


class _SeesGradient(Function):
    """y = x; records the type of every gradient and saved value its backward receives."""

    seen: list = []

    def forward(self, x):
        self.save_for_backward(x)
        return x.copy()

    def backward(self, gy):
        _SeesGradient.seen.append((type(gy), tuple(type(a) for a in self.saved)))
        return gy


def test_backward_receives_ndarrays_never_numpy_scalars():
    _SeesGradient.seen = []
    x = nl.tensor(2.0, dtype="float64", requires_grad=True)
    y = _SeesGradient.apply(x)
    ((y * 0.5) + (y * 0.25)).backward()  # 0-d gradients, summed: NumPy arithmetic gives np.float64
    assert _SeesGradient.seen == [(np.ndarray, (np.ndarray,))]
    assert x.grad.item() == 0.75


def test_under_create_graph_backward_receives_tensors():
    _SeesGradient.seen = []
    x = nl.tensor([1.0, 2.0], dtype="float64", requires_grad=True)
    grad((_SeesGradient.apply(x) ** 2).sum(), x, create_graph=True)
    assert _SeesGradient.seen == [(nl.Tensor, (nl.Tensor,))]


class _CubeOnce(Function):
    """y = x^3 saving x^2 (a derived value) and declaring itself once differentiable."""

    once_differentiable = True

    def forward(self, x):
        self.save_for_backward(x * x)
        return x * x * x

    def backward(self, gy):
        (x2,) = self.saved
        return 3 * gy * x2


class _Cube(_CubeOnce):
    """The same op with its derived value recomputed in the graph: differentiable twice."""

    once_differentiable = False

    def saved_for_graph(self, inputs, output):
        (x,) = inputs
        return (x * x,)


def test_once_differentiable_gives_first_derivatives_and_refuses_second_ones_by_name():
    x = nl.tensor([1.0, -2.0], dtype="float64", requires_grad=True)
    (g,) = grad(_CubeOnce.apply(x).sum(), x, create_graph=True)
    np.testing.assert_array_equal(g.data, [3.0, 12.0])
    with pytest.raises(RuntimeError, match="_CubeOnce is once_differentiable"):
        grad(g.sum(), x)


def test_saved_for_graph_makes_a_derived_saved_value_differentiable():
    x = nl.tensor([1.0, -2.0], dtype="float64", requires_grad=True)
    (g,) = grad(_Cube.apply(x).sum(), x, create_graph=True)
    (h,) = grad(g.sum(), x)
    np.testing.assert_array_equal(h.data, [6.0, -12.0])  # d2/dx2 x^3 = 6x


@needs_torch
def test_tanh_to_the_eighth_derivative_with_backward_create_graph():
    """DeZero step 33-34: repeated x.grad.backward(create_graph=True); the graph must be retained."""
    x = nl.tensor(1.0, dtype="float64", requires_grad=True)
    x_ref = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
    for v in (x, x_ref):
        v.tanh().backward(create_graph=True)
        for _ in range(7):
            g, v.grad = v.grad, None
            g.backward(create_graph=True)
    assert x.grad.item() == pytest.approx(x_ref.grad.item(), rel=1e-12)  # -277.06...


@needs_torch
def test_gradient_penalty_with_backward_create_graph():
    """Double backprop: the penalty ||dy/dx||^2 is itself differentiated, through a fused loss."""
    w0 = RNG.standard_normal((3, 3))
    results = []
    for lib in (nl, torch):
        w = lib.tensor(w0, requires_grad=True)
        x = lib.tensor(LOGITS, requires_grad=True)
        labels = LABELS if lib is nl else torch.tensor(LABELS)
        loss = (F.cross_entropy if lib is nl else TF.cross_entropy)((x @ w).tanh(), labels)
        loss.backward(create_graph=True)
        penalty = (x.grad * x.grad).sum()
        w.grad = None
        penalty.backward()
        results.append(np.array(w.grad.data if lib is nl else w.grad.numpy()))
    np.testing.assert_allclose(results[0], results[1], rtol=1e-10, atol=1e-12)


def test_backward_with_create_graph_keeps_the_graph_unless_told_otherwise():
    x = nl.tensor(0.5, dtype="float64", requires_grad=True)
    y = x**3
    y.backward(create_graph=True)
    y.backward(create_graph=True)  # retain_graph defaults to create_graph, as in PyTorch
    assert x.grad.item() == pytest.approx(2 * 3 * 0.25)
    y.backward(create_graph=True, retain_graph=False)
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward()
