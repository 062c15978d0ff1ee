"""numerical_grad, gradcheck and gradgradcheck: the checkers must pass correct gradients and catch wrong ones."""

import numpy as np
import pytest

import neuronlab as nl
from neuronlab.autograd import Function, GradcheckError, gradcheck, gradgradcheck, numerical_grad


def test_central_difference_matches_the_notes_quiz():
    """Notes 002, gradient checking: J = theta^3 at theta = 1 with eps = 0.01 gives 3.0001 (exact: 3)."""
    theta = nl.tensor(np.array(1.0), requires_grad=True)
    (g,) = numerical_grad(lambda t: t**3, theta, eps=0.01)
    assert g.shape == () and g == pytest.approx(3.0001, abs=1e-12)


def test_numerical_grad_of_a_known_function():
    rng = np.random.default_rng(0)
    x = nl.tensor(rng.standard_normal((3, 2)), requires_grad=True)
    w = nl.tensor(rng.standard_normal((2, 4)), requires_grad=True)
    c = nl.tensor(rng.standard_normal((3, 4)))  # no grad required: no numerical gradient either
    gx, gw, gc = numerical_grad(lambda x, w, c: ((x @ w) * c).sum(), x, w, c)
    np.testing.assert_allclose(gx, c.data @ w.data.T, rtol=1e-7, atol=1e-8)
    np.testing.assert_allclose(gw, x.data.T @ c.data, rtol=1e-7, atol=1e-8)
    assert gc is None


def test_numerical_grad_restores_the_inputs():
    x = nl.tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    data = x.data
    numerical_grad(lambda x: (x * x).sum(), x)
    assert x.data is data
    np.testing.assert_array_equal(x.data, [1.0, 2.0, 3.0])


def test_numerical_grad_with_cotangent_is_a_vector_jacobian_product():
    x = nl.tensor(np.array([0.3, -0.7]), requires_grad=True)
    v = np.array([2.0, -1.0])
    (g,) = numerical_grad(lambda x: x.exp(), x, grad_output=v)
    np.testing.assert_allclose(g, v * np.exp(x.data), rtol=1e-8)


def test_numerical_grad_needs_a_cotangent_for_non_scalar_outputs():
    x = nl.tensor(np.ones(3), requires_grad=True)
    with pytest.raises(ValueError, match="grad_output"):
        numerical_grad(lambda x: x * 2, x)
    with pytest.raises(ValueError, match="eps must be positive"):
        numerical_grad(lambda x: x.sum(), x, eps=0.0)


def test_gradcheck_passes_for_correct_gradients():
    rng = np.random.default_rng(1)
    x = nl.tensor(rng.standard_normal((4, 3)), requires_grad=True)
    w = nl.tensor(rng.standard_normal((3, 2)), requires_grad=True)
    b = nl.tensor(rng.standard_normal(2), requires_grad=True)
    assert gradcheck(lambda x, w, b: (x @ w + b).tanh(), [x, w, b]) is True
    assert gradcheck(lambda x: (x**2).sum(), x) is True  # a single Tensor is accepted as inputs
    assert gradcheck(lambda x, w: [x.sin(), (x @ w).exp()], [x, w]) is True  # several outputs


class _WrongSquare(Function):
    """y = x^2 with a deliberately wrong backward (3x instead of 2x)."""

    def forward(self, x):
        self.save_for_backward(x)
        return x * x

    def backward(self, gy):
        (x,) = self.saved
        return gy * 3 * x


class _TransposedGrad(Function):
    """y = x W with dW wrongly computed as (dY^T x)^T transposed once too often for square W."""

    def forward(self, x, w):
        self.save_for_backward(x, w)
        return x @ w

    def backward(self, gy):
        x, w = self.saved
        return gy @ w.T, (x.T @ gy).T


def test_gradcheck_reports_the_worst_element():
    x = nl.tensor(np.array([[0.5, -1.0], [2.0, 0.25]]), requires_grad=True)
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda x: _WrongSquare.apply(x).sum(), [x])
    message = str(info.value)
    # The worst element is the largest |x|: x[1, 0] = 2, analytic 3*2 = 6, numeric 2*2 = 4.
    assert "input 0" in message and "element (1, 0)" in message
    assert "analytic 6" in message and "numeric 4" in message
    assert "relative error 0.5" in message and "4 of 4 elements" in message
    assert isinstance(info.value, AssertionError)


def test_gradcheck_random_cotangent_catches_a_transposed_gradient():
    rng = np.random.default_rng(2)
    x = nl.tensor(rng.standard_normal((3, 3)), requires_grad=True)
    w = nl.tensor(rng.standard_normal((3, 3)), requires_grad=True)
    with pytest.raises(GradcheckError, match="input 1"):
        gradcheck(lambda x, w: _TransposedGrad.apply(x, w), [x, w], generator=np.random.default_rng(0))


def test_gradcheck_names_the_position_among_all_inputs():
    c = nl.tensor(np.ones(2))
    x = nl.tensor(np.array([1.0, 3.0]), requires_grad=True)
    with pytest.raises(GradcheckError, match="input 1 "):
        gradcheck(lambda c, x: _WrongSquare.apply(x) * c, [c, x])


def test_gradcheck_input_validation():
    with pytest.raises(ValueError, match="no input requires grad"):
        gradcheck(lambda x: x * 2, [nl.tensor(np.ones(2))])
    with pytest.warns(UserWarning, match="not float64"):
        gradcheck(
            lambda x: (x * 2).sum(), [nl.tensor(np.ones(2, dtype=np.float32), requires_grad=True)], eps=1e-2, atol=1e-3
        )
    with pytest.raises(TypeError, match="must return a Tensor"):
        gradcheck(lambda x: x.data, [nl.tensor(np.ones(2), requires_grad=True)])


def test_gradcheck_handles_unused_inputs_and_constant_outputs():
    x = nl.tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = nl.tensor(np.array([3.0]), requires_grad=True)
    assert gradcheck(lambda x, y: (x * 2).sum(), [x, y])  # y unused: analytic and numeric are both 0


class _CubeWithWrongSecondDerivative(Function):
    """y = x^3 whose backward is right in value (3x^2) but built so its own derivative is wrong (3 x x0)."""

    def forward(self, x):
        self.save_for_backward(x)
        self.x0 = x.copy()
        return x**3

    def backward(self, gy):
        (x,) = self.saved
        return gy * 3 * x * self.x0  # x0 is a constant: d/dx of this is 3 x0, not 6 x


def test_gradgradcheck_passes_and_catches_wrong_second_derivatives():
    rng = np.random.default_rng(3)
    x = nl.tensor(rng.uniform(0.5, 1.5, (2, 3)), requires_grad=True)
    w = nl.tensor(rng.standard_normal((3, 2)), requires_grad=True)
    assert gradgradcheck(lambda x, w: (x @ w).sigmoid(), [x, w])
    assert gradcheck(lambda x: _CubeWithWrongSecondDerivative.apply(x), [x])  # first order is right
    with pytest.raises(GradcheckError, match="gradgradcheck failed"):
        gradgradcheck(lambda x: _CubeWithWrongSecondDerivative.apply(x), [x])


def test_gradcheck_exported_from_autograd():
    from neuronlab import autograd

    for name in ("numerical_grad", "gradcheck", "gradgradcheck", "GradcheckError"):
        assert name in autograd.__all__ and hasattr(autograd, name)
