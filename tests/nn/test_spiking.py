"""Spiking layers (issue 15): rate activations in a Sequential trained by the Trainer; the spiking LIF layer."""

import numpy as np
import pytest

import neuronlab
from neuronlab import nn, optim
from neuronlab.data import DataLoader, TensorDataset, load_dataset
from neuronlab.neurons import lif_rate as tuning_curve
from neuronlab.train import accuracy, fit, predict


def test_rate_layers_wrap_the_functional_forms_and_round_trip_through_config():
    x = np.linspace(-1, 4, 11)
    np.testing.assert_allclose(nn.LIFRate(0.001, 0.05, 0.1)(x).data, 0.1 * tuning_curve(x, 0.001, 0.05), rtol=1e-15)
    soft = nn.SoftLIFRate(sigma=0.05, amplitude=0.01)
    rebuilt = nn.build_module(nn.Sequential(nn.Linear(3, 2), soft).config())[1]
    assert type(rebuilt) is nn.SoftLIFRate and rebuilt.get_config() == soft.get_config()
    with pytest.raises(ValueError, match="sigma"):
        nn.SoftLIFRate(sigma=-1)


def test_soft_lif_network_trains_on_digits_with_the_trainer():
    digits = load_dataset("digits")
    X, y = (digits.X / 16).astype(np.float32), digits.y
    neuronlab.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 32), nn.SoftLIFRate(amplitude=0.01), nn.Linear(32, 10))
    loader = DataLoader(
        TensorDataset(X[:600], y[:600]), batch_size=32, shuffle=True, generator=np.random.default_rng(0)
    )
    history = fit(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=1e-2), loader, epochs=6)
    assert history["train_loss"][-1] < history["train_loss"][0] / 3
    assert accuracy(y[1200:1500], predict(model, X[1200:1500])) > 0.85


def _reference_lif(torch, x, beta, threshold, reset, slope):
    """The same recurrence written in PyTorch with a custom autograd Function (Heaviside, fast sigmoid)."""

    class Spike(torch.autograd.Function):
        @staticmethod
        def forward(ctx, u):
            ctx.save_for_backward(u)
            return (u > 0).to(u.dtype)

        @staticmethod
        def backward(ctx, g):
            (u,) = ctx.saved_tensors
            return g / (1 + slope * u.abs()) ** 2

    v, r, out = None, 0.0, []
    for t in range(x.shape[0]):
        if v is None:
            v = x[t]
        else:
            v = beta * v + x[t] - r if reset == "subtract" else beta * (v - r) + x[t]
        s = Spike.apply(v - threshold)
        out.append(s)
        r = (s * threshold if reset == "subtract" else s * v).detach()
    return torch.stack(out)


def test_spiking_lif_follows_the_recurrence_by_hand():
    x = np.full((12, 1, 1), 0.45)
    v, s, expected_subtract = 0.0, 0.0, []
    for _ in range(12):  # v <- 0.8 v + 0.45 - s, s = [v > 1]
        v = 0.8 * v + 0.45 - s
        s = float(v > 1)
        expected_subtract.append(s)
    out = nn.SpikingLIF(beta=0.8)(x).data[:, 0, 0]
    np.testing.assert_array_equal(out, expected_subtract)
    membrane = nn.SpikingLIF(beta=0.8, reset="zero", output="membrane")(x).data[:, 0, 0]
    np.testing.assert_allclose(membrane[:3], [0.45, 0.81, 0.8 * 0.81 + 0.45])
    assert membrane[3] == pytest.approx(0.45)  # spiked at step 2 (1.098 > 1): reset to zero
    leaky = nn.SpikingLIF(beta=0.5, threshold=float("inf"), output="membrane")(x).data[:, 0, 0]
    assert leaky[-1] == pytest.approx(0.45 * (1 - 0.5**12) / 0.5)


@pytest.mark.parametrize("reset", ["subtract", "zero"])
def test_spiking_lif_backpropagates_through_time_like_pytorch(reset):
    torch = pytest.importorskip("torch", reason="PyTorch not installed: cross-check skipped")
    x = np.random.default_rng(0).uniform(0, 0.8, (15, 3, 4))
    w = np.random.default_rng(1).standard_normal((15, 3, 4))
    ours = neuronlab.tensor(x, requires_grad=True)
    layer = nn.SpikingLIF(beta=0.85, threshold=0.9, slope=5.0, reset=reset)
    (layer(ours) * w).sum().backward()
    theirs = torch.tensor(x, requires_grad=True)
    y_ref = _reference_lif(torch, theirs, 0.85, 0.9, reset, 5.0)
    (y_ref * torch.tensor(w)).sum().backward()
    np.testing.assert_array_equal(layer(x).data, y_ref.detach().numpy())
    np.testing.assert_allclose(ours.grad.data, theirs.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_learnable_decay_gets_a_gradient_and_stays_in_range():
    layer = nn.SpikingLIF(beta=[0.9, 0.5], learn_beta=True, surrogate="arctan")
    assert [name for name, _ in layer.named_parameters()] == ["beta"]
    x = neuronlab.tensor(np.random.default_rng(0).uniform(0, 1, (10, 4, 2)))
    layer(x).sum().backward()
    assert layer.beta.grad.shape == (2,) and np.all(layer.beta.grad.data > 0)  # more decay kept: more spikes
    with pytest.raises(ValueError, match="beta"):
        nn.SpikingLIF(beta=1.5)
    with pytest.raises(ValueError, match="reset"):
        nn.SpikingLIF(reset="hold")


def test_surrogate_gradient_network_learns_digits():
    from neuronlab.snn.encode import RateEncoder

    digits = load_dataset("digits")
    order = np.random.default_rng(0).permutation(len(digits.y))
    X, y = (digits.X[order] / 16).astype(np.float32), digits.y[order]
    neuronlab.manual_seed(0)
    model = nn.Sequential(
        RateEncoder(8), nn.Linear(64, 32), nn.SpikingLIF(), nn.Linear(32, 10), nn.SpikingLIF(), nn.SpikeCount()
    )
    loader = DataLoader(TensorDataset(X[:400], y[:400]), batch_size=50, shuffle=True)
    history = fit(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=1e-2), loader, epochs=6)
    assert history["train_loss"][-1] < 0.5 * history["train_loss"][0]
    assert accuracy(y[1400:1700], predict(model, X[1400:1700])) > 0.6


def test_a_membrane_readout_trains_through_the_hidden_spikes():
    """A loss on the membrane potential: the output layer integrates without spiking (threshold inf)."""
    neuronlab.manual_seed(0)
    model = nn.Sequential(
        nn.Linear(6, 8),
        nn.SpikingLIF(surrogate="arctan"),
        nn.Linear(8, 3),
        nn.SpikingLIF(beta=0.8, threshold=float("inf"), output="membrane"),
        nn.SpikeCount(),
    )
    x = np.random.default_rng(0).uniform(0, 1, (10, 5, 6)).astype(np.float32)
    loss = nn.CrossEntropyLoss()(model(x), np.array([0, 1, 2, 0, 1]))
    loss.backward()
    assert np.abs(model[0].weight.grad.data).sum() > 0 and np.abs(model[2].weight.grad.data).sum() > 0
