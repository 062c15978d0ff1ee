"""The breadth ops of issue 10 beyond the op table: factories, index and boolean results, ties, zeros in
products, large magnitudes, errors, NumPy dispatch, modules. Expected values come from PyTorch or the math."""

import numpy as np
import pytest

import neuronlab as nl
import neuronlab.nn.functional as F
from neuronlab import nn
from neuronlab.autograd import gradcheck, gradgradcheck

torch = pytest.importorskip("torch", reason="PyTorch not installed: cross-check skipped")


def leaf(values):
    return nl.tensor(np.asarray(values, dtype=np.float64), requires_grad=True)


def twin(values):
    """The same float64 values as a neuronlab leaf and a PyTorch leaf."""
    values = np.asarray(values, dtype=np.float64)
    return nl.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)


# ---------------------------------------------------------------------------------------------- factories
@pytest.mark.parametrize("name", ["zeros", "ones", "empty", "rand", "randn"])
def test_sized_factories_take_both_size_forms_dtype_and_requires_grad(name):
    f = getattr(nl, name)
    assert f(2, 3).shape == f((2, 3)).shape == f([2, 3]).shape == (2, 3)
    assert f(2, 3).dtype == np.float32 and f().shape == ()
    x = f(4, dtype=nl.float64, requires_grad=True)
    assert x.dtype == np.float64 and x.requires_grad and x.is_leaf
    with pytest.raises(ValueError, match=name):
        f(2, -1)


def test_constant_factories_match_torch():
    np.testing.assert_array_equal(nl.zeros(2, 3).data, torch.zeros(2, 3).numpy())
    np.testing.assert_array_equal(nl.ones(3).data, torch.ones(3).numpy())
    np.testing.assert_array_equal(nl.eye(3).data, torch.eye(3).numpy())
    np.testing.assert_array_equal(nl.eye(2, 4).data, torch.eye(2, 4).numpy())
    for value, dtype in [(1.5, np.float32), (7, np.int64), (True, np.bool_)]:
        full = nl.full((2, 2), value)
        assert full.dtype == dtype == torch.full((2, 2), value).numpy().dtype
        np.testing.assert_array_equal(full.data, value)
    assert nl.full((2,), 3, dtype="float64").dtype == np.float64


@pytest.mark.parametrize("args", [(5,), (2, 9), (1, 2, 0.25), (0.0, 1.0, 0.1), (5, 0, -2), (-1.5, 2.5), (3, 3)])
def test_arange_matches_torch(args):
    ours, theirs = nl.arange(*args), torch.arange(*args)
    assert ours.dtype == theirs.numpy().dtype
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-6)


def test_linspace_matches_torch():
    np.testing.assert_allclose(nl.linspace(-1, 2, 7).data, torch.linspace(-1, 2, 7).numpy(), rtol=1e-6)
    assert nl.linspace(0, 1, 0).shape == (0,) and nl.linspace(0, 1, 5, dtype="float64").dtype == np.float64


def test_like_factories_keep_shape_and_dtype():
    x = nl.tensor(np.arange(6.0).reshape(2, 3))
    for f in (nl.zeros_like, nl.ones_like, nl.empty_like):
        assert f(x).shape == (2, 3) and f(x).dtype == np.float64 and f(x, dtype="float32").dtype == np.float32
    np.testing.assert_array_equal(nl.full_like(x, 2.5).data, np.full((2, 3), 2.5))
    assert nl.zeros_like(x, requires_grad=True).requires_grad
    assert nl.ones_like(np.zeros((2, 2), dtype=np.int64)).dtype == np.int64


def test_random_factories_follow_the_library_seed():
    nl.manual_seed(3)
    first = [nl.rand(4).data, nl.randn(2, 2).data, nl.randint(0, 10, (5,)).data]
    nl.manual_seed(3)
    second = [nl.rand(4).data, nl.randn(2, 2).data, nl.randint(0, 10, (5,)).data]
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    own = np.random.default_rng(0)
    np.testing.assert_array_equal(
        nl.randn(3, generator=own).data, np.random.default_rng(0).standard_normal(3).astype(np.float32)
    )


def test_randint_forms_range_and_dtype():
    nl.manual_seed(0)
    values = nl.randint(3, 7, (1000,))
    assert values.dtype == np.int64 and values.data.min() == 3 and values.data.max() == 6
    assert nl.randint(4, (2, 3)).shape == (2, 3) and nl.randint(4, size=(2,)).data.max() < 4
    assert nl.randint(0, 2, (3,), dtype="int32").dtype == np.int32
    with pytest.raises(ValueError, match="high"):
        nl.randint(5, 5, (2,))


def test_random_draws_have_the_right_distribution():
    nl.manual_seed(1)
    u, z = nl.rand(20000).data, nl.randn(20000).data
    assert 0 <= u.min() and u.max() < 1 and abs(u.mean() - 0.5) < 0.01
    assert abs(z.mean()) < 0.03 and abs(z.std() - 1) < 0.03


# ---------------------------------------------------------------------------------------------- value tests
SPECIAL = np.array([1.0, -np.inf, np.nan, 0.0, np.inf, -2.5])


@pytest.mark.parametrize("name", ["isnan", "isinf", "isfinite"])
def test_value_tests_match_torch(name):
    result = getattr(nl, name)(nl.tensor(SPECIAL))
    assert result.dtype == np.bool_
    np.testing.assert_array_equal(result, getattr(torch, name)(torch.tensor(SPECIAL)).numpy())


def test_isclose_and_allclose_match_torch():
    a, b = np.array([1.0, 1.0 + 1e-6, np.nan, 2.0]), np.array([1.0, 1.0, np.nan, 2.1])
    for kwargs in [{}, {"equal_nan": True}, {"rtol": 0.1}, {"atol": 0.2, "rtol": 0.0}]:
        np.testing.assert_array_equal(
            nl.isclose(nl.tensor(a), b, **kwargs), torch.isclose(torch.tensor(a), torch.tensor(b), **kwargs).numpy()
        )
        assert nl.allclose(nl.tensor(a), b, **kwargs) is torch.allclose(torch.tensor(a), torch.tensor(b), **kwargs)
    assert nl.tensor([1.0, 2.0]).allclose([1.0, 2.0 + 1e-9])


def test_floor_divide_and_remainder_operators_match_torch():
    a, b = np.array([7.0, -7.0, 7.5, -0.5]), np.array([2.0, 2.0, -2.0, 3.0])
    ta, tb = torch.tensor(a), torch.tensor(b)
    np.testing.assert_array_equal((nl.tensor(a) // nl.tensor(b)).data, (ta // tb).numpy())
    np.testing.assert_array_equal((nl.tensor(a) % nl.tensor(b)).data, (ta % tb).numpy())
    np.testing.assert_array_equal(nl.fmod(nl.tensor(a), b).data, torch.fmod(ta, tb).numpy())
    np.testing.assert_array_equal((7 // nl.tensor(b)).data, (7 // tb).numpy())
    ints = nl.floor_divide(nl.tensor(np.array([7, -7])), 2)
    assert ints.dtype == np.int64 and ints.tolist() == [3, -4]


@pytest.mark.parametrize("name", ["sign", "floor", "ceil", "round", "trunc"])
def test_rounding_has_zero_gradient_and_torch_values(name):
    values = np.array([-2.5, -1.5, -0.4, 0.0, 0.5, 1.5, 2.7])
    x, x_ref = twin(values)
    getattr(nl, name)(x).sum().backward()
    getattr(torch, name)(x_ref).sum().backward()
    np.testing.assert_array_equal(getattr(nl, name)(x).data, getattr(torch, name)(x_ref).detach().numpy())
    np.testing.assert_array_equal(x.grad.data, x_ref.grad.numpy())


def test_rounding_keeps_integer_dtypes_as_torch():
    ints = np.array([-3, 0, 4])
    for name in ["sign", "floor", "ceil", "round", "trunc"]:
        ours, theirs = getattr(nl, name)(nl.tensor(ints)), getattr(torch, name)(torch.tensor(ints))
        assert ours.dtype == theirs.numpy().dtype == np.int64
        np.testing.assert_array_equal(ours.data, theirs.numpy())


def test_elementwise_functions_at_large_magnitudes_are_finite():
    big = np.array([-1000.0, -30.0, 0.0, 30.0, 1000.0])
    for name in ["softplus", "logsigmoid", "selu", "celu", "silu", "mish"]:
        x, x_ref = twin(big)
        y = getattr(F, name)(x)
        y.backward(np.ones(5))
        y_ref = getattr(torch.nn.functional, name)(x_ref)
        y_ref.backward(torch.ones(5, dtype=torch.float64))
        np.testing.assert_allclose(y.data, y_ref.detach().numpy(), rtol=1e-12, err_msg=name)
        np.testing.assert_allclose(x.grad.data, x_ref.grad.numpy(), rtol=1e-12, atol=1e-300, err_msg=name)
    x, x_ref = twin(big)
    nl.logaddexp(x, 0.5).sum().backward()
    torch.logaddexp(x_ref, torch.tensor(0.5, dtype=torch.float64)).sum().backward()
    np.testing.assert_allclose(x.grad.data, x_ref.grad.numpy(), rtol=1e-12)


def test_activation_boundaries_follow_torch():
    """hardtanh's gradient is 0 on its bounds (strict), relu6's at 0 and 6, hardsigmoid's at -3 and 3;
    softplus past the threshold is x."""
    values = [-3.0, -1.0, 1.0, 0.0, 3.0, 6.0, 25.0]
    for f, f_ref in [
        (lambda x: F.hardtanh(x), torch.nn.functional.hardtanh),
        (F.relu6, torch.nn.functional.relu6),
        (F.hardswish, torch.nn.functional.hardswish),
        (F.hardsigmoid, torch.nn.functional.hardsigmoid),
        (lambda x: F.softplus(x, 1.0, 20.0), torch.nn.functional.softplus),
    ]:
        x, x_ref = twin(values)
        f(x).sum().backward()
        f_ref(x_ref).sum().backward()
        # rtol: PyTorch's hardsigmoid slope is the float32 constant 1.0f / 6 (the kinks differ by 0 vs nonzero)
        np.testing.assert_allclose(x.grad.data, x_ref.grad.numpy(), rtol=1e-7)


def test_normalize_of_a_zero_row_is_zero_with_a_finite_gradient():
    x, x_ref = twin([[0.0, 0.0, 0.0], [3.0, 4.0, 0.0]])
    y = F.normalize(x)
    y.backward(np.ones((2, 3)))
    torch.nn.functional.normalize(x_ref).backward(torch.ones(2, 3, dtype=torch.float64))
    np.testing.assert_allclose(y.data, [[0, 0, 0], [0.6, 0.8, 0]])
    np.testing.assert_allclose(x.grad.data, x_ref.grad.numpy(), rtol=1e-12, atol=1e-12)


# ---------------------------------------------------------------------------------------------- products, scans
@pytest.mark.parametrize("values", [[2.0, 0.0, 3.0, -1.5], [0.0, 2.0, 0.0, 3.0], [0.0, 0.0, 0.0, 1.0]])
def test_prod_and_cumprod_gradients_with_zeros_match_torch(values):
    for ours, theirs in [
        (lambda x: nl.prod(x), torch.prod),
        (lambda x: nl.cumprod(x, 0), lambda x: torch.cumprod(x, 0)),
    ]:
        x, x_ref = twin(values)
        y, y_ref = ours(x), theirs(x_ref)
        v = np.arange(1.0, 1.0 + y.data.size).reshape(y.shape)
        y.backward(v)
        y_ref.backward(torch.tensor(v))
        np.testing.assert_allclose(x.grad.data, x_ref.grad.numpy(), rtol=1e-12)
        assert gradcheck(ours, [leaf(values)], grad_output=v)
        assert gradgradcheck(ours, [leaf(values)], grad_output=v)


def test_cumprod_with_zeros_in_a_matrix():
    values = np.array([[1.5, 0.0, 2.0], [0.5, -1.0, 0.0]])
    x, x_ref = twin(values)
    nl.cumprod(x, 1).backward(np.ones((2, 3)))
    torch.cumprod(x_ref, 1).backward(torch.ones(2, 3, dtype=torch.float64))
    np.testing.assert_allclose(x.grad.data, x_ref.grad.numpy(), rtol=1e-12)


def test_prod_of_empty_and_integer_tensors():
    assert nl.prod(nl.zeros(0)).item() == 1.0
    assert nl.prod(nl.tensor(np.array([2, 3, 4]))).item() == 24


def test_logcumsumexp_stays_finite_at_large_magnitudes():
    x, x_ref = twin([[1000.0, 1000.0, -5.0, 990.0], [-np.inf, 0.0, -np.inf, 1.0]])
    y = nl.logcumsumexp(x, 1)
    y.backward(np.ones((2, 4)))
    torch.logcumsumexp(x_ref, 1).backward(torch.ones(2, 4, dtype=torch.float64))
    np.testing.assert_allclose(y.data, torch.logcumsumexp(x_ref, 1).detach().numpy(), rtol=1e-14)
    # PyTorch's gradient is NaN (0/0) for a leading -inf; here it is 0, as for the other -inf entries
    expected = np.nan_to_num(x_ref.grad.numpy(), nan=0.0)
    np.testing.assert_allclose(x.grad.data, expected, rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize("dtype, span", [(np.float64, 1000.0), (np.float32, 100.0)])
def test_logcumsumexp_gradient_over_a_wide_range_matches_torch(dtype, span):
    """Log-sums that span more than the exponent range take the pairwise path; values from PyTorch."""
    values = np.array([[-span, 0.0, -span / 2, 1.0], [2.0, -span, 3.0, -1.0]], dtype=dtype)
    for dim in (0, 1):
        x, x_ref = nl.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
        v = np.arange(1.0, 9.0, dtype=dtype).reshape(2, 4)
        nl.logcumsumexp(x, dim).backward(v)
        torch.logcumsumexp(x_ref, dim).backward(torch.tensor(v))
        tol = {"rtol": 1e-5, "atol": 1e-40} if dtype == np.float32 else {"rtol": 1e-12}  # float32: subnormal grads
        np.testing.assert_allclose(x.grad.data, x_ref.grad.numpy(), **tol)
    wide = leaf([[-800.0, 0.5, -400.0], [0.2, -900.0, 0.1]])
    assert gradgradcheck(lambda x: nl.logcumsumexp(x, 1), [wide], grad_output=np.ones((2, 3)))


@pytest.mark.parametrize("name", ["cummax", "cummin"])
def test_running_extrema_indices_match_torch_with_ties(name):
    values = np.array([[1.0, 3.0, 3.0, 2.0, 3.0], [2.0, 1.0, 1.0, 3.0, 1.0]])
    for dim in (0, 1, -1):
        ours, theirs = getattr(nl, name)(leaf(values), dim), getattr(torch, name)(torch.tensor(values), dim)
        np.testing.assert_array_equal(ours.values.data, theirs.values.numpy())
        np.testing.assert_array_equal(ours.indices, theirs.indices.numpy())
        assert ours.indices.dtype == np.int64
    x, x_ref = twin(values)
    getattr(nl, name)(x, 1).values.sum().backward()
    getattr(torch, name)(x_ref, 1).values.sum().backward()
    np.testing.assert_array_equal(x.grad.data, x_ref.grad.numpy())


def test_scan_dims_accept_the_axis_alias_and_check_range():
    x = nl.tensor(np.arange(6.0).reshape(2, 3))
    np.testing.assert_array_equal(nl.cumsum(x, axis=1).data, np.cumsum(x.data, axis=1))
    with pytest.raises(TypeError, match="cumsum"):
        nl.cumsum(x)
    with pytest.raises((IndexError, ValueError), match="cumsum"):
        nl.cumsum(x, 2)


# ---------------------------------------------------------------------------------------------- sorting, any/all
TIES = np.array([[3.0, 1.0, 3.0, 2.0, 1.0], [0.5, 0.5, 0.5, -1.0, 2.0]])


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_sort_and_argsort_are_stable_as_torch(dim, descending):
    ours = nl.sort(leaf(TIES), dim, descending)
    theirs = torch.sort(torch.tensor(TIES), dim=dim, descending=descending, stable=True)
    np.testing.assert_array_equal(ours.values.data, theirs.values.numpy())
    np.testing.assert_array_equal(ours.indices, theirs.indices.numpy())
    expected = torch.argsort(torch.tensor(TIES), dim=dim, descending=descending, stable=True)
    np.testing.assert_array_equal(nl.argsort(TIES, dim, descending), expected.numpy())
    values, indices = ours  # unpacks like PyTorch's return type
    assert values is ours.values and indices.dtype == np.int64


def test_sort_gradient_goes_to_the_entry_whose_index_is_returned():
    x, x_ref = twin(TIES)
    v = np.arange(10.0).reshape(2, 5)
    nl.sort(x, 1).values.backward(v)
    torch.sort(x_ref, dim=1, stable=True).values.backward(torch.tensor(v))
    np.testing.assert_array_equal(x.grad.data, x_ref.grad.numpy())


def test_sort_puts_nan_where_torch_does():
    values = np.array([2.0, np.nan, -1.0, 5.0])
    for descending in (False, True):
        ours = nl.sort(nl.tensor(values), descending=descending)
        theirs = torch.sort(torch.tensor(values), descending=descending, stable=True)
        np.testing.assert_array_equal(ours.indices, theirs.indices.numpy())


def test_topk_and_median_indices_match_torch():
    data = np.array([[4.0, 1.0, 7.0, 3.0, 9.0, 2.0], [5.0, 4.5, 0.0, 8.0, 1.0, 6.0]])
    for k, largest in [(1, True), (3, True), (2, False), (0, True)]:
        ours, theirs = nl.topk(leaf(data), k, 1, largest), torch.topk(torch.tensor(data), k, 1, largest)
        np.testing.assert_array_equal(ours.values.data, theirs.values.numpy())
        np.testing.assert_array_equal(ours.indices, theirs.indices.numpy())
    with pytest.raises(IndexError, match="topk"):
        nl.topk(leaf(data), 7)
    med, med_ref = nl.median(leaf(data), 1, keepdim=True), torch.median(torch.tensor(data), 1, keepdim=True)
    np.testing.assert_array_equal(med.values.data, med_ref.values.numpy())
    np.testing.assert_array_equal(med.indices, med_ref.indices.numpy())
    assert nl.median(leaf(data)).item() == torch.median(torch.tensor(data)).item() == 4.0


@pytest.mark.parametrize("name", ["any", "all"])
def test_any_all_match_torch(name):
    data = np.array([[0.0, 1.0, 2.0], [0.0, 0.0, 3.0]])
    t = torch.tensor(data)
    assert getattr(nl, name)(nl.tensor(data)) == getattr(torch, name)(t).item()
    for dim, keepdim in [(0, False), (1, True), (-1, False)]:
        ours = getattr(nl.tensor(data), name)(dim, keepdim)
        assert ours.dtype == np.bool_
        np.testing.assert_array_equal(ours, getattr(torch, name)(t, dim, keepdim).numpy())
    with pytest.raises(IndexError):
        getattr(nl, name)(nl.tensor(data), 2)


def test_argmax_argmin_keepdims_match_torch():
    data = np.array([[1.0, 5.0, 5.0], [7.0, 0.0, 7.0]])
    for dim in (0, 1, -1):
        np.testing.assert_array_equal(
            nl.argmax(nl.tensor(data), dim, keepdims=True), torch.argmax(torch.tensor(data), dim, keepdim=True).numpy()
        )
        np.testing.assert_array_equal(
            nl.tensor(data).argmin(dim=dim, keepdim=True), torch.argmin(torch.tensor(data), dim, keepdim=True).numpy()
        )


# ---------------------------------------------------------------------------------------------- indexing
def test_scatter_with_a_larger_src_matches_torch_values():
    x, src = np.zeros((3, 4)), np.arange(10.0).reshape(2, 5)
    index = np.array([[2, 0], [1, 3]])
    np.testing.assert_array_equal(
        nl.scatter(nl.tensor(x), 1, index, nl.tensor(src)).data,
        torch.scatter(torch.tensor(x), 1, torch.tensor(index), torch.tensor(src)).numpy(),
    )
    np.testing.assert_array_equal(
        nl.scatter_add(nl.tensor(x), 1, index, nl.tensor(src)).data,
        torch.scatter_add(torch.tensor(x), 1, torch.tensor(index), torch.tensor(src)).numpy(),
    )


def test_gather_index_errors():
    x = nl.tensor(np.zeros((3, 4)))
    with pytest.raises(IndexError, match="gather"):
        nl.gather(x, 1, np.array([[4]]))
    with pytest.raises(IndexError, match="gather"):
        nl.gather(x, 1, np.array([[-1]]))
    with pytest.raises(ValueError, match=r"gather.*\(5, 1\).*\(3, 4\)"):
        nl.gather(x, 1, np.zeros((5, 1), dtype=int))
    with pytest.raises(TypeError, match="integer"):
        nl.gather(x, 0, np.zeros((1, 1)))
    with pytest.raises(IndexError, match="index_select"):
        nl.index_select(x, 0, np.array([3]))
    with pytest.raises(ValueError, match="masked_fill"):
        nl.masked_fill(x, np.ones((2, 4), dtype=bool), 0.0)


def test_nonzero_and_one_hot_match_torch():
    data = np.array([[0.0, 1.5, 0.0], [2.0, 0.0, -1.0]])
    np.testing.assert_array_equal(nl.nonzero(nl.tensor(data)), torch.nonzero(torch.tensor(data)).numpy())
    for ours, theirs in zip(nl.nonzero(data, as_tuple=True), torch.nonzero(torch.tensor(data), as_tuple=True)):
        np.testing.assert_array_equal(ours, theirs.numpy())
    labels = np.array([[0, 2], [1, 1]])
    np.testing.assert_array_equal(F.one_hot(labels), torch.nn.functional.one_hot(torch.tensor(labels)).numpy())
    assert F.one_hot(labels, 4).shape == (2, 2, 4) and F.one_hot(labels).dtype == np.int64
    with pytest.raises(ValueError, match="one_hot"):
        F.one_hot(labels, 2)


def test_masked_fill_with_a_tensor_value_passes_it_a_gradient():
    x, value = leaf([[1.0, 2.0], [3.0, 4.0]]), leaf(5.0)
    y = nl.masked_fill(x, np.array([True, False]), value)
    y.sum().backward()
    np.testing.assert_array_equal(y.data, [[5.0, 2.0], [5.0, 4.0]])
    assert value.grad.item() == 2.0 and x.grad.tolist() == [[0.0, 1.0], [0.0, 1.0]]


# ---------------------------------------------------------------------------------------------- rearrangement
def test_pieces_match_torch():
    data = np.arange(14.0).reshape(7, 2)
    for ours, theirs in [
        (nl.split(data, 3), torch.split(torch.tensor(data), 3)),
        (nl.split(data, [2, 0, 5]), torch.split(torch.tensor(data), [2, 0, 5])),
        (nl.chunk(data, 3), torch.chunk(torch.tensor(data), 3)),
        (nl.chunk(data, 5, 1), torch.chunk(torch.tensor(data), 5, 1)),
        (nl.unbind(data, 1), torch.unbind(torch.tensor(data), 1)),
        (
            nl.meshgrid(data[:, 0], data[:3, 1], indexing="xy"),
            torch.meshgrid(torch.tensor(data[:, 0]), torch.tensor(data[:3, 1]), indexing="xy"),
        ),
    ]:
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            np.testing.assert_array_equal(a.data, b.numpy())
    with pytest.raises(ValueError, match="split"):
        nl.split(data, [2, 2])


def test_pad_modes_match_numpy_and_errors():
    x = np.arange(12.0).reshape(3, 4)
    np.testing.assert_array_equal(F.pad(nl.tensor(x), (2, 1), "reflect").data, np.pad(x, ((0, 0), (2, 1)), "reflect"))
    np.testing.assert_array_equal(
        F.pad(nl.tensor(x), (0, 0, 1, 1), "replicate").data, np.pad(x, ((1, 1), (0, 0)), "edge")
    )
    np.testing.assert_array_equal(F.pad(nl.tensor(x), (-1, -2, 1, 0)).data, np.pad(x[:, 1:2], ((1, 0), (0, 0))))
    with pytest.raises(ValueError, match="reflect"):
        F.pad(nl.tensor(x), (4, 0), "reflect")
    with pytest.raises(ValueError, match="pairs"):
        F.pad(nl.tensor(x), (1, 1, 1))
    with pytest.raises(ValueError, match="mode"):
        F.pad(nl.tensor(x), (1, 1), "wrap")


def test_einsum_errors_and_numpy_dispatch():
    a = leaf(np.ones((2, 3)))
    with pytest.raises(ValueError, match="einsum"):
        nl.einsum("ij,jk->ik", a)
    with pytest.raises(ValueError, match="einsum"):
        nl.einsum("ijk->i", a)
    with pytest.raises(ValueError, match="bmm"):
        nl.bmm(a, a)
    y = np.einsum("ij->i", a)
    assert isinstance(y, nl.Tensor) and y.requires_grad


def test_numpy_functions_dispatch_to_the_differentiable_ops():
    x = leaf(np.arange(1.0, 7.0).reshape(2, 3))
    for y, expected in [
        (np.cumsum(x, axis=1), np.cumsum(x.data, axis=1)),
        (np.cumsum(x), np.cumsum(x.data)),
        (np.flip(x, 0), np.flip(x.data, 0)),
        (np.prod(x, axis=0), np.prod(x.data, axis=0)),
        (np.tan(x), np.tan(x.data)),
        (np.log1p(x), np.log1p(x.data)),
        (np.take_along_axis(x, np.array([[2], [0]]), 1), x.data[[0, 1], [2, 0]][:, None]),
    ]:
        assert isinstance(y, nl.Tensor) and y.requires_grad
        np.testing.assert_allclose(y.data, expected)


def test_tensor_methods_exist_with_torch_names():
    x = nl.tensor(np.arange(6.0).reshape(2, 3))
    assert x.flip(0).shape == (2, 3) and x.repeat(2, 1).shape == (4, 3) and x.tril().shape == (2, 3)
    assert x.cumsum(1).shape == (2, 3) and x.gather(1, np.array([[0], [2]])).tolist() == [[0.0], [5.0]]
    assert [t.shape for t in x.split(1)] == [(1, 3), (1, 3)] and x.movedim(0, 1).shape == (3, 2)
    assert x.sort(descending=True).values.tolist() == [[2.0, 1.0, 0.0], [5.0, 4.0, 3.0]]
    assert x.isnan().dtype == np.bool_ and x.any(0).tolist() == [True] * 3 and x.all(1).tolist() == [False, True]


def test_every_elementwise_math_op_and_rearrangement_is_a_method():
    from neuronlab.ops import math as elementary
    from neuronlab.ops import rearrange

    missing = [n for n in (*elementary.__all__, *rearrange.__all__) if n != "meshgrid" and not hasattr(nl.Tensor, n)]
    assert not missing and not hasattr(nl.Tensor, "meshgrid")  # meshgrid: a function only, as in PyTorch
    assert nl.tensor([1.7, -1.7]).fix().tolist() == [1.0, -1.0]


EMPTY_CASES = {
    "cumsum": lambda lib, m: m.cumsum(0),
    "cumprod": lambda lib, m: m.cumprod(0),
    "logcumsumexp": lambda lib, m: m.logcumsumexp(0),
    "prod-dim0": lambda lib, m: m.prod(0),
    "prod-dim1": lambda lib, m: m.prod(1),
    "sort": lambda lib, m: m.sort(0).values,
    "cummax": lambda lib, m: m.cummax(0).values,
    "flip": lambda lib, m: m.flip(0),
    "roll": lambda lib, m: m.roll(1, 0),
    "tril": lambda lib, m: m.tril(),
    "topk": lambda lib, m: m.topk(0, 0).values,
    "split": lambda lib, m: m.split(2)[0],
    "einsum": lambda lib, m: lib.einsum("ij->j", m),
    "repeat_interleave": lambda lib, m: m.repeat_interleave(2, 0),
    "normalize": lambda lib, m: (torch.nn.functional if lib is torch else F).normalize(m),
}


@pytest.mark.parametrize("name", sorted(EMPTY_CASES))
def test_empty_dimensions_match_torch(name):
    x, x_ref = twin(np.zeros((0, 3)))
    y, y_ref = EMPTY_CASES[name](nl, x), EMPTY_CASES[name](torch, x_ref)
    assert y.shape == tuple(y_ref.shape)
    np.testing.assert_array_equal(y.data, y_ref.detach().numpy())
    y.sum().backward()
    assert x.grad.shape == (0, 3)


# ---------------------------------------------------------------------------------------------- modules
MODULES = [
    (nn.Softplus(beta=2.0, threshold=5.0), torch.nn.Softplus(beta=2.0, threshold=5.0)),
    (nn.LogSigmoid(), torch.nn.LogSigmoid()),
    (nn.SiLU(), torch.nn.SiLU()),
    (nn.Mish(), torch.nn.Mish()),
    (nn.SELU(), torch.nn.SELU()),
    (nn.CELU(0.7), torch.nn.CELU(0.7)),
    (nn.ReLU6(), torch.nn.ReLU6()),
    (nn.Hardtanh(-2.0, 0.5), torch.nn.Hardtanh(-2.0, 0.5)),
    (nn.Hardswish(), torch.nn.Hardswish()),
    (nn.Hardsigmoid(), torch.nn.Hardsigmoid()),
    (nn.Softsign(), torch.nn.Softsign()),
    (nn.Softmin(0), torch.nn.Softmin(0)),
]


@pytest.mark.parametrize("module, reference", MODULES, ids=[type(m).__name__ for m, _ in MODULES])
def test_activation_modules_match_torch_and_rebuild_from_config(module, reference):
    values = np.random.default_rng(0).uniform(-5, 5, (3, 4))
    np.testing.assert_allclose(
        module(nl.tensor(values)).data, reference(torch.tensor(values)).numpy(), rtol=1e-12, atol=1e-15
    )
    rebuilt = nn.build_module(module.config())
    assert type(rebuilt) is type(module) and rebuilt.config() == module.config()
