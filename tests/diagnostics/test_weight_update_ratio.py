"""WeightUpdateRatio against update sizes computed by hand (SGD) and from Adam's first-step property."""

import numpy as np
import pytest

import neuronlab
from neuronlab import nn, optim
from neuronlab.diagnostics import WeightUpdateRatio


def linear_problem():
    neuronlab.manual_seed(7)
    model = nn.Sequential(nn.Linear(3, 2, dtype=np.float64))
    rng = np.random.default_rng(0)
    return model, rng.standard_normal((8, 3)), rng.standard_normal((8, 2))


def train(model, optimizer, X, T, steps):
    for _ in range(steps):
        optimizer.zero_grad()
        nn.MSELoss()(model(X), T).backward()
        optimizer.step()


def test_sgd_ratios_are_lr_times_gradient_norm_over_weight_norm():
    model, X, T = linear_problem()
    W, b = model[0].weight.data.copy(), model[0].bias.data.copy()
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    expected_w, expected_b = [], []
    for _ in range(3):  # the same gradient descent in NumPy: E = mean((X W + b - T)^2)
        dz = 2 * (X @ W + b - T) / T.size
        gW, gb = X.T @ dz, dz.sum(axis=0)
        expected_w.append(0.1 * np.linalg.norm(gW) / np.linalg.norm(W))
        expected_b.append(0.1 * np.linalg.norm(gb) / np.linalg.norm(b))
        W, b = W - 0.1 * gW, b - 0.1 * gb
    with WeightUpdateRatio(model, optimizer, weights_only=False) as ratios:
        train(model, optimizer, X, T, 3)
    np.testing.assert_allclose(ratios.ratios["0.weight"], expected_w, rtol=1e-10)
    np.testing.assert_allclose(ratios.ratios["0.bias"], expected_b, rtol=1e-10)
    assert ratios.as_array().shape == (3, 2)


def test_adam_first_step_moves_every_weight_by_lr():
    """Adam's first update is lr * g / (|g| + eps): each weight moves by lr, so ||delta W|| = lr sqrt(count)."""
    model, X, T = linear_problem()
    norm = np.linalg.norm(model[0].weight.data)
    optimizer = optim.Adam(model.parameters(), lr=1e-3)
    with WeightUpdateRatio(model, optimizer) as ratios:
        train(model, optimizer, X, T, 1)
    assert list(ratios.ratios) == ["0.weight"]  # weights only by default
    assert ratios.ratios["0.weight"][0] == pytest.approx(1e-3 * np.sqrt(6) / norm, rel=1e-6)


def test_detach_restores_the_optimizer_and_zero_weights():
    model, X, T = linear_problem()
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    recorder = WeightUpdateRatio(model, optimizer).attach()
    assert "step" in vars(optimizer)
    with pytest.raises(RuntimeError, match="already attached"):
        recorder.attach()
    recorder.detach()
    assert "step" not in vars(optimizer)
    train(model, optimizer, X, T, 1)
    assert recorder.ratios["0.weight"] == []
    model[0].weight.data[:] = 0.0
    with recorder:
        train(model, optimizer, X, T, 1)
        optimizer.zero_grad()
        optimizer.step()  # no gradients: nothing moves
    assert recorder.ratios["0.weight"] == [float("inf"), 0.0]


def test_bad_arguments():
    model, _, _ = linear_problem()
    with pytest.raises(TypeError, match="step"):
        WeightUpdateRatio(model, object())
    with pytest.raises(TypeError, match="Module"):
        WeightUpdateRatio([1, 2], optim.SGD(model.parameters(), lr=0.1))
    with pytest.raises(ValueError, match="weights_only=False"):
        WeightUpdateRatio(nn.BatchNorm1d(3), optim.SGD(model.parameters(), lr=0.1))
