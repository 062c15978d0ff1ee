"""create_graph=True: the backward pass is itself recorded, so derivatives of derivatives work."""

import numpy as np
import pytest

import neuronlab as nl
from neuronlab.autograd import grad

X = np.array([-1.7, -0.4, 0.0, 0.3, 1.1, 2.5])


def _derivatives(f, x0, order):
    """[f(x), f'(x), f''(x), ...] up to ``order`` by repeated grad(..., create_graph=True)."""
    x = nl.tensor(x0, requires_grad=True)
    values = [f(x)]
    for _ in range(order):
        (g,) = grad(values[-1].sum(), x, create_graph=True)
        values.append(g)
    return [v.data for v in values]


@pytest.mark.parametrize(
    "name, f, closed_forms",
    [
        (
            "tanh",
            nl.tanh,
            [
                lambda x: 1 - np.tanh(x) ** 2,
                lambda x: -2 * np.tanh(x) * (1 - np.tanh(x) ** 2),
                lambda x: -2 * (1 - np.tanh(x) ** 2) * (1 - 3 * np.tanh(x) ** 2),
            ],
        ),
        ("sin", nl.sin, [np.cos, lambda x: -np.sin(x), lambda x: -np.cos(x)]),
        ("exp", nl.exp, [np.exp, np.exp, np.exp]),
        ("cube", lambda x: x**3, [lambda x: 3 * x**2, lambda x: 6 * x, lambda x: np.full_like(x, 6.0)]),
        (
            "sigmoid",
            nl.sigmoid,
            [
                lambda x: _s(x) * (1 - _s(x)),
                lambda x: _s(x) * (1 - _s(x)) * (1 - 2 * _s(x)),
                lambda x: _s(x) * (1 - _s(x)) * (1 - 6 * _s(x) + 6 * _s(x) ** 2),
            ],
        ),
        (
            "log",
            lambda x: nl.log(x * x + 1),
            [
                lambda x: 2 * x / (x * x + 1),
                lambda x: 2 * (1 - x * x) / (x * x + 1) ** 2,
                lambda x: 4 * x * (x * x - 3) / (x * x + 1) ** 3,
            ],
        ),
    ],
)
def test_first_second_third_derivatives_match_closed_forms(name, f, closed_forms):
    derivatives = _derivatives(f, X, 3)
    for order, (value, exact) in enumerate(zip(derivatives[1:], closed_forms), start=1):
        np.testing.assert_allclose(value, exact(X), rtol=1e-12, atol=1e-12, err_msg=f"{name}: order {order}")


def _s(x):
    return 1 / (1 + np.exp(-x))


def test_backward_with_create_graph_gives_a_differentiable_grad():
    x = nl.tensor(np.array([0.5, -2.0]), requires_grad=True)
    (x**3).sum().backward(create_graph=True)
    g = x.grad
    assert g.requires_grad and g.creator is not None
    np.testing.assert_allclose(g.data, 3 * x.data**2)
    x.grad = None
    g.sum().backward()
    np.testing.assert_allclose(x.grad.data, 6 * x.data)


def test_mixed_partials():
    """f = x^2 y^3: d2f/dxdy = 6 x y^2."""
    x = nl.tensor(np.array(1.5), requires_grad=True)
    y = nl.tensor(np.array(-0.5), requires_grad=True)
    (gx,) = grad(x**2 * y**3, x, create_graph=True)
    (gxy,) = grad(gx, y)
    assert gxy.item() == pytest.approx(6 * 1.5 * 0.25, rel=1e-14)


def test_logsumexp_hessian_vector_product_is_the_softmax_jacobian():
    """lse(x) has gradient s = softmax(x) and Hessian diag(s) - s s^T; Hv = s * v - s (s . v)."""
    rng = np.random.default_rng(0)
    x0, v = rng.standard_normal(5), rng.standard_normal(5)
    x = nl.tensor(x0, requires_grad=True)
    (g,) = grad(nl.logsumexp(x), x, create_graph=True)
    (hv,) = grad((g * v).sum(), x)
    s = np.exp(x0) / np.exp(x0).sum()
    np.testing.assert_allclose(g.data, s, rtol=1e-13)
    np.testing.assert_allclose(hv.data, s * v - s * (s @ v), rtol=1e-12, atol=1e-14)


def test_softmax_hessian_vector_product():
    """f = sum(t * softmax(x)): H_jk = s_j (d_jk - s_k)(t_j - tbar) - s_j s_k (t_k - tbar), tbar = t . s."""
    rng = np.random.default_rng(1)
    x0, t, v = rng.standard_normal(4), rng.standard_normal(4), rng.standard_normal(4)
    x = nl.tensor(x0, requires_grad=True)
    (g,) = grad((nl.softmax(x) * t).sum(), x, create_graph=True)
    (hv,) = grad((g * v).sum(), x)
    s = np.exp(x0) / np.exp(x0).sum()
    tbar = t @ s
    hessian = (
        s[:, None] * (np.eye(4) - s[None, :]) * (t - tbar)[:, None] - s[:, None] * s[None, :] * (t - tbar)[None, :]
    )
    np.testing.assert_allclose(g.data, s * (t - tbar), rtol=1e-13)
    np.testing.assert_allclose(hv.data, hessian @ v, rtol=1e-12, atol=1e-14)


def test_second_derivatives_against_torch():
    torch = pytest.importorskip("torch", reason="PyTorch not installed: cross-check skipped")
    rng = np.random.default_rng(2)
    x0, w0, b0 = rng.standard_normal((4, 3)), rng.standard_normal((3, 5)), rng.standard_normal(5)
    t0 = np.eye(5)[[0, 3, 1, 4]]
    v_x, v_w = rng.standard_normal((4, 3)), rng.standard_normal((3, 5))

    def loss(log_softmax, targets, x, w, b):  # mean softmax cross-entropy of a tanh layer, with an L2 term
        h = (x @ w + b).tanh()
        return -(log_softmax(h) * targets).sum() / 4 + (w * w).sum() * 0.1

    ours = [nl.tensor(a, requires_grad=True) for a in (x0, w0, b0)]
    gx, gw, gb = grad(loss(lambda h: nl.log_softmax(h, axis=1), t0, *ours), ours, create_graph=True)
    hvp = grad((gx * v_x).sum() + (gw * v_w).sum(), ours)

    theirs = [torch.tensor(a, requires_grad=True) for a in (x0, w0, b0)]
    tgx, tgw, tgb = torch.autograd.grad(
        loss(lambda h: torch.log_softmax(h, dim=1), torch.tensor(t0), *theirs), theirs, create_graph=True
    )
    thvp = torch.autograd.grad((tgx * torch.tensor(v_x)).sum() + (tgw * torch.tensor(v_w)).sum(), theirs)

    for ours_g, theirs_g in zip((gx, gw, gb), (tgx, tgw, tgb)):
        np.testing.assert_allclose(ours_g.data, theirs_g.detach().numpy(), rtol=1e-12, atol=1e-14)
    for ours_h, theirs_h in zip(hvp, thvp):
        np.testing.assert_allclose(ours_h.data, theirs_h.numpy(), rtol=1e-11, atol=1e-13)


@pytest.mark.parametrize(
    "op, torch_op",
    [
        (lambda x: x.max(axis=1) * x.sum(axis=1), lambda t, x: t.amax(x, dim=1) * x.sum(dim=1)),
        (lambda x: x.var(axis=0, ddof=1).sqrt(), lambda t, x: t.var(x, dim=0, correction=1).sqrt()),
        (lambda x: nl.softmax(x, axis=0) ** 2, lambda t, x: t.softmax(x, dim=0) ** 2),
        (lambda x: nl.logsumexp(x * x, axis=1), lambda t, x: t.logsumexp(x * x, dim=1)),
        (lambda x: x[[0, 0, 2]].sigmoid() * x[1], lambda t, x: x[[0, 0, 2]].sigmoid() * x[1]),
        (lambda x: nl.concatenate([x.sin(), x**2], axis=1), lambda t, x: t.cat([x.sin(), x**2], dim=1)),
        (lambda x: nl.pad(x.exp(), 1).cos(), lambda t, x: t.nn.functional.pad(x.exp(), (1, 1, 1, 1)).cos()),
        (lambda x: (x @ x.T).tanh(), lambda t, x: (x @ x.T).tanh()),
    ],
    ids=[
        "max-times-sum",
        "std-ddof1",
        "softmax-squared",
        "logsumexp-of-square",
        "repeated-index",
        "concatenate",
        "pad",
        "matmul-transpose",
    ],
)
def test_hessian_vector_products_against_torch(op, torch_op):
    torch = pytest.importorskip("torch", reason="PyTorch not installed: cross-check skipped")
    rng = np.random.default_rng(3)
    x0, v = rng.standard_normal((3, 4)) * 0.7, rng.standard_normal((3, 4))
    x = nl.tensor(x0, requires_grad=True)
    y = op(x)
    u = rng.standard_normal(y.shape)
    (g,) = grad(y, x, grad_outputs=u, create_graph=True)
    (hv,) = grad((g * v).sum(), x)
    xt = torch.tensor(x0, requires_grad=True)
    (gt,) = torch.autograd.grad(torch_op(torch, xt), xt, grad_outputs=torch.tensor(u), create_graph=True)
    (hvt,) = torch.autograd.grad((gt * torch.tensor(v)).sum(), xt)
    np.testing.assert_allclose(g.data, gt.detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(hv.data, hvt.numpy(), rtol=1e-11, atol=1e-13)
