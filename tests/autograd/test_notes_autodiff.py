"""The lecture notes' worked examples, computed by the engine and compared with the answers printed there."""

import numpy as np
import pytest

import neuronlab as nl


def leaf(values):
    return nl.tensor(np.asarray(values, dtype=np.float64), requires_grad=True)


# ------------------------------------------------------------------ notes 000, section 3.3 (chain rule exercise)
X0 = np.array([-2.0, -0.3, 0.0, 0.8, 3.0])


def test_000_3_3_1_sigmoid_derivative_is_u_times_1_minus_u():
    """(1) z = z(u), u = 1/(1 + e^-x): dz/dx = u (1 - u) dz/du."""
    x = leaf(X0)
    u = nl.sigmoid(x)
    dz_du = np.array([1.0, -2.0, 0.5, 3.0, -1.0])
    u.backward(dz_du)
    np.testing.assert_allclose(x.grad.data, u.data * (1 - u.data) * dz_du, rtol=1e-15)


@pytest.mark.parametrize("t", [0.0, 1.0, 0.3])
def test_000_3_3_2_sigmoid_cross_entropy_gives_u_minus_t(t):
    """(2) z = -t log u - (1 - t) log(1 - u): dz/dx = u - t."""
    x = leaf(X0)
    u = nl.sigmoid(x)
    z = -t * nl.log(u) - (1 - t) * nl.log(1 - u)
    z.sum().backward()
    np.testing.assert_allclose(x.grad.data, u.data - t, rtol=1e-12, atol=1e-15)


def test_000_3_3_3_two_routes_add():
    """(3) z = z(u, v), u = 1 + e^x, v = 1 + e^-x: dz/dx = e^x z_u - e^-x z_v; here z = u v (z_u = v, z_v = u)."""
    x = leaf(X0)
    u, v = 1 + nl.exp(x), 1 + nl.exp(-x)
    (u * v).sum().backward()
    e = np.exp(X0)
    np.testing.assert_allclose(x.grad.data, e * (1 + 1 / e) - (1 / e) * (1 + e), rtol=1e-12, atol=1e-15)


def test_000_3_3_4_two_variable_softmax():
    """(4) (u, v) = softmax(x, y): dz/dx = u v (z_u - z_v), dz/dy = u v (-z_u + z_v)."""
    xy = leaf([0.7, -0.4])
    uv = nl.softmax(xy)
    z_u, z_v = 2.0, -3.0
    uv.backward(np.array([z_u, z_v]))
    u, v = uv.data
    np.testing.assert_allclose(xy.grad.data, [u * v * (z_u - z_v), u * v * (-z_u + z_v)], rtol=1e-14)


@pytest.mark.parametrize("s", [1.0, 0.0, 0.25])
def test_000_3_3_5_softmax_cross_entropy_gives_y_minus_t(s):
    """(5) z = -s log u - t log v with s + t = 1: dz/dx = u - s, dz/dy = v - t."""
    t = 1 - s
    xy = leaf([1.3, -0.2])
    uv = nl.softmax(xy)
    z = -(nl.log(uv) * np.array([s, t])).sum()
    z.backward()
    u, v = uv.data
    np.testing.assert_allclose(xy.grad.data, [u - s, v - t], rtol=1e-12, atol=1e-15)


def test_000_3_3_6_affine_backward():
    """(6) (y0, y1) = (x0 w00 + x1 w10 + b0, x0 w01 + x1 w11 + b1): dz/dx0 = w00 z_y0 + w01 z_y1, etc."""
    w = np.array([[0.5, -1.0], [2.0, 3.0]])
    x = leaf([1.0, -2.0])
    y = x @ w + np.array([0.1, 0.2])
    z_y = np.array([4.0, -1.5])
    y.backward(z_y)
    np.testing.assert_allclose(
        x.grad.data, [w[0, 0] * z_y[0] + w[0, 1] * z_y[1], w[1, 0] * z_y[0] + w[1, 1] * z_y[1]], rtol=1e-15
    )


# ------------------------------------------------------------------ notes 000, section 3.4 (computational graph)
def test_000_3_4_partials_of_squared_error():
    """z = (a x - y)^2: dz/dx = 2a(ax - y), dz/da = 2x(ax - y), dz/dy = -2(ax - y)."""
    a, x, y = leaf(1.5), leaf(-2.0), leaf(0.5)
    z = (a * x - y) ** 2
    z.backward()
    r = 1.5 * -2.0 - 0.5
    assert z.item() == r**2
    assert (x.grad.item(), a.grad.item(), y.grad.item()) == (2 * 1.5 * r, 2 * -2.0 * r, -2 * r)


def test_000_3_4_binary_cross_entropy_graph():
    """h = -y log(yhat) - (1 - y) log(1 - yhat), yhat = 1/(1 + s), s = e^-x: dh/dy = -x, dh/dx = yhat - y."""
    x, y = leaf(0.8), leaf(0.3)
    s = nl.exp(-x)
    y_hat = 1 / (1 + s)
    h = -y * nl.log(y_hat) - (1 - y) * nl.log(1 - y_hat)
    h.backward()
    assert y.grad.item() == pytest.approx(-0.8, rel=1e-12)
    assert x.grad.item() == pytest.approx(y_hat.item() - 0.3, rel=1e-12)


# ------------------------------------------------------------------ notes 000, section 3.6 (backpropagation exercise)
X_36 = [[2.0, -1.0, 1.0]]
W_36 = [[2.0, 0.0], [1.0, 1.0], [0.0, 4.0]]


def test_000_3_6_exercise_1_1_squared_error():
    """Y = XW = [3, 3]; E = ((y1 - 1)^2 + (y2 - 2)^2)/2: dE/dX = [4, 3, 4], dE/dW = [[4, 2], [-2, -1], [2, 1]]."""
    x, w = leaf(X_36), leaf(W_36)
    y = x @ w
    np.testing.assert_array_equal(y.data, [[3.0, 3.0]])
    e = ((y - np.array([[1.0, 2.0]])) ** 2).sum() / 2
    e.backward()
    np.testing.assert_array_equal(x.grad.data, [[4.0, 3.0, 4.0]])
    np.testing.assert_array_equal(w.grad.data, [[4.0, 2.0], [-2.0, -1.0], [2.0, 1.0]])


def test_000_3_6_exercise_1_2_softmax_cross_entropy():
    """t = (1, 0): dE/dY = [-1/2, 1/2], dE/dX = [-1, 0, 2], dE/dW = [[-1, 1], [1/2, -1/2], [-1/2, 1/2]]."""
    x, w = leaf(X_36), leaf(W_36)
    y = x @ w
    y.retain_grad()
    e = -(nl.log_softmax(y, axis=1) * np.array([[1.0, 0.0]])).sum()
    e.backward()
    np.testing.assert_allclose(y.grad.data, [[-0.5, 0.5]], rtol=1e-15)
    np.testing.assert_allclose(x.grad.data, [[-1.0, 0.0, 2.0]], rtol=1e-15, atol=1e-15)
    np.testing.assert_allclose(w.grad.data, [[-1.0, 1.0], [0.5, -0.5], [-0.5, 0.5]], rtol=1e-15)


def test_000_3_6_exercise_2_bias_gradient_is_the_column_sum():
    """Y = X + b (broadcast); dE/dY = [[1, 0], [0, -1], [1, 1]]: dE/dX = dE/dY, dE/db = sum(dE/dY, axis=0) = [2, 0]."""
    x = leaf([[1.0, 3.0], [2.0, -1.0], [0.0, 1.0]])
    b = leaf([2.0, 1.0])
    y = x + b
    np.testing.assert_array_equal(y.data, [[3.0, 4.0], [4.0, 0.0], [2.0, 2.0]])
    dE_dY = np.array([[1.0, 0.0], [0.0, -1.0], [1.0, 1.0]])
    y.backward(dE_dY)
    np.testing.assert_array_equal(x.grad.data, dE_dY)
    np.testing.assert_array_equal(b.grad.data, [2.0, 0.0])
    assert b.grad.shape == b.shape


# ------------------------------------------------------------------ notes 001: the worked forward pass
W10 = [[3.0, 1.0, 2.0], [-2.0, -3.0, -1.0]]
W21 = [[3.0, 2.0]]
X_001 = [[2.0], [3.0], [1.0]]


def test_001_forward_pass_relu_gives_33():
    """U1 = W10 X = [11, -14], H1 = ReLU(U1) = [11, 0], Y = W21 H1 = 33; L = (20 - 33)^2 = 169."""
    x, w1, w2 = nl.tensor(np.array(X_001)), leaf(W10), leaf(W21)
    b1, b2 = leaf([[0.0], [0.0]]), leaf([[0.0]])
    u1 = w1 @ x + b1
    np.testing.assert_array_equal(u1.data, [[11.0], [-14.0]])
    h1 = nl.relu(u1)
    np.testing.assert_array_equal(h1.data, [[11.0], [0.0]])
    y = w2 @ h1 + b2
    assert y.item() == 33.0
    loss = ((20.0 - y) ** 2).mean()
    assert loss.item() == 169.0
    loss.backward()
    # dL/dY = -2 (T - Y) = 26; dL/dW21 = 26 H1^T; the ReLU blocks the second hidden unit.
    np.testing.assert_array_equal(w2.grad.data, [[26.0 * 11, 0.0]])
    np.testing.assert_array_equal(w1.grad.data, 26.0 * 3 * np.array([[2.0, 3.0, 1.0], [0.0, 0.0, 0.0]]))


def test_001_gradient_of_the_sigmoid_network():
    """Same weights, sigmoid hidden units (notes 001): F([2,3,1]) = 2.99995156, dL/dW2 = [-33.999529, -2.827e-5]."""
    x, w1, w2 = nl.tensor(np.array(X_001)), leaf(W10), leaf(W21)
    y = w2 @ nl.sigmoid(w1 @ x)
    assert y.item() == pytest.approx(2.99995156, abs=5e-9)
    loss = ((20.0 - y) ** 2).sum()
    loss.backward()
    np.testing.assert_allclose(w2.grad.data, [[-3.39995290e01, -2.82720335e-05]], rtol=5e-9)


# ------------------------------------------------------------------ notes 003, section 4.1: Var/Op graph
@pytest.mark.parametrize("x0, y0", [(0.5, 2.0), (-1.3, 0.25), (np.pi, -1.0)])
def test_003_sin_x_plus_x_y(x0, y0):
    """f = sin(x) + x y: df/dx = cos(x) + y, df/dy = x; a = sin(x) and b = x y have creators Sin and Mul."""
    x, y = leaf(x0), leaf(y0)
    a = nl.sin(x)
    b = x * y
    f = a + b
    assert type(a.creator).__name__ == "Sin" and type(b.creator).__name__ == "Mul"
    assert type(f.creator).__name__ == "Add" and x.creator is None and y.creator is None
    assert f.item() == pytest.approx(np.sin(x0) + x0 * y0, rel=1e-15)
    f.backward()
    assert x.grad.item() == pytest.approx(np.cos(x0) + y0, rel=1e-15, abs=1e-15)
    assert y.grad.item() == x0
