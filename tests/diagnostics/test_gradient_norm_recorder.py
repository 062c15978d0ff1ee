"""GradientNormRecorder against backpropagation written out by hand, the notes' exploding chain, and PyTorch."""

import numpy as np
import pytest

import neuronlab
from neuronlab import nn, optim
from neuronlab.diagnostics import GradientNormRecorder


def test_norms_match_the_delta_rule_by_hand_over_several_steps():
    neuronlab.manual_seed(5)
    model = nn.Sequential(nn.Linear(3, 4, dtype=np.float64), nn.ReLU(), nn.Linear(4, 2, dtype=np.float64), nn.Sigmoid())
    rng = np.random.default_rng(1)
    X, T = rng.standard_normal((5, 3)), rng.random((5, 2))
    optimizer = optim.SGD(model.parameters(), lr=0.5)
    expected = []
    with GradientNormRecorder(model) as recorder:
        for _ in range(3):
            W1, b1, W2, b2 = (p.data.copy() for p in model.parameters())
            z1 = X @ W1 + b1
            h = np.maximum(z1, 0)
            y = 1 / (1 + np.exp(-(h @ W2 + b2)))
            dz2 = 2 * (y - T) / T.size * y * (1 - y)  # E = mean((y - t)^2)
            dz1 = (dz2 @ W2.T) * (z1 > 0)
            expected.append([np.linalg.norm(dz1), np.linalg.norm(dz2)])
            optimizer.zero_grad()
            nn.MSELoss()(model(X), T).backward()
            optimizer.step()
    assert recorder.layer_names == ["0", "2"] and recorder.steps == 3
    np.testing.assert_allclose(recorder.as_array(), expected, rtol=1e-12)
    np.testing.assert_allclose(recorder.as_array(squared=True), np.square(expected), rtol=1e-12)
    assert recorder.last() == pytest.approx(dict(zip(["0", "2"], expected[-1])), rel=1e-12)


def test_the_notes_exploding_chain_doubles_the_gradient_per_layer():
    """Notes 003 §6.2: weights 8, biases putting every input current at 0, where sigma' = 1/4: factor 2."""
    layers = []
    for i in range(5):
        linear = nn.Linear(1, 1, dtype=np.float64)
        linear.weight.data[:] = 8.0
        linear.bias.data[:] = -8.0 if i == 0 else -4.0  # z1 = 8 * 1 - 8 = 0; z(i+1) = 8 sigma(0) - 4 = 0
        layers += [linear, nn.Sigmoid()]
    model = nn.Sequential(*layers[:-1])
    with GradientNormRecorder(model) as recorder:
        model(np.ones((1, 1))).sum().backward()
    norms = recorder.as_array()[0]
    np.testing.assert_allclose(norms / norms[-1], [16, 8, 4, 2, 1], rtol=1e-15)


def test_clear_and_errors():
    model = nn.Sequential(nn.Linear(2, 2), nn.Tanh())
    recorder = GradientNormRecorder(model)
    with pytest.raises(ValueError, match="nothing recorded"):
        recorder.as_array()
    with pytest.raises(ValueError, match="no layer of type BatchNorm1d"):
        GradientNormRecorder(model, layer_types=(nn.BatchNorm1d,))
    with recorder:
        model(np.ones((3, 2), dtype=np.float32)).sum().backward()
    assert recorder.steps == 1
    recorder.clear()
    assert recorder.steps == 0


def test_matches_pytorch_full_backward_hooks():
    torch = pytest.importorskip("torch", reason="PyTorch not installed: cross-check skipped")
    neuronlab.manual_seed(2)
    sizes = [6, 5, 5, 3]
    ours, theirs = [], []
    for k in range(3):
        linear = nn.Linear(sizes[k], sizes[k + 1], dtype=np.float64)
        ref = torch.nn.Linear(sizes[k], sizes[k + 1]).double()
        with torch.no_grad():
            ref.weight.copy_(torch.tensor(linear.weight.data.T))  # torch stores (out, in)
            ref.bias.copy_(torch.tensor(linear.bias.data))
        ours += [linear, nn.Tanh()]
        theirs += [ref, torch.nn.Tanh()]
    model, reference = nn.Sequential(*ours[:-1]), torch.nn.Sequential(*theirs[:-1])
    X = np.random.default_rng(4).standard_normal((7, 6))
    labels = np.array([0, 1, 2, 0, 1, 2, 2])
    torch_norms = []
    for module in reference:
        if isinstance(module, torch.nn.Linear):
            module.register_full_backward_hook(lambda m, gi, go: torch_norms.append(go[0].norm().item()))
    torch.nn.functional.cross_entropy(reference(torch.tensor(X, requires_grad=True)), torch.tensor(labels)).backward()
    with GradientNormRecorder(model) as recorder:
        nn.CrossEntropyLoss()(model(X), labels).backward()
    np.testing.assert_allclose(recorder.as_array()[0], torch_norms[::-1], rtol=1e-10)


def test_a_frozen_first_layer_is_left_out_and_the_others_are_reported():
    """A frozen first Linear fed plain data has an output that needs no gradient: its hook never fires. The
    other layers' norms are still the delta rule by hand: E = sum(y) gives dE/dz3 = 1, dE/dz2 = W3^T (1 - h2^2)."""
    neuronlab.manual_seed(2)
    model = nn.Sequential(
        nn.Linear(3, 4, dtype=np.float64),
        nn.Tanh(),
        nn.Linear(4, 4, dtype=np.float64),
        nn.Tanh(),
        nn.Linear(4, 2, dtype=np.float64),
    )
    model[0].requires_grad_(False)
    X = np.random.default_rng(0).standard_normal((5, 3))
    W1, b1, W2, b2, W3, b3 = (p.data for p in model.parameters())
    h2 = np.tanh(np.tanh(X @ W1 + b1) @ W2 + b2)
    dz3 = np.ones((5, 2))
    dz2 = (dz3 @ W3.T) * (1 - h2**2)
    with GradientNormRecorder(model) as recorder:
        model(X).sum().backward()
    assert recorder.layer_names == ["0", "2", "4"] and recorder.recorded_names == ["2", "4"]
    assert recorder.steps == 1
    np.testing.assert_allclose(recorder.as_array(), [[np.linalg.norm(dz2), np.sqrt(10.0)]], rtol=1e-12)
    assert recorder.last() == pytest.approx({"2": np.linalg.norm(dz2), "4": np.sqrt(10.0)}, rel=1e-12)


def test_nothing_recorded_names_the_layers():
    model = nn.Sequential(nn.Linear(2, 2), nn.Tanh(), nn.Linear(2, 1))
    with pytest.raises(ValueError, match="nothing recorded yet for layers 0, 2"):
        GradientNormRecorder(model).as_array()
