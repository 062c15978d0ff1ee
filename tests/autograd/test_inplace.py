"""In-place updates: allowed where they are safe, refused or detected where a gradient would be wrong."""

import numpy as np
import pytest

import neuronlab as nl


def leaf(values):
    return nl.tensor(np.asarray(values, dtype=np.float64), requires_grad=True)


def test_modifying_a_saved_input_is_detected_on_backward():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()  # Mul saves x
    with nl.no_grad():
        x.mul_(2)
    with pytest.raises(RuntimeError, match=r"Mul\.backward.*modified in place"):
        y.backward()


def test_modifying_a_saved_output_is_detected_on_backward():
    x = leaf([0.5, 1.0])
    h = x.exp()  # Exp saves its output
    y = h.sum()
    with nl.no_grad():
        h.add_(1.0)
    with pytest.raises(RuntimeError, match=r"Exp\.backward.*modified in place"):
        y.backward()


def test_modifying_a_saved_constant_is_detected():
    c = nl.tensor(np.array([1.0, 2.0]))
    w = leaf([3.0, 4.0])
    y = (c * w).sum()  # Mul saves c to compute dw = dy c
    c.mul_(10)
    with pytest.raises(RuntimeError, match="modified in place"):
        y.backward()


def test_setitem_and_fill_count_as_modifications():
    for modify in (
        lambda t: t.__setitem__(0, 5.0),
        lambda t: t.fill_(0.0),
        lambda t: t.copy_(np.ones(2)),
        lambda t: t.clamp_(0.0, 1.5),
        lambda t: t.zero_(),
    ):
        x = leaf([1.0, 2.0])
        y = (x * x).sum()
        with nl.no_grad():
            modify(x)
        with pytest.raises(RuntimeError, match="modified in place"):
            y.backward()


def test_in_place_through_a_detached_alias_is_detected():
    """detach() shares the data (as in PyTorch), so writing through it corrupts what backward saved."""
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    x.detach().mul_(2)
    with pytest.raises(RuntimeError, match="modified in place"):
        y.backward()


def test_in_place_on_the_base_of_a_saved_view_is_detected():
    """x[0:2] and x.reshape(...) are views of x's array; writing into x changes what their consumers saved."""
    x = leaf([1.0, 2.0, 3.0])
    v = x[0:2]
    y = (v * v).sum()  # Mul saves v's data, a view of x's data
    with nl.no_grad():
        x.mul_(2)
    with pytest.raises(RuntimeError, match="modified in place"):
        y.backward()


def test_setitem_with_a_value_that_requires_grad_keeps_or_refuses_the_gradient():
    """out[1:] = x * 2 must not silently cut x from the graph: record it (PyTorch) or raise."""
    x = leaf([1.0, 2.0])
    out = nl.tensor(np.zeros(3))
    try:
        out[1:] = x * 2
    except RuntimeError:
        return
    assert out.requires_grad, "the assignment dropped the gradient of x without an error"
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [2.0, 2.0])


def test_update_after_backward_is_fine():
    """The training-loop pattern: backward, then update the parameter in place, then a fresh graph."""
    w = leaf([1.0, 2.0])
    for _ in range(3):
        loss = (w * w).sum()
        loss.backward()
        with nl.no_grad():
            w -= 0.25 * w.grad
        w.grad = None
    np.testing.assert_allclose(w.data, np.array([1.0, 2.0]) * 0.5**3)


def test_ops_that_save_nothing_of_the_modified_input_still_backpropagate():
    x = leaf([1.0, 2.0])
    y = (x + 1.0).sum()  # Add saves nothing
    with nl.no_grad():
        x.mul_(3)
    y.backward()
    np.testing.assert_array_equal(x.grad.data, [1.0, 1.0])


def test_leaf_in_place_while_recording_is_refused():
    w = leaf([1.0, 2.0])
    for modify in (
        lambda t: t.add_(1.0),
        lambda t: t.mul_(2.0),
        lambda t: t.__setitem__(0, 1.0),
        lambda t: t.fill_(0.0),
    ):
        with pytest.raises(RuntimeError, match="leaf tensor that requires grad"):
            modify(w)
    np.testing.assert_array_equal(w.data, [1.0, 2.0])


def test_in_place_on_a_recorded_intermediate_is_refused():
    h = leaf([1.0, 2.0]) * 2
    with pytest.raises(RuntimeError, match="in-place"):
        h.mul_(2)


def test_augmented_assignment_on_an_intermediate_records_a_new_node():
    x = leaf([1.0, 2.0])
    h = x * 2
    before = h
    h += x  # out of place while recording: h is a new tensor, the old one is untouched
    assert h is not before
    np.testing.assert_array_equal(before.data, [2.0, 4.0])
    h.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [3.0, 3.0])


def test_in_place_updates_bump_the_version_without_grad():
    t = nl.tensor([1.0, 2.0])
    t.add_(1.0)
    t *= 2
    np.testing.assert_array_equal(t.data, [4.0, 6.0])
    assert t.dtype == np.float32


# ------------------------------------------------------------------ the per-buffer write table (versioning.py)
def _sum_of_squares(leaves):
    y = (leaves[0] * leaves[0]).sum()
    for w in leaves[1:]:
        y = y + (w * w).sum()
    return y


def test_detection_keeps_working_after_many_writes():
    rng = np.random.default_rng(0)
    leaves = [leaf(rng.standard_normal(3)) for _ in range(80)]
    y = _sum_of_squares(leaves)
    with nl.no_grad():
        for w in leaves:
            w.mul_(2.0)
    with pytest.raises(RuntimeError, match=r"Mul\.backward.*modified in place"):
        y.backward()

    w = leaf([1.0, 2.0])
    y = (w * w).sum()
    others = [nl.tensor(np.zeros(2)) for _ in range(100)]
    for t in others:
        t.add_(1.0)
    with nl.no_grad():
        w.add_(1.0)  # the 101st write, the only one to a saved array
    with pytest.raises(RuntimeError, match="modified in place"):
        y.backward()


def test_unrelated_writes_do_not_block_a_backward():
    rng = np.random.default_rng(1)
    leaves = [leaf(rng.standard_normal(3)) for _ in range(5)]
    values = [w.data.copy() for w in leaves]
    y = _sum_of_squares(leaves)
    others = [nl.tensor(rng.standard_normal(4)) for _ in range(100)]
    for t in others:
        t.add_(1.0)
        t[0] = 5.0
    y.backward()
    for w, w0 in zip(leaves, values):
        np.testing.assert_array_equal(w.grad.data, 2 * w0)  # d/dw sum(w^2) = 2 w


def test_augmented_assignment_of_a_graph_value_into_a_plain_tensor_keeps_the_graph():
    """acc += w * 3 with acc not requiring grad: acc becomes acc + w * 3, recorded (PyTorch: in place, recorded)."""
    w = leaf([1.0, 2.0])
    acc = nl.tensor(np.zeros(2))
    acc += w * 3
    assert acc.requires_grad
    np.testing.assert_array_equal(acc.data, [3.0, 6.0])
    acc.sum().backward()
    np.testing.assert_array_equal(w.grad.data, [3.0, 3.0])


def test_add_underscore_of_a_graph_value_into_a_plain_tensor_is_refused():
    w = leaf([1.0, 2.0])
    a = nl.tensor(np.zeros(2))
    with pytest.raises(RuntimeError, match="requires grad"):
        a.add_(w * 2)
    np.testing.assert_array_equal(a.data, [0.0, 0.0])


def test_the_write_table_forgets_freed_buffers():
    import gc

    from neuronlab.autograd import versioning

    for _ in range(1000):
        t = nl.tensor(np.zeros(3))
        t.add_(1.0)
        v = t[1:]  # a view's write is recorded under its base's buffer
        v.add_(1.0)
        del t, v
    gc.collect()
    assert len(versioning._last_write) < 50
