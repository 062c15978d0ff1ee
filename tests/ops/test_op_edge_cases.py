"""Edge cases: huge magnitudes, repeated indices, ties, kinks, zero-size and degenerate shapes."""
import numpy as np
import pytest

import neuronlab as nl


def leaf(values, dtype=np.float64):
    return nl.tensor(np.asarray(values, dtype=dtype), requires_grad=True)


BIG = [-1000.0, -20.0, 0.0, 20.0, 1000.0]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", ["sigmoid", "softmax", "log_softmax", "logsumexp", "tanh"])
def test_saturating_functions_stay_finite_at_large_magnitudes(name, dtype):
    x = leaf(BIG, dtype)
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow to 0 is expected and fine
        y = getattr(nl, name)(x)
        y.backward(np.ones(y.shape, dtype=dtype))
    assert np.all(np.isfinite(y.data)) and np.all(np.isfinite(x.grad.data))
    assert y.dtype == dtype and x.grad.dtype == dtype


def test_large_magnitude_values_are_the_limits():
    x = np.array(BIG)
    np.testing.assert_array_equal(nl.sigmoid(leaf(x)).data[[0, -1]], [0.0, 1.0])
    np.testing.assert_allclose(nl.log_softmax(leaf(x)).data, x - 1000.0, atol=1e-12)
    assert nl.logsumexp(leaf(x)).item() == 1000.0
    assert nl.logsumexp(leaf([-1000.0, -1000.0])).item() == pytest.approx(-1000.0 + np.log(2), rel=1e-15)
    np.testing.assert_array_equal(nl.softmax(leaf(x)).data, [0.0, 0.0, 0.0, 0.0, 1.0])
    x_all = leaf([1000.0, 1000.0])
    nl.log_softmax(x_all)[0].backward()
    np.testing.assert_allclose(x_all.grad.data, [0.5, -0.5])


def test_logsumexp_of_minus_infinity():
    x = leaf([-np.inf, 0.0, np.log(3.0)])
    y = nl.logsumexp(x)
    assert y.item() == pytest.approx(np.log(4.0), rel=1e-15)
    y.backward()
    np.testing.assert_allclose(x.grad.data, [0.0, 0.25, 0.75], rtol=1e-15)


def test_repeated_indices_accumulate():
    x = leaf([10.0, 20.0, 30.0])
    y = x[np.array([0, 2, 0, 0])]
    np.testing.assert_array_equal(y.data, [10.0, 30.0, 10.0, 10.0])
    y.backward(np.array([1.0, 2.0, 3.0, 4.0]))
    np.testing.assert_array_equal(x.grad.data, [8.0, 0.0, 2.0])


def test_repeated_index_pairs_accumulate():
    x = leaf(np.zeros((2, 3)))
    y = x[[0, 1, 0], [2, 0, 2]]
    y.backward(np.array([1.0, 5.0, 2.0]))
    np.testing.assert_array_equal(x.grad.data, [[0.0, 0.0, 3.0], [5.0, 0.0, 0.0]])


def test_boolean_mask_gradient():
    x = leaf([[1.0, -2.0], [-3.0, 4.0]])
    y = x[x > 0]
    np.testing.assert_array_equal(y.data, [1.0, 4.0])
    (y * np.array([2.0, 3.0])).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [[2.0, 0.0], [0.0, 3.0]])


def test_index_with_a_tensor():
    x = leaf([1.0, 2.0, 3.0])
    y = x[nl.tensor([2, 2, 1])]
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 1.0, 2.0])


def test_maximum_and_minimum_split_ties_evenly():
    a, b = leaf([1.0, 2.0, 3.0]), leaf([1.0, 5.0, 3.0])
    (nl.maximum(a, b) * np.array([2.0, 1.0, 4.0])).sum().backward()
    np.testing.assert_array_equal(a.grad.data, [1.0, 0.0, 2.0])
    np.testing.assert_array_equal(b.grad.data, [1.0, 1.0, 2.0])
    a, b = leaf([1.0, 2.0]), leaf([1.0, 0.0])
    nl.minimum(a, b).sum().backward()
    np.testing.assert_array_equal(a.grad.data, [0.5, 0.0])
    np.testing.assert_array_equal(b.grad.data, [0.5, 1.0])


def test_max_and_min_reductions_split_ties_evenly():
    x = leaf([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]])
    x.max(axis=1).sum().backward()
    np.testing.assert_allclose(x.grad.data, [[0.0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]], rtol=1e-15)
    y = leaf([[4.0, 0.0], [4.0, 4.0]])
    y.max().backward()
    np.testing.assert_allclose(y.grad.data, [[1 / 3, 0.0], [1 / 3, 1 / 3]], rtol=1e-15)
    z = leaf([0.0, -1.0, -1.0])
    z.min().backward()
    np.testing.assert_array_equal(z.grad.data, [0.0, 0.5, 0.5])


def test_ties_against_torch():
    torch = pytest.importorskip("torch", reason="PyTorch not installed: cross-check skipped")
    a0 = np.array([[1.0, 3.0, 3.0, 0.0], [2.0, 2.0, 2.0, 2.0]])
    b0 = np.array([[1.0, 0.0, 3.0, 0.0], [2.0, 5.0, 1.0, 2.0]])
    cases = [
        (lambda a, b: nl.maximum(a, b), lambda a, b: torch.maximum(a, b)),
        (lambda a, b: nl.minimum(a, b), lambda a, b: torch.minimum(a, b)),
        (lambda a, b: a.max(axis=1) * b.sum(axis=1), lambda a, b: torch.amax(a, dim=1) * b.sum(dim=1)),
        (lambda a, b: a.min(axis=0) + b.max(), lambda a, b: torch.amin(a, dim=0) + b.max()),
        (lambda a, b: nl.relu(a - 2) + nl.abs(b - 2), lambda a, b: torch.relu(a - 2) + torch.abs(b - 2)),
        (lambda a, b: nl.clip(a, 1.0, 2.0) * b, lambda a, b: torch.clamp(a, 1.0, 2.0) * b),
    ]
    for ours_op, torch_op in cases:
        a, b = leaf(a0), leaf(b0)
        ta, tb = torch.tensor(a0, requires_grad=True), torch.tensor(b0, requires_grad=True)
        y, yt = ours_op(a, b), torch_op(ta, tb)
        v = np.arange(1.0, 1.0 + y.data.size).reshape(y.shape)
        y.backward(v)
        yt.backward(torch.tensor(v))
        np.testing.assert_array_equal(a.grad.data, ta.grad.numpy())
        np.testing.assert_array_equal(b.grad.data, tb.grad.numpy())


def test_kinks_follow_pytorch_subgradients():
    """relu'(0) = 0, |x|'(0) = 0, clip passes the gradient at its bounds, leaky_relu'(0) = slope."""
    x = leaf([0.0, 0.0])
    nl.relu(x).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.0])
    x = leaf([0.0])
    nl.abs(x).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0])
    x = leaf([-1.0, 1.0, 1.5, -2.0])
    nl.clip(x, -1.0, 1.0).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [1.0, 1.0, 0.0, 0.0])
    x = leaf([0.0, -1.0])
    nl.leaky_relu(x, 0.1).sum().backward()
    np.testing.assert_allclose(x.grad.data, [0.1, 0.1])


def test_where_with_broadcast_condition():
    a, b = leaf([[1.0, 2.0], [3.0, 4.0]]), leaf([10.0, 20.0])
    y = nl.where(np.array([True, False]), a, b)
    np.testing.assert_array_equal(y.data, [[1.0, 20.0], [3.0, 20.0]])
    y.sum().backward()
    np.testing.assert_array_equal(a.grad.data, [[1.0, 0.0], [1.0, 0.0]])
    np.testing.assert_array_equal(b.grad.data, [0.0, 2.0])


def test_sum_of_an_empty_axis_and_zero_size_tensors():
    x = leaf(np.zeros((0, 3)))
    y = x.sum(axis=0)
    np.testing.assert_array_equal(y.data, np.zeros(3))
    y.sum().backward()
    assert x.grad.shape == (0, 3)


def test_astype_gradient_is_converted_back():
    x = leaf([1.5, -2.25])
    y = x.astype(np.float32)
    assert y.dtype == np.float32
    (y * np.float32(2.0)).sum().backward()
    assert x.grad.dtype == np.float64
    np.testing.assert_array_equal(x.grad.data, [2.0, 2.0])
    assert x.astype(np.float64) is x  # no-op conversions add no node


def test_pow_at_zero_base_with_integer_exponent():
    x = leaf([0.0, 2.0])
    (x ** 2).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 4.0])
