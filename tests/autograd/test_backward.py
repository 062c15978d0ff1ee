"""The backward pass: accumulation, retain_graph, grad modes, detach, autograd.grad, hooks, big graphs."""

import re

import numpy as np
import pytest

import neuronlab as nl
from neuronlab.autograd import grad
from neuronlab.ops.arithmetic import Add


def leaf(values):
    return nl.tensor(np.asarray(values, dtype=np.float64), requires_grad=True)


# ------------------------------------------------------------------ accumulation and retain_graph
def test_gradients_accumulate_into_leaves_across_backward_calls():
    x = leaf([1.0, 2.0])
    (x * x).sum().backward()
    first = x.grad
    np.testing.assert_array_equal(x.grad.data, [2.0, 4.0])
    (3 * x).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [5.0, 7.0])  # += as in the notes' Var.backward and PyTorch
    assert x.grad is first  # accumulated in place into the same tensor
    x.grad = None
    (3 * x).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [3.0, 3.0])


def test_shared_gradient_arrays_stay_private_per_leaf():
    """x + y hands one gradient array to both inputs; updating x.grad in place must not change y.grad."""
    x, y = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    (x + y).sum().backward()
    x.grad.data *= 10
    np.testing.assert_array_equal(y.grad.data, [1.0, 1.0])
    z = leaf(np.ones((2, 3)))
    z.sum().backward()  # the gradient of a sum is a broadcast (read-only) view
    z.grad.data += 1
    np.testing.assert_array_equal(z.grad.data, np.full((2, 3), 2.0))


def test_gradient_of_a_leaf_used_twice_is_the_sum():
    x = leaf([3.0])
    (x * x + x).sum().backward()  # d/dx (x^2 + x) = 2x + 1
    np.testing.assert_array_equal(x.grad.data, [7.0])


def test_in_place_gradient_sums_leave_arrays_handed_on_untouched():
    """The engine adds further gradients in place only into sums it made itself: u's summed gradient is handed
    by Add.backward to both x and y, and x's later gradients must not change y's (nor the seed, nor a hook's)."""
    x, y, w = leaf([1.0, 2.0]), leaf([3.0, 4.0]), leaf([5.0, 6.0])
    u = x + y
    seen = []
    u.register_hook(lambda g: seen.append(g.data.copy()) or None)
    loss = (2 * u + 3 * u + 4 * x + w * x + w + w).sum()  # x, w: three gradients each; u: two
    seed = np.ones_like(loss.data)
    loss.backward(seed)
    np.testing.assert_array_equal(x.grad.data, 5 + 4 + w.data)
    np.testing.assert_array_equal(y.grad.data, [5.0, 5.0])
    np.testing.assert_array_equal(w.grad.data, x.data + 2)
    np.testing.assert_array_equal(seen[0], [5.0, 5.0])
    assert seed == 1


def test_a_gradient_sum_is_laid_out_like_its_value():
    """Two C-ordered gradients of a Fortran-ordered leaf add up to a Fortran-ordered gradient (as PyTorch's)."""
    x = nl.tensor(np.asfortranarray(np.arange(12.0).reshape(3, 4)), requires_grad=True)
    assert x.data.flags.f_contiguous
    c1, c2 = np.arange(12.0).reshape(3, 4), np.ones((3, 4))
    ((x * c1).sum() + (x * c2).sum()).backward()
    assert x.grad.data.flags.f_contiguous and not x.grad.data.flags.c_contiguous
    np.testing.assert_array_equal(x.grad.data, c1 + c2)


def test_second_backward_needs_retain_graph():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_array_equal(x.grad.data, [4.0, 8.0])
    with pytest.raises(RuntimeError, match="second time.*retain_graph=True"):
        y.backward()


def test_backward_seed_and_shape_errors():
    x = leaf(np.ones((2, 3)))
    y = x * 2
    with pytest.raises(RuntimeError, match=r"only for scalar outputs.*\(2, 3\)"):
        y.backward()
    with pytest.raises(ValueError, match=r"grad has shape \(3, 2\) but the tensor has shape \(2, 3\)"):
        y.backward(np.ones((3, 2)))
    y.backward(np.full((2, 3), 0.5))
    np.testing.assert_array_equal(x.grad.data, np.ones((2, 3)))
    with pytest.raises(RuntimeError, match="does not require grad"):
        nl.tensor([1.0, 2.0]).sum().backward()


def test_float32_leaf_gets_float32_gradient_through_float64_ops():
    x = nl.tensor([1.0, 2.0], requires_grad=True)
    assert x.dtype == np.float32
    (x * np.array([1.5, 2.5])).sum().backward()  # the float64 constant promotes the product to float64
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad.data, np.array([1.5, 2.5], dtype=np.float32))


# ------------------------------------------------------------------ grad modes, detach, requires_grad_
def test_no_grad_context_and_decorator():
    x = leaf([1.0])
    with nl.no_grad():
        y = x * 2
        assert not nl.is_grad_enabled()
        with nl.enable_grad():
            z = x * 2
    assert nl.is_grad_enabled()
    assert not y.requires_grad and y.creator is None
    assert z.requires_grad and z.creator is not None

    @nl.no_grad()
    def predict(t):
        return t.exp()

    assert not predict(x).requires_grad
    assert nl.is_grad_enabled()


def test_no_grad_restores_the_mode_after_an_exception():
    with pytest.raises(KeyError), nl.no_grad():
        raise KeyError("boom")
    assert nl.is_grad_enabled()


def test_set_grad_enabled_as_function_and_context():
    x = leaf([1.0])
    with nl.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert nl.is_grad_enabled()
    nl.set_grad_enabled(False)
    try:
        assert not (x * 2).requires_grad
    finally:
        nl.set_grad_enabled(True)
    assert (x * 2).requires_grad


def test_set_grad_enabled_as_decorator():
    """As in PyTorch, decorating must not change the mode; calling the function runs it in that mode."""

    @nl.set_grad_enabled(False)
    def predict(t):
        return t * 2

    try:
        assert nl.is_grad_enabled(), "decorating with set_grad_enabled(False) switched gradients off globally"
        assert not predict(leaf([1.0])).requires_grad, "the decorated function still recorded a graph"
        assert nl.is_grad_enabled()
    finally:
        nl.set_grad_enabled(True)


def test_detach_cuts_the_graph_and_shares_data():
    x = leaf([1.0, 2.0])
    y = x * 3
    d = y.detach()
    assert d.is_leaf and not d.requires_grad and d.data is y.data
    (d * x).sum().backward()  # only the direct path to x counts
    np.testing.assert_array_equal(x.grad.data, [3.0, 6.0])


def test_requires_grad_():
    x = nl.tensor([1.0, 2.0])
    assert not x.requires_grad
    assert x.requires_grad_() is x and x.requires_grad
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [2.0, 4.0])
    x.requires_grad_(False)
    assert not (x * 2).requires_grad
    with pytest.raises(TypeError, match="floating-point"):
        nl.tensor([1, 2]).requires_grad_()
    with pytest.raises(RuntimeError, match="leaf"):
        (leaf([1.0]) * 2).requires_grad_(False)


# ------------------------------------------------------------------ autograd.grad
def test_grad_returns_gradients_without_touching_dot_grad():
    x, w = leaf([1.0, 2.0]), leaf([3.0, -1.0])
    gx, gw = grad((x * w).sum(), [x, w])
    np.testing.assert_array_equal(gx.data, [3.0, -1.0])
    np.testing.assert_array_equal(gw.data, [1.0, 2.0])
    assert x.grad is None and w.grad is None
    (gx_single,) = grad((x * x).sum(), x)
    np.testing.assert_array_equal(gx_single.data, [2.0, 4.0])


def test_grad_allow_unused():
    x, unused = leaf([1.0]), leaf([2.0])
    with pytest.raises(RuntimeError, match="allow_unused=True"):
        grad((x * 2).sum(), [x, unused])
    gx, gu = grad((x * 2).sum(), [x, unused], allow_unused=True)
    np.testing.assert_array_equal(gx.data, [2.0])
    assert gu is None


def test_grad_with_respect_to_non_leaf_tensors():
    x = leaf([1.0, -2.0])
    h = x * 3
    y = (h * h).sum()
    gh, gx = grad(y, [h, x])
    np.testing.assert_array_equal(gh.data, 2 * h.data)
    np.testing.assert_array_equal(gx.data, 18 * x.data)


def test_grad_with_grad_outputs():
    x = leaf([1.0, 2.0, 3.0])
    (g,) = grad(x * x, x, grad_outputs=np.array([1.0, 0.0, -1.0]))
    np.testing.assert_array_equal(g.data, [2.0, 0.0, -6.0])


def test_seed_gradients_in_any_array_like_form():
    """A single output takes its gradient as a Tensor, an array, a (nested) list or a number, in backward and grad."""
    x = leaf([1.0, 2.0])
    y = x * x  # dy/dx = 2x = [2, 4]
    y.backward([1.0, 1.0], retain_graph=True)
    np.testing.assert_array_equal(x.grad.data, [2.0, 4.0])
    (g,) = grad(y.sum(), x, grad_outputs=1.0, retain_graph=True)
    np.testing.assert_array_equal(g.data, [2.0, 4.0])
    (g,) = grad(y, x, grad_outputs=[1.0, -1.0], retain_graph=True)
    np.testing.assert_array_equal(g.data, [2.0, -4.0])
    (g,) = grad([y], [x], grad_outputs=nl.tensor(np.array([0.5, 0.5])), retain_graph=True)
    np.testing.assert_array_equal(g.data, [1.0, 2.0])
    with pytest.raises(ValueError, match=r"backward: grad has shape \(3,\) but the tensor has shape \(2,\)"):
        y.backward([1.0, 1.0, 1.0], retain_graph=True)
    with pytest.raises(ValueError, match=r"grad: grad has shape \(\) but the tensor has shape \(2,\)"):
        grad(y, x, grad_outputs=1.0, retain_graph=True)
    with pytest.raises(ValueError, match="backward: 1 gradients for 2 outputs"):
        nl.autograd.backward([y, y], [np.ones(2)])


def test_a_backward_returning_a_gradient_of_the_wrong_shape_is_an_error():
    """The engine sums broadcast gradients back to the input's shape; anything else is a backward bug, reported."""

    class WrongTranspose(nl.autograd.Function):
        def forward(self, x):
            return x.T

        def backward(self, gy):
            return gy  # should be gy.T

    class TooFewAxes(nl.autograd.Function):
        def forward(self, x):
            return x * 2

        def backward(self, gy):
            return gy.sum(axis=0)

    for function, shape in ((WrongTranspose, (3, 2)), (TooFewAxes, (3,))):
        x = leaf(np.ones((2, 3)))
        with pytest.raises(
            RuntimeError,
            match=rf"{function.__name__}\.backward returned a gradient of shape "
            rf"{re.escape(str(shape))} for an input of shape \(2, 3\)",
        ):
            function.apply(x).backward(np.ones(function.apply(x.detach()).shape))


def test_backward_from_several_roots():
    x = leaf([1.0, 2.0])
    nl.autograd.backward([(x * x).sum(), 3 * x], [None, np.array([1.0, 10.0])])
    np.testing.assert_array_equal(x.grad.data, [2.0 + 3.0, 4.0 + 30.0])


# ------------------------------------------------------------------ hooks and retain_grad
def test_hooks_see_and_replace_gradients():
    x = leaf([1.0, 2.0])
    seen = []
    x.register_hook(lambda g: seen.append(g.data.copy()))
    x.register_hook(lambda g: g * 10)
    (x * 3).sum().backward()
    np.testing.assert_array_equal(seen[0], [3.0, 3.0])
    np.testing.assert_array_equal(x.grad.data, [30.0, 30.0])


def test_grad_runs_tensor_hooks_like_backward():
    """As in PyTorch, autograd.grad applies the hooks of the tensors it passes through, leaves included."""
    x = leaf([1.0, 2.0])
    x.register_hook(lambda g: g * 100)
    h = x * 3
    h.register_hook(lambda g: g * 10)
    (g,) = grad((h * 2).sum(), x)
    np.testing.assert_array_equal(g.data, [6000.0, 6000.0])  # torch.autograd.grad gives 6000 too


def test_hook_on_intermediate_changes_what_flows_below():
    x = leaf([1.0, 2.0])
    h = x * 2
    h.register_hook(lambda g: g * 0.5)
    (h * h).sum().backward()  # dL/dh = 2h = 4x, halved by the hook to 2x, times dh/dx = 2: 4x (not 8x)
    np.testing.assert_array_equal(x.grad.data, 4 * x.data)
    with pytest.raises(RuntimeError, match="does not require grad"):
        nl.tensor([1.0]).register_hook(lambda g: g)


def test_retain_grad_keeps_intermediate_gradients():
    x = leaf([1.0, 2.0])
    h = x * 3
    h.retain_grad()
    y = (h * h).sum()
    y.backward()
    np.testing.assert_array_equal(h.grad.data, 2 * h.data)
    np.testing.assert_array_equal(x.grad.data, 18 * x.data)
    g = x * 2
    assert g.grad is None  # other intermediates keep no gradient
    x.retain_grad()  # a no-op on leaves, which always keep theirs


# ------------------------------------------------------------------ big and shared graphs
def test_shared_subexpressions_backpropagate_once_per_node(monkeypatch):
    """y = y + y, 200 times: the recursive scheme of the notes takes 2^200 paths; each Add runs once here."""
    calls = []
    original = Add.backward

    def counting_backward(self, gy):
        calls.append(1)
        return original(self, gy)

    monkeypatch.setattr(Add, "backward", counting_backward)
    x = nl.tensor(np.array(1.0), requires_grad=True)
    y = x
    for _ in range(200):
        y = y + y
    assert y.item() == 2.0**200
    y.backward()
    assert x.grad.item() == 2.0**200  # exact: every partial sum is a power of two
    assert len(calls) == 200


def test_long_chain_has_no_recursion_limit():
    c = 1.0 + 1e-5
    x = nl.tensor(np.array(1.0), requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * c
    y.backward()
    assert x.grad.item() == pytest.approx(c**100_000, rel=1e-9)
    z = x
    for _ in range(100_000):
        z = z + 1.0
    del z  # freeing an unreleased 100,000-node graph must not overflow the C stack either
