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
    (x**2).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 4.0])


def test_pow_gradients_at_zero_base_are_masked_like_torch():
    """d(x^0)/dx = 0 at x = 0 (not 0 * 0^-1 = NaN); d(x^p)/dp = 0 at x = 0 for p >= 0 (not 0 * ln 0 = NaN)."""
    x0, p0 = np.array([0.0, 0.0, 0.0, 2.0]), np.array([0.0, 2.0, 0.5, 0.0])
    x, p = leaf(x0), leaf(p0)
    (x**p).sum().backward()
    # math: dx = p x^(p-1): 0 (p = 0), 0 (2 * 0), inf (0.5 * 0^-0.5), 0 (p = 0);  dp = x^p ln x: 0, 0, 0, ln 2
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.0, np.inf, 0.0])
    np.testing.assert_array_equal(p.grad.data, [0.0, 0.0, 0.0, np.log(2.0)])
    z = leaf([0.0, 1.0])
    (z**0.0).sum().backward()  # a constant: derivative 0 everywhere, 0 included
    np.testing.assert_array_equal(z.grad.data, [0.0, 0.0])
    e = leaf([0.0, 1.0, 2.0])
    (0.0**e).sum().backward()  # 0^e is 1 at e = 0, then 0: the one-sided derivative in e is 0 (torch too)
    np.testing.assert_array_equal(e.grad.data, [0.0, 0.0, 0.0])

    torch = pytest.importorskip("torch", reason="PyTorch not installed: cross-check skipped")
    tx, tp = torch.tensor(x0, requires_grad=True), torch.tensor(p0, requires_grad=True)
    (tx**tp).sum().backward()
    np.testing.assert_array_equal(x.grad.data, tx.grad.numpy())
    np.testing.assert_array_equal(p.grad.data, tp.grad.numpy())
    for exponent in (0.0, 1.0, 3.0, 0.5):
        ours, theirs = leaf([0.0, 1.5]), torch.tensor([0.0, 1.5], dtype=torch.float64, requires_grad=True)
        (ours**exponent).sum().backward()
        (theirs**exponent).sum().backward()
        np.testing.assert_allclose(ours.grad.data, theirs.grad.numpy(), rtol=1e-15, err_msg=f"x ** {exponent}")


INF = np.inf


def test_relu_of_infinities():
    """relu(-inf) = 0 (not -inf * 0 = NaN); finite gradients pass where x > 0 and stop elsewhere."""
    x = leaf([-INF, -1.0, 0.0, 2.0, INF])
    y = nl.relu(x)
    np.testing.assert_array_equal(y.data, [0.0, 0.0, 0.0, 2.0, INF])
    y.backward(np.array([5.0, 5.0, 5.0, 1.0, INF]))
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.0, 0.0, 1.0, INF])
    assert np.isnan(nl.relu(leaf([np.nan])).item())  # NaN propagates, as in max(0, x) of IEEE and PyTorch


def test_leaky_relu_clip_and_where_with_infinities():
    x = leaf([-INF, -2.0, 3.0, INF])
    np.testing.assert_array_equal(nl.leaky_relu(x, 0.5).data, [-INF, -1.0, 3.0, INF])
    np.testing.assert_array_equal(nl.leaky_relu(x, 0.0).data, [0.0, 0.0, 3.0, INF])  # slope 0 is relu
    c = leaf([-INF, -2.0, 0.5, INF])
    nl.clip(c, -1.0, 1.0).backward(np.array([INF, INF, 1.0, INF]))
    np.testing.assert_array_equal(c.grad.data, [0.0, 0.0, 1.0, 0.0])
    a, b = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    nl.where(np.array([True, False]), a, b).backward(np.array([INF, INF]))
    np.testing.assert_array_equal(a.grad.data, [INF, 0.0])
    np.testing.assert_array_equal(b.grad.data, [0.0, INF])


def test_infinities_against_torch():
    torch = pytest.importorskip("torch", reason="PyTorch not installed: cross-check skipped")
    x0, v = np.array([-INF, -1.0, 0.0, 2.0, INF]), np.array([INF, INF, INF, 1.0, INF])
    relu_x, relu_v = leaf(x0), torch.tensor(x0, requires_grad=True)
    np.testing.assert_array_equal(nl.relu(relu_x).data, torch.relu(relu_v).detach().numpy())
    cases = [
        (lambda t: nl.leaky_relu(t, 0.2), lambda t: torch.nn.functional.leaky_relu(t, 0.2)),
        (lambda t: nl.clip(t, -1.0, 1.0), lambda t: torch.clamp(t, -1.0, 1.0)),
    ]
    for ours_op, torch_op in cases:
        x, tx = leaf(x0), torch.tensor(x0, requires_grad=True)
        y, ty = ours_op(x), torch_op(tx)
        np.testing.assert_array_equal(y.data, ty.detach().numpy())
        y.backward(v)
        ty.backward(torch.tensor(v))
        np.testing.assert_array_equal(x.grad.data, tx.grad.numpy())


# ------------------------------------------------------------------ axes: negative, out of range, repeated
def test_permute_with_negative_axes_moves_the_gradient_back():
    """y = x.permute(-1, 0, -2): dx is dy with the inverse permutation, (2, 3, 4) again, not silently (2, 4, 3)."""
    x0 = np.arange(24.0).reshape(2, 3, 4)
    for dims in [(-1, 0, -2), (2, -3, 1), (-3, -2, -1)]:
        x = leaf(x0)
        y = x.permute(*dims)
        positive = tuple(d % 3 for d in dims)
        np.testing.assert_array_equal(y.data, np.transpose(x0, positive))
        v = np.random.default_rng(0).standard_normal(y.shape)
        y.backward(v)
        assert x.grad.shape == (2, 3, 4)
        np.testing.assert_array_equal(x.grad.data, np.transpose(v, np.argsort(positive)))
    assert nl.autograd.gradcheck(
        lambda t: nl.transpose(t, (-1, 0, 1)) * 1.0, [leaf(np.random.default_rng(1).standard_normal((2, 3, 4)))]
    )
    s = leaf(x0)
    nl.swapaxes(s, -1, 0).backward(np.ones((4, 3, 2)))
    assert s.grad.shape == (2, 3, 4)


@pytest.mark.parametrize(
    "call, pattern",
    [
        (lambda x: x.permute(0, 0, 1), r"permute: axes \(0, 0, 1\) are not a permutation of the 3 axes"),
        (lambda x: x.permute(0, -3, 1), r"permute: axes \(0, -3, 1\) are not a permutation"),
        (lambda x: x.permute(0, 1), r"permute: axes \(0, 1\) are not a permutation of the 3 axes"),
        (lambda x: x.permute(0, 1, 3), r"permute: dimension out of range: axis 3 for a tensor with 3 dimensions"),
        (lambda x: nl.transpose(x, (0, 1, -4)), r"transpose: dimension out of range: axis -4 .*3 dimensions"),
        (lambda x: nl.swapaxes(x, 0, 3), r"swapaxes: dimension out of range: axis 3 .*3 dimensions"),
        (lambda x: x.unsqueeze(4), r"unsqueeze: dimension out of range: axis 4 for a tensor with 4 dimensions"),
        (lambda x: nl.expand_dims(x, -5), r"unsqueeze: dimension out of range: axis -5 .*4 dimensions"),
        (lambda x: x.flatten(3), r"flatten: dimension out of range: axis 3 for a tensor with 3 dimensions"),
        (lambda x: x.flatten(0, -4), r"flatten: dimension out of range: axis -4 .*3 dimensions"),
        (lambda x: x.flatten(2, 1), r"flatten: start_dim 2 comes after end_dim 1"),
    ],
)
def test_bad_axes_are_refused_with_the_op_and_the_dimensions(call, pattern):
    """Out-of-range axes are IndexErrors (as PyTorch's 'Dimension out of range' and NumPy's AxisError), never
    wrapped around; axes that are in range but wrong together are ValueErrors."""
    with pytest.raises(IndexError if "out of range" in pattern else ValueError, match=pattern):
        call(leaf(np.ones((2, 3, 4))))


def test_unsqueeze_and_flatten_accept_every_valid_axis():
    x0 = np.ones((2, 3))
    for axis in range(-3, 3):  # -ndim-1 <= axis <= ndim
        assert nl.unsqueeze(leaf(x0), axis).shape == np.expand_dims(x0, axis).shape
    assert nl.unsqueeze(leaf(np.array(1.0)), -1).shape == (1,)
    assert leaf(np.ones((2, 3, 4))).flatten(-2, -1).shape == (2, 12)
    assert leaf(np.ones((2, 3, 4))).flatten(1, 1).shape == (2, 3, 4)
    assert leaf(np.array(5.0)).flatten(0, -1).shape == (1,)  # a 0-d tensor flattens to (1,), as in PyTorch


def test_matmul_with_a_nested_list_reports_both_shapes():
    a = nl.tensor(np.ones((3, 2)))
    with pytest.raises(ValueError, match=r"matmul: shapes \(1, 4\) and \(3, 2\) are not aligned"):
        nl.matmul([[1.0, 2.0, 3.0, 4.0]], a)
    with pytest.raises(ValueError, match=r"matmul: shapes \(3, 2\) and \(1, 2\) are not aligned"):
        nl.matmul(a, [[1.0, 2.0]])
    with pytest.raises(ValueError, match=r"matmul: shapes \(\) and \(3, 2\): an operand is a scalar"):
        nl.matmul(2.0, a)
    np.testing.assert_array_equal(nl.matmul([[1.0, 2.0, 3.0]], a).data, [[6.0, 6.0]])


# ------------------------------------------------------------------ issue 10's edge cases (expected values: torch)
def _torch():
    return pytest.importorskip("torch", reason="PyTorch not installed: cross-check skipped")


@pytest.mark.parametrize("ddof", [0, 1])
def test_std_of_equal_values_has_gradient_zero(ddof):
    torch = _torch()
    x = leaf([3.0, 3.0, 3.0])
    nl.std(x, ddof=ddof).backward()
    x_ref = torch.tensor([3.0, 3.0, 3.0], dtype=torch.float64, requires_grad=True)
    torch.std(x_ref, correction=ddof).backward()
    np.testing.assert_array_equal(x.grad.data, x_ref.grad.numpy())  # 0, not NaN
    rows = leaf([[1.0, 1.0], [1.0, 3.0]])
    nl.std(rows, axis=1).sum().backward()
    rows_ref = torch.tensor([[1.0, 1.0], [1.0, 3.0]], dtype=torch.float64, requires_grad=True)
    torch.std(rows_ref, dim=1, correction=0).sum().backward()
    np.testing.assert_array_equal(rows.grad.data, rows_ref.grad.numpy())


def test_log_softmax_keeps_float32_accuracy_on_large_logits():
    c = np.float32(1e5)
    logits = np.array([[c, c - 1, c - 2]], dtype=np.float32)
    exact = -np.log1p(np.exp(-1.0) + np.exp(-2.0))  # -0.40760596...: the shift by m is exact in float32
    y = nl.log_softmax(nl.tensor(logits), axis=1)
    assert y.dtype == np.float32
    assert abs(y.data[0, 0] - exact) < 1e-6
    loss = nn_functional().nll_loss(y, np.array([0]))
    assert abs(loss.item() + exact) < 1e-6


def nn_functional():
    from neuronlab.nn import functional

    return functional


@pytest.mark.parametrize("name", ["sum", "mean", "max", "min", "logsumexp", "var", "std"])
@pytest.mark.parametrize("axis", [0, -1, (0,), (-1,)])
def test_reductions_of_a_0d_tensor_accept_axis_0_and_minus_1(name, axis):
    torch = _torch()
    x = leaf(2.5)
    y = getattr(nl, name)(x, axis=axis)
    torch_op = {
        "max": torch.amax,
        "min": torch.amin,
        "var": lambda t, dim: torch.var(t, dim, correction=0),
        "std": lambda t, dim: torch.std(t, dim, correction=0),
    }.get(name, getattr(torch, name))
    x_ref = torch.tensor(2.5, dtype=torch.float64, requires_grad=True)
    y_ref = torch_op(x_ref, dim=axis)
    assert y.shape == tuple(y_ref.shape) == ()
    np.testing.assert_allclose(y.data, y_ref.detach().numpy())
    y.backward()
    y_ref.backward()
    np.testing.assert_allclose(x.grad.data, x_ref.grad.numpy())


@pytest.mark.parametrize("name", ["sum", "mean", "max", "logsumexp", "softmax"])
def test_axis_out_of_range_is_an_index_error_naming_the_op(name):
    with pytest.raises(IndexError, match=r"out of range"):
        getattr(nl, name)(leaf(np.ones((2, 3))), axis=2)
    with pytest.raises(IndexError, match=r"out of range"):
        getattr(nl, name)(leaf(2.0), axis=1)


def test_index_and_shape_errors():
    x = leaf(np.ones((2, 3)))
    with pytest.raises(IndexError, match=r"GetItem: index 5 is out of bounds .*\(input shapes: \(2, 3\)"):
        x[5]
    with pytest.raises(IndexError, match=r"concatenate: dimension out of range: axis 2"):
        nl.concatenate([x, x], axis=2)
    with pytest.raises(ValueError, match=r"Add: .*\(input shapes: \(2, 3\), \(4,\)\)"):
        x + leaf(np.ones(4))
    with pytest.raises(ValueError, match=r"Concatenate: .*\(input shapes: \(2, 3\), \(2, 4\)\)"):
        nl.concatenate([x, leaf(np.ones((2, 4)))], axis=0)


@pytest.mark.parametrize(
    "shape, axis", [((), 0), ((), -1), ((3, 1), 0), ((3, 1), 1), ((1, 3, 1), (0, 1)), ((2, 3), None), ((1, 1), -1)]
)
def test_squeeze_follows_torch(shape, axis):
    torch = _torch()
    values = np.arange(float(np.prod(shape))).reshape(shape)
    y = nl.squeeze(leaf(values), axis)
    y_ref = torch.squeeze(torch.tensor(values)) if axis is None else torch.squeeze(torch.tensor(values), axis)
    assert y.shape == tuple(y_ref.shape)


def test_iterating_a_0d_tensor_is_a_type_error_like_torch():
    with pytest.raises(TypeError, match="iteration over a 0-d tensor"):
        list(nl.tensor(1.0))
    with pytest.raises(TypeError, match="len\\(\\) of a 0-d tensor"):
        len(nl.tensor(1.0))
    rows = list(leaf([[1.0, 2.0], [3.0, 4.0]]))
    assert [r.tolist() for r in rows] == [[1.0, 2.0], [3.0, 4.0]]
    rows[1].sum().backward()  # the rows are differentiable views, as torch's unbind


def test_T_reverses_every_axis_and_mT_swaps_the_last_two():
    x = leaf(np.arange(24.0).reshape(2, 3, 4))
    assert x.T.shape == (4, 3, 2)  # NumPy's .T, and PyTorch's (deprecated) .T on ndim != 2
    np.testing.assert_array_equal(x.T.data, np.arange(24.0).reshape(2, 3, 4).T)
    assert x.mT.shape == (2, 4, 3)
    assert leaf([1.0, 2.0]).T.shape == (2,)
    with pytest.raises(ValueError, match="mT"):
        _ = leaf([1.0, 2.0]).mT
