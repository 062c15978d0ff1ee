"""Gradient clipping: the closed forms, PyTorch's values, and the edge cases (no grads, non-finite norms)."""

import numpy as np
import pytest
from optim_testing import make_param, set_grad

import neuronlab
from neuronlab.nn.utils import clip_grad_norm_, clip_grad_value_

torch = pytest.importorskip("torch", reason="PyTorch not installed: cross-check skipped")

SHAPES = [(3, 4), (5,), (2, 2, 2)]


def gradients(dtype=np.float64, seed=0):
    rng = neuronlab.manual_seed(seed)
    return [rng.standard_normal(shape).astype(dtype) * 3 for shape in SHAPES]


def ours_and_torch(grads):
    ours, theirs = [], []
    for grad in grads:
        param = make_param(np.zeros_like(grad), dtype=grad.dtype)
        set_grad(param, grad)
        ours.append(param)
        torch_param = torch.nn.Parameter(torch.zeros(grad.shape, dtype=getattr(torch, grad.dtype.name)))
        torch_param.grad = torch.tensor(grad)
        theirs.append(torch_param)
    ours.append(make_param(np.ones(2)))  # no gradient: skipped
    theirs.append(torch.nn.Parameter(torch.ones(2, dtype=torch.float64)))
    return ours, theirs


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.5, float("inf"), "inf", 0.0])
@pytest.mark.parametrize("max_norm", [0.5, 1e4])
def test_clip_grad_norm_matches_pytorch(norm_type, max_norm):
    ours, theirs = ours_and_torch(gradients())
    total = clip_grad_norm_(ours, max_norm, norm_type=norm_type)
    torch_total = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type=norm_type)
    np.testing.assert_allclose(total, torch_total.item(), rtol=1e-12)
    for param, torch_param in zip(ours[:-1], theirs[:-1]):
        np.testing.assert_allclose(param.grad.data, torch_param.grad.numpy(), rtol=1e-12, atol=1e-15)
    assert ours[-1].grad is None


def test_clip_grad_norm_closed_form_and_direction():
    grads = gradients()
    ours, _ = ours_and_torch(grads)
    flat = np.concatenate([g.ravel() for g in grads])
    total = clip_grad_norm_(ours, max_norm=1.0)
    assert total == pytest.approx(np.sqrt(np.sum(flat**2)), rel=1e-13)
    clipped = np.concatenate([p.grad.data.ravel() for p in ours[:-1]])
    assert np.linalg.norm(clipped) == pytest.approx(1.0, rel=1e-5)
    np.testing.assert_allclose(clipped * total, flat, rtol=1e-5)  # same direction, only shorter
    again = clip_grad_norm_(ours, max_norm=2.0)  # within the bound: scaled by min(1, ...) = 1, unchanged
    np.testing.assert_array_equal(np.concatenate([p.grad.data.ravel() for p in ours[:-1]]), clipped)
    assert again == pytest.approx(1.0, rel=1e-5)


def test_clip_grad_norm_float32_matches_pytorch_and_keeps_dtype():
    ours, theirs = ours_and_torch(gradients(np.float32))
    total = clip_grad_norm_(ours, 2.0)
    torch_total = torch.nn.utils.clip_grad_norm_(theirs, 2.0)
    assert total.dtype == np.float32 and ours[0].grad.data.dtype == np.float32
    np.testing.assert_allclose(total, torch_total.item(), rtol=1e-6)
    for param, torch_param in zip(ours[:-1], theirs[:-1]):
        np.testing.assert_allclose(param.grad.data, torch_param.grad.numpy(), rtol=1e-6, atol=1e-7)


def test_clip_grad_norm_single_parameter_and_no_gradients():
    param = make_param(np.zeros(2))
    set_grad(param, [3.0, 4.0])
    assert float(clip_grad_norm_(param, 1.0)) == pytest.approx(5.0)
    np.testing.assert_allclose(param.grad.data, [0.6, 0.8], rtol=1e-6)
    assert clip_grad_norm_([make_param(np.zeros(2))], 1.0) == 0.0


def test_clip_grad_norm_nonfinite():
    grads = gradients()
    grads[1][2] = np.inf
    ours, theirs = ours_and_torch(grads)
    with pytest.raises(RuntimeError, match="non-finite|inf"):
        clip_grad_norm_(ours, 1.0, error_if_nonfinite=True)
    with pytest.raises(RuntimeError):
        torch.nn.utils.clip_grad_norm_(theirs, 1.0, error_if_nonfinite=True)
    assert np.isinf(clip_grad_norm_(ours, 1.0))
    torch.nn.utils.clip_grad_norm_(theirs, 1.0)
    for param, torch_param in zip(ours[:-1], theirs[:-1]):  # scaled by 1/inf: zeros, and nan where inf was
        np.testing.assert_array_equal(param.grad.data, torch_param.grad.numpy())


def test_clip_grad_value_matches_pytorch_and_np_clip():
    grads = gradients()
    ours, theirs = ours_and_torch(grads)
    clip_grad_value_(ours, 1.5)
    torch.nn.utils.clip_grad_value_(theirs, 1.5)
    for param, torch_param, grad in zip(ours[:-1], theirs[:-1], grads):
        np.testing.assert_array_equal(param.grad.data, np.clip(grad, -1.5, 1.5))
        np.testing.assert_array_equal(param.grad.data, torch_param.grad.numpy())
    assert any(np.abs(g).max() > 1.5 for g in grads)


def test_clipping_read_only_gradients_replaces_them():
    param = make_param(np.zeros(2))
    set_grad(param, [3.0, -4.0])
    param.grad.data.flags.writeable = False
    clip_grad_value_(param, 1.0)
    np.testing.assert_array_equal(param.grad.data, [1.0, -1.0])


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda p: clip_grad_norm_(p, -1.0), ValueError, "max_norm"),
        (lambda p: clip_grad_norm_(p, 1.0, norm_type="fro"), ValueError, "norm_type"),
        (lambda p: clip_grad_value_(p, -0.5), ValueError, "clip_value"),
        (lambda p: clip_grad_value_(p, "1"), TypeError, "clip_value"),
    ],
)
def test_bad_arguments(call, error, message):
    param = make_param(np.zeros(2))
    set_grad(param, [1.0, 1.0])
    with pytest.raises(error, match=message):
        call([param])
