"""Tensor construction, dtype rules, operators, the neuronlab namespace, and error messages."""

import numpy as np
import pytest

import neuronlab as nl
from neuronlab import Tensor


def leaf(values):
    return nl.tensor(np.asarray(values, dtype=np.float64), requires_grad=True)


# ------------------------------------------------------------------ dtype rules
@pytest.mark.parametrize(
    "data, dtype",
    [
        (1.5, np.float32),
        ([1.0, 2.0], np.float32),
        ([[1, 2.5]], np.float32),
        (np.array([1.0, 2.0]), np.float64),
        (np.float64(2.0), np.float64),
        (np.array([1.0], dtype=np.float32), np.float32),
        (np.array([1.0], dtype=np.float16), np.float16),
        ([1, 2, 3], np.int64),
        (7, np.int64),
        ([True, False], np.bool_),
    ],
)
def test_dtype_rules(data, dtype):
    assert nl.tensor(data).dtype == dtype
    assert Tensor(data).dtype == dtype


def test_explicit_dtype_and_copies():
    assert nl.tensor([1, 2], dtype=np.float64).dtype == np.float64
    assert nl.tensor([1.0, 2.0], dtype="float64").dtype == np.float64
    a = np.array([1.0, 2.0])
    assert nl.tensor(a).data is not a  # tensor() copies
    assert Tensor(a).data is a  # Tensor() wraps without a copy


def test_requires_grad_needs_floating_point():
    with pytest.raises(TypeError, match="floating-point"):
        nl.tensor([1, 2], requires_grad=True)
    with pytest.raises(TypeError, match="floating-point"):
        Tensor(np.array([True]), requires_grad=True)
    assert nl.tensor([1.0], requires_grad=True).requires_grad


def test_array_like_attributes():
    t = nl.tensor(np.arange(6.0).reshape(2, 3))
    assert t.shape == (2, 3) and t.ndim == 2 and t.size == 6 and t.numel() == 6 and len(t) == 2
    assert t.numpy() is t.data and t.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
    assert nl.tensor([[4.5]]).item() == 4.5 and float(nl.tensor(2.0)) == 2.0 and int(nl.tensor(3)) == 3
    with pytest.raises(ValueError, match=r"one-element.*\(2, 3\)"):
        t.item()
    assert np.asarray(t) is t.data


def test_repr():
    assert repr(nl.tensor([1.0, 2.0])) == "tensor([1., 2.])"
    assert repr(nl.tensor(np.array([1.0]))) == "tensor([1.], dtype=float64)"
    assert repr(nl.tensor([1.0], requires_grad=True)) == "tensor([1.], requires_grad=True)"
    assert "creator=<Mul>" in repr(nl.tensor([1.0], requires_grad=True) * 2)


# ------------------------------------------------------------------ operators with arrays and scalars
ARRAY = np.array([0.5, 2.0, 1.5])


@pytest.mark.parametrize(
    "expression, value, grad",
    [
        (lambda x: x + 2, lambda a: a + 2, lambda a: np.ones(3)),
        (lambda x: 2 + x, lambda a: 2 + a, lambda a: np.ones(3)),
        (lambda x: x - ARRAY, lambda a: a - ARRAY, lambda a: np.ones(3)),
        (lambda x: ARRAY - x, lambda a: ARRAY - a, lambda a: -np.ones(3)),
        (lambda x: ARRAY * x, lambda a: ARRAY * a, lambda a: ARRAY),
        (lambda x: x * ARRAY, lambda a: a * ARRAY, lambda a: ARRAY),
        (lambda x: 3 / x, lambda a: 3 / a, lambda a: -3 / a**2),
        (lambda x: ARRAY / x, lambda a: ARRAY / a, lambda a: -ARRAY / a**2),
        (lambda x: x / 4, lambda a: a / 4, lambda a: np.full(3, 0.25)),
        (lambda x: x**2, lambda a: a**2, lambda a: 2 * a),
        (lambda x: 2**x, lambda a: 2**a, lambda a: np.log(2) * 2**a),
        (lambda x: ARRAY**x, lambda a: ARRAY**a, lambda a: np.log(ARRAY) * ARRAY**a),
        (lambda x: ARRAY @ x, lambda a: ARRAY @ a, lambda a: ARRAY),
        (lambda x: x @ ARRAY, lambda a: a @ ARRAY, lambda a: ARRAY),
        (lambda x: -x, lambda a: -a, lambda a: -np.ones(3)),
        (lambda x: +x, lambda a: a, lambda a: np.ones(3)),
        (lambda x: abs(x - 1), lambda a: np.abs(a - 1), lambda a: np.sign(a - 1)),
        (lambda x: np.exp(x), np.exp, np.exp),
        (lambda x: np.sum(x * x), lambda a: np.sum(a * a), lambda a: 2 * a),
        (lambda x: x + [1.0, 2.0, 3.0], lambda a: a + [1.0, 2.0, 3.0], lambda a: np.ones(3)),
    ],
    ids=[
        "t+s",
        "s+t",
        "t-a",
        "a-t",
        "a*t",
        "t*a",
        "s/t",
        "a/t",
        "t/s",
        "t**s",
        "s**t",
        "a**t",
        "a@t",
        "t@a",
        "neg",
        "pos",
        "abs",
        "np.exp",
        "np.sum",
        "t+list",
    ],
)
def test_operators_with_arrays_and_scalars_on_either_side(expression, value, grad):
    a = np.array([1.5, -0.5, 3.0])
    x = leaf(a)
    y = expression(x)
    assert isinstance(y, Tensor) and y.requires_grad
    np.testing.assert_allclose(y.data, value(a), rtol=1e-15)
    y.backward(np.ones(y.shape))
    np.testing.assert_allclose(x.grad.data, grad(a), rtol=1e-15)


def test_python_scalars_keep_float32():
    x = nl.tensor([1.0, 2.0], requires_grad=True)
    for y in (x * 2, 2 * x, x + 0.5, x / 3, 1 - x, x**2, 2.0**x):
        assert y.dtype == np.float32


@pytest.mark.parametrize(
    "compare, expected",
    [
        (lambda x: x > 1, [False, True, False]),
        (lambda x: x >= 2, [False, True, False]),
        (lambda x: x < ARRAY, [False, False, True]),
        (lambda x: ARRAY <= x, [True, True, False]),
        (lambda x: x == 2, [False, True, False]),
        (lambda x: x != x, [False, False, False]),
        (lambda x: 1 < x, [False, True, False]),
    ],
    ids=[">", ">=", "<array", "array<=", "==", "!=", "reflected"],
)
def test_comparisons_return_plain_boolean_arrays(compare, expected):
    x = leaf([1.0, 2.0, -1.0])
    result = compare(x)
    assert type(result) is np.ndarray and result.dtype == np.bool_
    np.testing.assert_array_equal(result, expected)


def test_tensors_are_hashable_by_identity():
    x, y = leaf([1.0]), leaf([1.0])
    assert len({x, y, x}) == 2 and {x: 1}[x] == 1


# ------------------------------------------------------------------ the namespace
OPS = [
    "add",
    "sub",
    "mul",
    "div",
    "neg",
    "pow",
    "matmul",
    "exp",
    "log",
    "sqrt",
    "abs",
    "sin",
    "cos",
    "tanh",
    "sigmoid",
    "relu",
    "leaky_relu",
    "maximum",
    "minimum",
    "clip",
    "clamp",
    "where",
    "sum",
    "mean",
    "max",
    "min",
    "var",
    "std",
    "argmax",
    "argmin",
    "reshape",
    "transpose",
    "permute",
    "swapaxes",
    "squeeze",
    "unsqueeze",
    "flatten",
    "broadcast_to",
    "pad",
    "logsumexp",
    "softmax",
    "log_softmax",
    "astype",
]


@pytest.mark.parametrize("name", OPS)
def test_every_op_is_a_function_and_a_method(name):
    assert callable(getattr(nl, name, None)), f"neuronlab.{name} is missing"
    assert callable(getattr(Tensor, name, None)), f"Tensor.{name} is missing"
    assert name in nl.__all__


def test_function_and_method_agree():
    """Each op is reachable as neuronlab.op(x) and as x.op(), and both give NumPy's value (not each other's)."""
    a = np.random.default_rng(0).standard_normal((3, 4))
    x = nl.tensor(a)
    e = np.exp(a)
    cases = [  # (neuronlab function, Tensor method, NumPy reference)
        (nl.exp(x), x.exp(), e),
        (nl.relu(x), x.relu(), np.where(a > 0, a, 0.0)),
        (nl.sum(x, axis=1), x.sum(axis=1), a.sum(axis=1)),
        (nl.max(x, 0), x.max(0), a.max(axis=0)),
        (nl.var(x, ddof=1), x.var(ddof=1), np.var(a, ddof=1)),
        (nl.softmax(x, axis=0), x.softmax(axis=0), e / e.sum(axis=0)),
        (nl.reshape(x, (4, 3)), x.reshape(4, 3), a.reshape(4, 3)),
        (nl.transpose(x), x.T, a.T),
        (nl.permute(x, 1, 0), x.permute(1, 0), np.transpose(a, (1, 0))),
        (nl.clip(x, -0.5, 0.5), x.clamp(-0.5, 0.5), np.clip(a, -0.5, 0.5)),
        (nl.pow(x, 2), x.pow(2), a**2),
        (nl.matmul(x, x.T), x.matmul(x.T), a @ a.T),
        (nl.cat([x, x], axis=1), nl.concatenate([x, x], 1), np.concatenate([a, a], axis=1)),
    ]
    for k, (via_function, via_method, expected) in enumerate(cases):
        np.testing.assert_allclose(via_function.data, expected, rtol=1e-14, atol=1e-15, err_msg=f"case {k}")
        np.testing.assert_allclose(via_method.data, expected, rtol=1e-14, atol=1e-15, err_msg=f"case {k}")


def test_where_method_follows_pytorch():
    """PyTorch's x.where(condition, y) is where(condition, x, y)."""
    x = leaf([1.0, -2.0, 3.0])
    condition = np.array([True, False, True])
    y = x.where(condition, 0.0)
    np.testing.assert_array_equal(y.data, [1.0, 0.0, 3.0])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [1.0, 0.0, 1.0])


def test_dim_and_keepdim_aliases():
    x = nl.tensor(np.arange(24.0).reshape(2, 3, 4))
    for name in ("sum", "mean", "max", "min", "var", "std", "logsumexp"):
        by_axis = getattr(x, name)(axis=1, keepdims=True)
        by_dim = getattr(x, name)(dim=1, keepdim=True)
        assert by_dim.shape == (2, 1, 4)
        np.testing.assert_array_equal(by_axis.data, by_dim.data)
        np.testing.assert_array_equal(getattr(nl, name)(x, dim=[0, 2]).data, getattr(nl, name)(x, axis=(0, 2)).data)
        with pytest.raises(TypeError, match="either axis or dim"):
            getattr(x, name)(axis=0, dim=0)
    np.testing.assert_array_equal(nl.softmax(x, dim=0).data, nl.softmax(x, axis=0).data)
    np.testing.assert_array_equal(nl.log_softmax(x, dim=1).data, nl.log_softmax(x, axis=1).data)
    np.testing.assert_array_equal(nl.argmax(x, dim=2), np.argmax(x.data, axis=2))


def test_var_and_std_default_to_the_population_statistics():
    a = np.array([[1.0, 2.0, 4.0], [3.0, -1.0, 0.5]])
    np.testing.assert_allclose(nl.var(nl.tensor(a)).item(), a.var())
    np.testing.assert_allclose(nl.std(nl.tensor(a), axis=1).data, a.std(axis=1))
    np.testing.assert_allclose(nl.var(nl.tensor(a), axis=0, ddof=1).data, a.var(axis=0, ddof=1))
    with pytest.raises(ValueError, match="ddof"):
        nl.var(nl.tensor(a), axis=0, ddof=2)


def test_max_with_axis_returns_values_and_argmax_indices():
    a = np.array([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]])
    np.testing.assert_array_equal(nl.max(nl.tensor(a), axis=1).data, [5.0, 7.0])
    assert type(nl.argmax(nl.tensor(a), axis=1)) is np.ndarray
    np.testing.assert_array_equal(nl.argmax(nl.tensor(a), axis=1), [1, 0])
    np.testing.assert_array_equal(nl.argmin(nl.tensor(a), axis=0), [0, 1, 0])


# ------------------------------------------------------------------ error messages
def test_shape_mismatch_names_the_op_and_both_shapes():
    a, b = nl.tensor(np.ones((2, 3))), nl.tensor(np.ones((4, 3)))
    for op, name in ((nl.add, "Add"), (nl.mul, "Mul"), (nl.sub, "Sub"), (nl.div, "Div"), (nl.maximum, "Maximum")):
        with pytest.raises(ValueError) as info:
            op(a, b)
        message = str(info.value)
        assert name in message and "(2, 3)" in message and "(4, 3)" in message
    with pytest.raises(ValueError, match=r"matmul.*\(2, 3\).*\(4, 3\)"):
        a @ b
    with pytest.raises(ValueError, match=r"(?i)reshape"):
        a.reshape(4, 2)


def test_bad_arguments_are_reported():
    x = nl.tensor(np.ones((2, 3)))
    with pytest.raises(IndexError, match=r"Sum: axis 2 is out of range for a tensor with 2 dimensions"):
        x.sum(axis=2)
    with pytest.raises(ValueError, match="at least one of min and max"):
        nl.clip(x)
