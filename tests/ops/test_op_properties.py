"""Property tests (Hypothesis): random broadcastable shapes, random axes, random indices."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import neuronlab as nl
from neuronlab.autograd import gradcheck

SETTINGS = settings(max_examples=25, deadline=None)

BINARY = {
    "add": (nl.add, lambda a, b: a + b),
    "sub": (nl.sub, lambda a, b: a - b),
    "mul": (nl.mul, lambda a, b: a * b),
    "div": (nl.div, lambda a, b: a / b),
    "pow": (nl.pow, lambda a, b: a**b),
    "maximum": (nl.maximum, lambda a, b: np.maximum(a, b)),
    "minimum": (nl.minimum, lambda a, b: np.minimum(a, b)),
}


def _values(seed, shape, positive=False):
    rng = np.random.default_rng(seed)
    return rng.uniform(0.5, 2.0, shape) if positive else rng.standard_normal(shape)


def _sum_to(g, shape):
    """Reference for un-broadcasting, written independently: sum leading axes, then axes where shape has 1."""
    g = g.sum(axis=tuple(range(g.ndim - len(shape)))) if g.ndim > len(shape) else g
    return g.sum(axis=tuple(i for i, n in enumerate(shape) if n == 1), keepdims=True).reshape(shape)


@SETTINGS
@given(
    name=st.sampled_from(sorted(BINARY)),
    shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3),
    seed=st.integers(0, 2**32 - 1),
)
def test_binary_ops_with_random_broadcasting(name, shapes, seed):
    op, reference = BINARY[name]
    shape_a, shape_b = shapes.input_shapes
    positive = name in ("div", "pow")
    a0, b0 = _values(seed, shape_a, positive), _values(seed + 1, shape_b, positive)
    a, b = nl.tensor(a0, requires_grad=True), nl.tensor(b0, requires_grad=True)
    y = op(a, b)
    assert y.shape == shapes.result_shape
    np.testing.assert_allclose(y.data, reference(a0, b0), rtol=1e-15)
    v = np.random.default_rng(seed + 2).standard_normal(y.shape)
    y.backward(v)
    assert a.grad.shape == shape_a and b.grad.shape == shape_b
    if name == "mul":  # closed form: da = sum_to(v * b), db = sum_to(v * a)
        np.testing.assert_allclose(
            a.grad.data, _sum_to(v * np.broadcast_to(b0, y.shape), shape_a), rtol=1e-12, atol=1e-14
        )
        np.testing.assert_allclose(
            b.grad.data, _sum_to(v * np.broadcast_to(a0, y.shape), shape_b), rtol=1e-12, atol=1e-14
        )
    if name == "add":
        np.testing.assert_allclose(a.grad.data, _sum_to(v, shape_a), rtol=1e-12, atol=1e-14)
    assert gradcheck(
        lambda a, b: op(a, b), [nl.tensor(a0, requires_grad=True), nl.tensor(b0, requires_grad=True)], grad_output=v
    )


REDUCTIONS = {
    "sum": lambda x, axis, keepdims: x.sum(axis=axis, keepdims=keepdims),
    "mean": lambda x, axis, keepdims: x.mean(axis=axis, keepdims=keepdims),
    "max": lambda x, axis, keepdims: x.max(axis=axis, keepdims=keepdims),
    "min": lambda x, axis, keepdims: x.min(axis=axis, keepdims=keepdims),
    "var": lambda x, axis, keepdims: x.var(axis=axis, keepdims=keepdims),
    "std": lambda x, axis, keepdims: x.std(axis=axis, keepdims=keepdims),
    "logsumexp": lambda x, axis, keepdims: nl.logsumexp(x, axis=axis, keepdims=keepdims),
}
NUMPY_REDUCTIONS = {
    "sum": np.sum,
    "mean": np.mean,
    "max": np.max,
    "min": np.min,
    "var": np.var,
    "std": np.std,
    "logsumexp": lambda a, axis, keepdims: np.log(np.sum(np.exp(a), axis=axis, keepdims=keepdims)),
}


@st.composite
def shape_and_axes(draw):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=2, max_side=4))
    axes = draw(hnp.valid_tuple_axes(len(shape), min_size=1))  # negative axes included
    return shape, axes[0] if len(axes) == 1 and draw(st.booleans()) else axes


@SETTINGS
@given(
    name=st.sampled_from(sorted(REDUCTIONS)),
    case=shape_and_axes(),
    keepdims=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_reductions_over_random_axes(name, case, keepdims, seed):
    shape, axis = case
    x0 = _values(seed, shape)
    y = REDUCTIONS[name](nl.tensor(x0), axis, keepdims)
    expected = NUMPY_REDUCTIONS[name](x0, axis=axis, keepdims=keepdims)
    assert y.shape == np.shape(expected)
    np.testing.assert_allclose(y.data, expected, rtol=1e-12, atol=1e-14)
    assert gradcheck(
        lambda x: REDUCTIONS[name](x, axis, keepdims),
        [nl.tensor(x0, requires_grad=True)],
        generator=np.random.default_rng(seed),
    )


@SETTINGS
@given(
    shapes=hnp.mutually_broadcastable_shapes(signature="(m?,n),(n,p?)->(m?,p?)", max_dims=4, max_side=3),
    seed=st.integers(0, 2**32 - 1),
)
def test_matmul_with_random_batch_broadcasting(shapes, seed):
    shape_a, shape_b = shapes.input_shapes
    a0, b0 = _values(seed, shape_a), _values(seed + 1, shape_b)
    y = nl.matmul(nl.tensor(a0), nl.tensor(b0))
    np.testing.assert_allclose(y.data, np.matmul(a0, b0), rtol=1e-12, atol=1e-14)
    assert gradcheck(
        nl.matmul,
        [nl.tensor(a0, requires_grad=True), nl.tensor(b0, requires_grad=True)],
        generator=np.random.default_rng(seed),
    )


@SETTINGS
@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, max_side=4), data=st.data(), seed=st.integers(0, 2**32 - 1))
def test_softmax_family_identities(shape, data, seed):
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    x0 = _values(seed, shape) * 5
    s = nl.softmax(nl.tensor(x0), axis=axis).data
    log_s = nl.log_softmax(nl.tensor(x0), axis=axis).data
    lse = nl.logsumexp(nl.tensor(x0), axis=axis, keepdims=True).data
    np.testing.assert_allclose(s.sum(axis=axis), 1.0, rtol=1e-13)
    np.testing.assert_allclose(log_s, np.log(s), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(log_s, x0 - lse, rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(nl.softmax(nl.tensor(x0 + 100.0), axis=axis).data, s, rtol=1e-12, atol=1e-15)


@SETTINGS
@given(n=st.integers(1, 6), indices=st.lists(st.integers(-6, 5), min_size=1, max_size=12), seed=st.integers(0, 99))
def test_integer_indexing_gradient_counts_repeats(n, indices, seed):
    index = np.array([i % n for i in indices])
    x = nl.tensor(_values(seed, (n, 2)), requires_grad=True)
    y = x[index]
    np.testing.assert_array_equal(y.data, x.data[index])
    y.sum().backward()
    counts = np.bincount(index, minlength=n).astype(float)
    np.testing.assert_array_equal(x.grad.data, np.repeat(counts[:, None], 2, axis=1))


@st.composite
def shape_and_permutation(draw):
    """A shape, and a permutation of its axes in which each axis may be written as its negative alias."""
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=4, max_side=3))
    order = draw(st.permutations(range(len(shape))))
    negative = draw(st.lists(st.booleans(), min_size=len(shape), max_size=len(shape)))
    return shape, tuple(a - len(shape) if neg else a for a, neg in zip(order, negative))


@SETTINGS
@given(case=shape_and_permutation(), data=st.data(), seed=st.integers(0, 2**32 - 1))
def test_shape_ops_move_gradients_back(case, data, seed):
    """reshape, transpose, permute, swapaxes and flatten are permutations of the elements: the gradient is the
    cotangent moved back. The reference is NumPy's own function applied to an array of positions."""
    shape, order = case
    ndim = len(shape)
    a1, a2 = data.draw(st.integers(-ndim, ndim - 1)), data.draw(st.integers(-ndim, ndim - 1))
    x0 = _values(seed, shape)
    pairs = [  # (neuronlab op, NumPy reference)
        (lambda x: x.reshape(-1), lambda a: a.reshape(-1)),
        (lambda x: nl.transpose(x, order), lambda a: np.transpose(a, order)),
        (lambda x: x.permute(*order), lambda a: np.transpose(a, order)),
        (lambda x: nl.swapaxes(x, a1, a2), lambda a: np.swapaxes(a, a1, a2)),
        (lambda x: x.flatten(), lambda a: a.reshape(-1)),
        (lambda x: nl.unsqueeze(x, 0).squeeze(0), lambda a: a),
    ]
    positions = np.arange(x0.size).reshape(shape)
    for op, reference in pairs:
        x = nl.tensor(x0, requires_grad=True)
        y = op(x)
        np.testing.assert_array_equal(y.data, reference(x0))
        marks = np.arange(y.data.size, dtype=float).reshape(y.shape)
        y.backward(marks)
        assert x.grad.shape == shape
        # element k of the output came from x's flat position where_from[k]: that is where its cotangent goes
        where_from = reference(positions).reshape(-1)
        expected = np.empty(x0.size)
        expected[where_from] = marks.reshape(-1)
        np.testing.assert_array_equal(x.grad.data.reshape(-1), expected)
