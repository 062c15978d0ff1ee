import numpy as np
import pytest
from nn_testing import leaf, torch_leaf

import neuronlab
from neuronlab import nn
from neuronlab.autograd import gradcheck, gradgradcheck
from neuronlab.nn import functional as F


def notes_forward_backward(x, gamma, beta, gy, eps):
    """Notes 000 section 8.2, written out in NumPy for an (N, K) batch."""
    mu = x.mean(axis=0)
    v = ((x - mu) ** 2).mean(axis=0)
    sigma = np.sqrt(v + eps)
    x_hat = (x - mu) / sigma
    y = gamma * x_hat + beta
    dbeta = gy.sum(axis=0)
    dgamma = (x_hat * gy).sum(axis=0)
    c = gy.mean(axis=0)
    d = (x_hat * gy).mean(axis=0)
    dx = gamma / sigma * (gy - c - x_hat * d)
    return y, dx, dgamma, dbeta


def test_training_forward_and_backward_follow_the_notes_formulas():
    rng = np.random.default_rng(0)
    x_np, gy = rng.normal(2.0, 3.0, size=(16, 5)), rng.normal(size=(16, 5))
    bn = nn.BatchNorm1d(5, dtype=np.float64)
    with neuronlab.no_grad():
        bn.weight.copy_(rng.uniform(0.5, 2.0, size=5))
        bn.bias.copy_(rng.normal(size=5))
    x = leaf(x_np)
    y = bn(x)
    y.backward(gy)
    expected = notes_forward_backward(x_np, bn.weight.data, bn.bias.data, gy, bn.eps)
    for got, want in zip((y.data, x.grad.data, bn.weight.grad.data, bn.bias.grad.data), expected):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    # the normalized batch has mean beta and standard deviation gamma (up to eps)
    np.testing.assert_allclose(y.data.mean(axis=0), bn.bias.data, atol=1e-12)
    np.testing.assert_allclose(y.data.std(axis=0), bn.weight.data * np.sqrt(x_np.var(0) / (x_np.var(0) + 1e-5)))


@pytest.mark.parametrize("shape", [(6, 3), (4, 3, 5)])
@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("affine", [True, False])
def test_gradcheck(shape, training, affine):
    rng = np.random.default_rng(1)
    x = leaf(rng.normal(size=shape))
    gamma = leaf(rng.uniform(0.5, 1.5, size=3)) if affine else None
    beta = leaf(rng.normal(size=3)) if affine else None
    running_mean, running_var = rng.normal(size=3), rng.uniform(0.5, 2.0, size=3)

    def f(x, gamma, beta):  # fresh running statistics each call: the check must not see them drift
        return F.batch_norm(x, running_mean.copy(), running_var.copy(), gamma, beta, training=training)

    assert gradcheck(f, [x, gamma, beta])
    assert gradgradcheck(f, [x, gamma, beta])


def forward_backward_match_torch(torch, ours, theirs, x_np, g_np):
    """One batch x through both layers and the cotangent g back: outputs and input gradients agree."""
    x, xt = leaf(x_np), torch_leaf(torch, x_np)
    y, yt = ours(x), theirs(xt)
    y.backward(g_np)
    yt.backward(torch.from_numpy(g_np))
    np.testing.assert_allclose(y.data, yt.detach().numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(x.grad.data, xt.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("shape", [(8, 4), (5, 4, 3)])
@pytest.mark.parametrize("momentum", [0.1, 0.5, None])
@pytest.mark.parametrize("affine, track", [(True, True), (False, True), (True, False)])
def test_train_then_eval_matches_torch(shape, momentum, affine, track):
    torch = pytest.importorskip("torch", reason="PyTorch not installed: cross-check skipped")
    rng = np.random.default_rng(2)
    ours = nn.BatchNorm1d(4, momentum=momentum, affine=affine, track_running_stats=track, dtype=np.float64)
    theirs = torch.nn.BatchNorm1d(4, momentum=momentum, affine=affine, track_running_stats=track, dtype=torch.float64)
    if affine:
        gamma, beta = rng.uniform(0.5, 2.0, size=4), rng.normal(size=4)
        with neuronlab.no_grad():
            ours.weight.copy_(gamma), ours.bias.copy_(beta)
        with torch.no_grad():
            theirs.weight.copy_(torch.from_numpy(gamma)), theirs.bias.copy_(torch.from_numpy(beta))
    for step in range(3):  # three training batches: running statistics accumulate
        x_np = rng.normal(step, 1.0 + step, size=shape)
        g_np = rng.normal(size=shape)
        forward_backward_match_torch(torch, ours, theirs, x_np, g_np)
    if affine:
        np.testing.assert_allclose(ours.weight.grad.data, theirs.weight.grad.numpy(), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(ours.bias.grad.data, theirs.bias.grad.numpy(), rtol=1e-10, atol=1e-12)
    if track:
        np.testing.assert_allclose(ours.running_mean.data, theirs.running_mean.numpy(), rtol=1e-13)
        np.testing.assert_allclose(ours.running_var.data, theirs.running_var.numpy(), rtol=1e-13)
        assert int(ours.num_batches_tracked.data) == int(theirs.num_batches_tracked) == 3
    ours.eval(), theirs.eval()
    x_np, g_np = rng.normal(size=shape), rng.normal(size=shape)
    forward_backward_match_torch(torch, ours, theirs, x_np, g_np)


def test_running_statistics_use_the_unbiased_batch_variance():
    x = np.array([[1.0], [2.0], [4.0], [9.0]])
    bn = nn.BatchNorm1d(1, momentum=0.25, dtype=np.float64)
    bn(leaf(x))
    np.testing.assert_allclose(bn.running_mean.data, [0.75 * 0 + 0.25 * 4.0])
    np.testing.assert_allclose(bn.running_var.data, [0.75 * 1 + 0.25 * x.var(ddof=1)])


def test_a_single_sample_is_normalized_by_the_running_statistics_in_eval():
    # The notes' point: normalizing one sample by itself gives Y = beta whatever the input.
    bn = nn.BatchNorm1d(3, dtype=np.float64)
    with neuronlab.no_grad():
        bn.bias.copy_(np.array([0.5, -1.0, 2.0]))
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        bn(leaf(np.ones((1, 3))))
    with neuronlab.no_grad():
        bn.running_mean.copy_(np.array([1.0, 2.0, 3.0]))
        bn.running_var.copy_(np.array([4.0, 1.0, 0.25]))
    bn.eval()
    sample = np.array([[3.0, 3.0, 3.0]])
    y = bn(leaf(sample))
    np.testing.assert_allclose(
        y.data, (sample - [1.0, 2.0, 3.0]) / np.sqrt(np.array([4.0, 1.0, 0.25]) + 1e-5) + [0.5, -1.0, 2.0]
    )
    assert int(bn.num_batches_tracked.data) == 0  # eval does not touch the statistics


def test_without_running_statistics_eval_uses_batch_statistics():
    bn = nn.BatchNorm1d(2, track_running_stats=False).eval()
    x = np.array([[1.0, 10.0], [3.0, 30.0]], dtype=np.float32)
    np.testing.assert_allclose(bn(neuronlab.tensor(x)).data, [[-1.0, -1.0], [1.0, 1.0]], rtol=1e-4)
    assert "running_mean" not in bn.state_dict()


def test_float32_default_and_errors():
    bn = nn.BatchNorm1d(4)
    assert bn.weight.dtype == bn.running_var.dtype == np.float32
    y = bn(neuronlab.tensor(np.random.default_rng(0).normal(size=(5, 4)).astype(np.float32)))
    assert y.dtype == np.float32
    with pytest.raises(ValueError, match=r"\(N, 4\)"):
        bn(neuronlab.tensor(np.zeros((5, 3), dtype=np.float32)))
    with pytest.raises(ValueError, match="num_features"):
        nn.BatchNorm1d(0)
    assert set(bn.state_dict()) == {"weight", "bias", "running_mean", "running_var", "num_batches_tracked"}
